#!/usr/bin/env bash
# Imports a test model and checks that snn-run eval reproduces the PyTorch
# test accuracy recorded next to it (NAME.json) within 0.1 points.
# With SNN_TRANSLATE and SNN_OPT, the model is first imported and run through
#   snn-opt --nn-fold-batchnorm --canonicalize
# so that the check covers those rewrites too.
# usage: check-model.sh SNN_RUN MODEL.onnx [SNN_TRANSLATE SNN_OPT]
set -euo pipefail
snn_run=$1 model=$2
meta="${model%.onnx}.json"
input=$model
label=$(basename "$model")
if [[ $# -ge 4 ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$3" --import-onnx "$model" | "$4" --nn-fold-batchnorm --canonicalize -o "$tmp/folded.mlir"
  if grep -q "nn.batch_norm" "$tmp/folded.mlir"; then
    echo "$label: batch-norm left after --nn-fold-batchnorm"
    exit 1
  fi
  input="$tmp/folded.mlir"
  label="$label (folded)"
fi
want=$(sed -n 's/.*"pytorch_test_accuracy": *\([0-9.]*\).*/\1/p' "$meta")
# The test data: Fashion-MNIST, or "KIND:PATH" relative to the models folder.
data=$(sed -n 's/.*"data": *"\([^"]*\)".*/\1/p' "$meta")
if [[ -n "$data" ]]; then
  data="${data%%:*}:$(dirname "$model")/${data#*:}"
else
  data=fashion-mnist
fi
got=$("$snn_run" eval "$input" --data "$data" --json |
  sed -n 's/^ *"accuracy": *\([0-9.]*\).*/\1/p')
echo "$label: snn-run $got %, PyTorch $want %"
awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1) }' ||
  { echo "accuracy differs by more than 0.1 points"; exit 1; }
