#!/usr/bin/env bash
# Fuzzes one target with libFuzzer for SECONDS (default 60):
#   scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags...]
# TARGET: import-onnx, idx, events, checkpoint, bridge or image (tests/fuzz/).
# Builds an AddressSanitizer + UndefinedBehaviorSanitizer + libFuzzer build
# with Debian's clang-22 in build-fuzz/, seeds it (tests/fuzz/seeds/TARGET;
# the importer also with ONNX's node-test models and our text fixtures) and
# keeps what it learns in build-fuzz/corpus/TARGET/. A crash is written to
# build-fuzz/crashes/TARGET/ and makes the script fail: fix it, then copy the
# input to tests/fuzz/regressions/TARGET/ (ctest fuzz-regressions replays it).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-60}
shift $(($# >= 2 ? 2 : 1))
case $target in
import-onnx | idx | events | checkpoint | bridge | image) ;;
*) echo "unknown target '$target' (import-onnx, idx, events, checkpoint, bridge, image)" >&2; exit 2 ;;
esac
SNN_DEPS_EXTRA="clang-22 libfuzzer-22-dev libclang-rt-22-dev" bash scripts/deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
if [[ ! -f build-fuzz/build.ninja ]]; then
  cmake -G Ninja -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DSNN_FUZZ=ON -DSNN_NATIVE=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
    -DCMAKE_C_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined"
fi
cmake --build build-fuzz --target "$target-fuzzer" onnx-fixture
corpus=build-fuzz/corpus/$target
seeds=build-fuzz/seeds/$target
crashes=build-fuzz/crashes/$target
mkdir -p "$corpus" "$seeds" "$crashes"
cp tests/fuzz/seeds/"$target"/* "$seeds"/ 2>/dev/null || true
max_len=65536
if [[ $target == import-onnx ]]; then
  for d in /usr/share/libonnx-testdata/data/node/*/; do
    cp "$d/model.onnx" "$seeds/$(basename "$d").onnx"
  done
  for f in tests/lit/frontend/onnx/*.onnxtext; do
    cp "$f" "$seeds"/
    build-fuzz/bin/onnx-fixture "$f" "$seeds/$(basename "$f" .onnxtext).bin.onnx" --name-nodes
  done
fi
[[ $target == bridge ]] && max_len=16384
# ONNX's data propagation recurses deeply; allocations beyond the RSS limit
# are reported by libFuzzer as out-of-memory findings. LLVM's headers poison
# allocator memory in our instrumented code while Debian's libMLIR.so, not
# instrumented, uses the same memory: such manual poisoning is ignored
# (allow_user_poisoning=0) to avoid false use-after-poison reports.
ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:allow_user_poisoning=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "build-fuzz/tests/fuzz/$target-fuzzer" "$corpus" "$seeds" \
  -artifact_prefix="$crashes/" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -malloc_limit_mb=2048 -timeout=20 -max_len=$max_len -print_final_stats=1 "$@"
