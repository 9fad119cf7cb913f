#!/usr/bin/env bash
# A convolutional TTFS network end to end: the strided CNN test model
# (conv8 5×5/2, conv16 3×3/2, fc10) converted to time-to-first-spike,
# evaluated, trained with M-SSR (a run killed after its first epoch and
# resumed gives the same module as an uninterrupted one); the trained module
# keeps its kernel shapes, its kernels change, and evaluating it again
# reproduces the accuracy the training reported. Then the same for the
# max-pooling CNN test model, also compiled by the CPU backend's JIT.
# usage: ttfs-cnn.sh BIN_DIR MODELS_DIR
set -euo pipefail
bin=$1 models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/kill-resume.sh"
# convert MODEL OUT OP N: the TTFS conversion of MODEL must hold N ops OP.
convert() {
  "$bin/snn-translate" --import-onnx "$models/$1.onnx" |
    "$bin/snn-opt" --convert-nn-to-snn="encoding=ttfs t-max=4" -o "$2"
  [[ $(grep -c "$3" "$2") == "$4" ]] ||
    { echo "FAIL: the conversion of $1 does not keep $4 × $3"; exit 1; }
}
convert cnn_strided "$tmp/cnn.ttfs.mlir" snn.conv2d 2

"$bin/snn-run" eval "$tmp/cnn.ttfs.mlir" --limit 500 --no-progress | tee "$tmp/eval.txt"
grep -q 'spikes per neuron: .* 3 layers of 1568 784 10' "$tmp/eval.txt" ||
  { echo "FAIL: eval does not report the three layers' spikes"; exit 1; }
before=$(sed -n 's/^accuracy: \([0-9.]*\) %.*/\1/p' "$tmp/eval.txt")
awk -v a="$before" 'BEGIN { exit !(a >= 70) }' ||
  { echo "FAIL: the converted CNN is below 70 %"; exit 1; }

train=("$bin/snn-run" train "$tmp/cnn.ttfs.mlir" --method ttfs --reg m-ssr
  --gamma 1e-4 --sigma 0.5 --lr 1e-4 --epochs 2 --limit 1500
  --validation 100 --seed 5 --threads 2 --no-progress --test-limit 500)
kill_and_resume "$tmp" train "${train[@]}"

for shape in 8x1x5x5 16x8x3x3; do
  grep -q "tensor<${shape}xf32>" "$tmp/train-a.mlir" ||
    { echo "FAIL: the trained module lost its ${shape} kernel"; exit 1; }
done
cmp -s "$tmp/cnn.ttfs.mlir" "$tmp/train-a.mlir" &&
  { echo "FAIL: training did not change the module"; exit 1; }
after=$(sed -n 's/^test set: accuracy: \([0-9.]*\) %.*/\1/p' "$tmp/train-a.log")
again=$("$bin/snn-run" eval "$tmp/train-a.mlir" --limit 500 --no-progress |
  sed -n 's/^accuracy: \([0-9.]*\) %.*/\1/p')
[[ "$after" == "$again" ]] ||
  { echo "FAIL: the written module gives $again %, training reported $after %"; exit 1; }
echo "500 test images: converted $before %, trained $after %"
awk -v a="$after" -v b="$before" 'BEGIN { exit !(a >= b - 1.0) }' ||
  { echo "FAIL: training lost accuracy"; exit 1; }

# Max pooling: the conv-maxpool-conv-maxpool-fc-fc test model converts
# (snn.max_pool passes each window's earliest spike), evaluates, trains and
# is written back, and the CPU backend's JIT classifies as the simulator.
convert cnn_maxpool "$tmp/max.ttfs.mlir" snn.max_pool 2
"$bin/snn-run" eval "$tmp/max.ttfs.mlir" --limit 200 --no-progress | tee "$tmp/max.txt"
maxBefore=$(sed -n 's/^accuracy: \([0-9.]*\) %.*/\1/p' "$tmp/max.txt")
awk -v a="$maxBefore" 'BEGIN { exit !(a >= 60) }' ||
  { echo "FAIL: the converted max-pool CNN is below 60 %"; exit 1; }
"$bin/snn-run" train "$tmp/max.ttfs.mlir" --method ttfs --reg m-ssr \
  --gamma 1e-5 --lr 1e-4 --epochs 1 --limit 400 --validation 50 --seed 3 \
  --threads 2 --no-progress --test-limit 200 -o "$tmp/max-trained.mlir" |
  tee "$tmp/max-train.txt"
maxAfter=$(sed -n 's/^test set: accuracy: \([0-9.]*\) %.*/\1/p' "$tmp/max-train.txt")
maxAgain=$("$bin/snn-run" eval "$tmp/max-trained.mlir" --limit 200 --no-progress |
  sed -n 's/^accuracy: \([0-9.]*\) %.*/\1/p')
[[ "$maxAfter" == "$maxAgain" ]] ||
  { echo "FAIL: the written max-pool module gives $maxAgain %, training reported $maxAfter %"; exit 1; }
# The CPU backend compiles the trained module (its convolutions as the
# runtime's event loop) and classifies as the simulator does.
jit=$("$bin/snn-run" eval "$tmp/max-trained.mlir" --limit 200 --engine jit \
  --json | sed -n 's/^  "accuracy": *\([0-9.]*\).*/\1/p')
awk -v a="$jit" -v b="$maxAgain" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }' ||
  { echo "FAIL: the compiled max-pool module gives $jit %, the simulator $maxAgain %"; exit 1; }
echo "cnn_maxpool, 200 test images: converted $maxBefore %, trained $maxAfter %"
echo "PASS"
