#!/usr/bin/env bash
# Installs what is missing, configures, builds and runs every test suite
# (lit, GoogleTest, generated-docs check, downstream find_package test).
# Ends with one summary line: "tests: N passed, M failed".
#   BUILD_DIR   build folder (default: build)
#   JOBS        parallel build jobs (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash scripts/deps.sh
# Let ccache hit across clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
fi
cmake --build "$BUILD_DIR" -j "$JOBS"

log="$BUILD_DIR/ctest.log"
set +e
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# "100% tests passed, 0 tests failed out of 4"
summary=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -1 || true)
total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
failed=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
if [[ -z "$summary" ]]; then total=0; failed=0; status=1; fi
echo "scripts/test.sh: $(( $(date +%s) - start )) s"
echo "tests: $((total - failed)) passed, $failed failed"
exit "$status"
