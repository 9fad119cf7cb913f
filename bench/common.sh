# Sourced by the bench scripts (from the repository root): installs what the
# PyTorch baselines need, builds the tools (plus $BENCH_TARGETS), and gives
# $bin, $threads and a temporary folder $tmp removed on exit.
threads=2
BUILD_DIR=${BUILD_DIR:-build}
bin=$BUILD_DIR/bin
SNN_DEPS_EXTRA="python3-torch python3-onnx libopenblas0-pthread" bash scripts/deps.sh >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" --target snn-opt snn-translate snn-run ${BENCH_TARGETS:-} >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# convert_vgg OUT OPTIONS: the VGG-like test model through
# --snn-rate-pipeline="OPTIONS" into OUT.
convert_vgg() {
  "$bin/snn-translate" --import-onnx tests/models/vgg_avgpool.onnx |
    "$bin/snn-opt" --snn-rate-pipeline="$2" -o "$1"
}

# thresholds FILE: the layers' thresholds, comma-separated (for the PyTorch
# baselines, which take them on the command line).
thresholds() {
  grep -o 'threshold = array<f32: [0-9.e+-]*>' "$1" |
    sed 's/.*: \([0-9.e+-]*\)>/\1/' | paste -sd,
}

# compile_model MODEL DIR: DIR/classify, examples/classify.c linked to the
# CPU backend's object file of MODEL.
compile_model() {
  mkdir -p "$2"
  "$bin/snn-translate" --snn-to-object "$1" -o "$2/snn_model.o"
  "$bin/snn-translate" --snn-to-c-header "$1" -o "$2/snn_model.h"
  cc -O2 -std=c11 -I"$2" examples/classify.c \
    "$2/snn_model.o" -lz -lpthread -o "$2/classify"
}
