#!/usr/bin/env bash
# Imports a test model and checks that snn-run eval reproduces the PyTorch
# test accuracy recorded next to it (NAME.json) within 0.1 points.
# usage: check-model.sh SNN_RUN MODEL.onnx
set -euo pipefail
snn_run=$1 model=$2
meta="${model%.onnx}.json"
want=$(sed -n 's/.*"pytorch_test_accuracy": *\([0-9.]*\).*/\1/p' "$meta")
got=$("$snn_run" eval "$model" --data fashion-mnist --json |
  sed -n 's/^ *"accuracy": *\([0-9.]*\).*/\1/p')
echo "$(basename "$model"): snn-run $got %, PyTorch $want %"
awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1) }' ||
  { echo "accuracy differs by more than 0.1 points"; exit 1; }
