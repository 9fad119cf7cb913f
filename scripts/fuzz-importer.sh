#!/usr/bin/env bash
# Fuzzes the ONNX importer with libFuzzer for N seconds (default 60).
#   scripts/fuzz-importer.sh [SECONDS] [extra libFuzzer flags...]
# Builds an AddressSanitizer + libFuzzer build with Debian's clang-22 in
# build-fuzz/, seeds it with ONNX's node-test models and our text fixtures
# (tests/lit/frontend/onnx/*.onnxtext, as text and as binary), and keeps new
# inputs in build-fuzz/corpus/.
# Crashes are written to build-fuzz/crash-*; a crash makes the script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
SNN_DEPS_EXTRA="clang-22 libfuzzer-22-dev libclang-rt-22-dev" bash scripts/deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
if [[ ! -f build-fuzz/build.ninja ]]; then
  cmake -G Ninja -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DSNN_FUZZ=ON -DSNN_NATIVE=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,fuzzer-no-link -fno-omit-frame-pointer" \
    -DCMAKE_C_FLAGS="-fsanitize=address,fuzzer-no-link"
fi
cmake --build build-fuzz --target import-onnx-fuzzer onnx-fixture
mkdir -p build-fuzz/corpus build-fuzz/seed
for d in /usr/share/libonnx-testdata/data/node/*/; do
  cp "$d/model.onnx" "build-fuzz/seed/$(basename "$d").onnx"
done
for f in tests/lit/frontend/onnx/*.onnxtext; do
  cp "$f" build-fuzz/seed/
  build-fuzz/bin/onnx-fixture "$f" "build-fuzz/seed/$(basename "$f" .onnxtext).bin.onnx" --name-nodes
done
cd build-fuzz
# ONNX's own data propagation can recurse deeply; leave room for it.
ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
  ./tests/fuzz/import-onnx-fuzzer corpus seed \
  -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -max_len=65536 \
  -print_final_stats=1 "$@"
