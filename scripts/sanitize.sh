#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer (gcc)
# in build-asan/ and runs the whole test suite on it: every unit, lit, e2e,
# backend, reliability and fuzz-regression test, with the tools and tests
# instrumented (Debian's libLLVM/libMLIR are not). Not part of CI: it takes
# about half an hour on 2 cores. Ends with "sanitize: N passed, M failed".
#   BUILD_DIR  build folder (default: build-asan)
#   JOBS       parallel jobs (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# From the environment, so that the downstream find_package test builds its
# project against our instrumented libraries the same way.
export CXXFLAGS="$san" CFLAGS="$san" LDFLAGS="-fsanitize=address,undefined"
BUILD_DIR=${BUILD_DIR:-build-asan}
JOBS=${JOBS:-$(nproc)}
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
# LLVM's headers poison allocator memory inside our instrumented code while
# the uninstrumented libMLIR.so uses the same memory: that manual poisoning
# is ignored (allow_user_poisoning=0) to avoid false use-after-poison
# reports. Leaks are reported. Every report also goes to a file of its own
# under $BUILD_DIR/sanitizer-reports (tests capture the tools' stderr), and
# an instrumented process that finds an error exits with 86, which no test
# expects (exit code 1 is what the tools use for refused input). The probe
# skips its address-space caps, which the sanitizers' shadow memory breaks.
reports_dir="$PWD/$BUILD_DIR/sanitizer-reports"
rm -rf "$reports_dir"
mkdir -p "$reports_dir"
export ASAN_OPTIONS="allow_user_poisoning=0:detect_leaks=1:detect_stack_use_after_return=1:exitcode=86:log_path=$reports_dir/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$reports_dir/ubsan"
export SNN_PROBE_SANITIZED=1
source scripts/run-ctest.sh
run_ctest "$BUILD_DIR" "$JOBS" --timeout 3600
reports=$(find "$reports_dir" -type f | wc -l)
if ((reports > 0)); then
  status=1
  head -n 40 "$reports_dir"/* >&2
fi
echo "scripts/sanitize.sh: $(( $(date +%s) - start )) s, $reports sanitizer report(s) in $reports_dir"
echo "sanitize: $((total - failed)) passed, $failed failed"
exit "$status"
