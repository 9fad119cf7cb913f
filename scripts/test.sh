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

source scripts/run-ctest.sh
run_ctest "$BUILD_DIR" "$JOBS"
echo "scripts/test.sh: $(( $(date +%s) - start )) s"
echo "tests: $((total - failed)) passed, $failed failed"
exit "$status"
