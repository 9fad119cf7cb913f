#!/usr/bin/env bash
# TTFS training end to end: the 784-400-10 test model converted to a
# time-to-first-spike network, evaluated (accuracy, spikes per neuron,
# output spike time), trained with M-SSR; a run killed during its second
# epoch and continued with --resume ends with exactly the weights of an
# uninterrupted run with the same seed (byte-identical modules), a killed run
# leaves no output, and training does not lose the conversion's accuracy.
# usage: ttfs-train.sh BIN_DIR MODELS_DIR
set -euo pipefail
bin=$1 models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/kill-resume.sh"
"$bin/snn-translate" --import-onnx "$models/mlp400.onnx" |
  "$bin/snn-opt" --convert-nn-to-snn="encoding=ttfs t-max=4" \
    -o "$tmp/mlp.ttfs.mlir"
grep -q 'snn.ttfs_neuron' "$tmp/mlp.ttfs.mlir" ||
  { echo "FAIL: no TTFS neurons after conversion"; exit 1; }

"$bin/snn-run" eval "$tmp/mlp.ttfs.mlir" --limit 500 --no-progress | tee "$tmp/eval.txt"
grep -q '^spikes per neuron: ' "$tmp/eval.txt" &&
  grep -q '^mean output spike time: ' "$tmp/eval.txt" ||
  { echo "FAIL: TTFS eval does not report spikes and output times"; exit 1; }
before=$(sed -n 's/^accuracy: \([0-9.]*\) %.*/\1/p' "$tmp/eval.txt")

common=(--method ttfs --reg m-ssr --sigma 0.5 --lr 1e-4 --epochs 3
  --limit 4000 --validation 200 --seed 11 --threads 2 --no-progress
  --test-limit 500)
train=("$bin/snn-run" train "$tmp/mlp.ttfs.mlir" "${common[@]}" --gamma 1e-4)

kill_and_resume "$tmp" train "${train[@]}"

# A checkpoint of other options is refused, naming both.
if "$bin/snn-run" train "$tmp/mlp.ttfs.mlir" "${common[@]}" --gamma 2e-4 \
  -o "$tmp/c.mlir" --checkpoint "$tmp/train-b.ckpt" --resume >/dev/null \
  2>"$tmp/c.err"; then
  echo "FAIL: resumed from a checkpoint written with another gamma"
  exit 1
fi
grep -q "was written for other options" "$tmp/c.err" ||
  { cat "$tmp/c.err"; echo "FAIL: no clear refusal"; exit 1; }

after=$(sed -n 's/^test set: accuracy: \([0-9.]*\) %.*/\1/p' "$tmp/train-a.log")
echo "500 test images: converted $before %, trained $after %"
awk -v a="$after" -v b="$before" 'BEGIN { exit !(a >= b - 1.0) }' ||
  { echo "FAIL: training lost accuracy"; exit 1; }
echo "PASS"
