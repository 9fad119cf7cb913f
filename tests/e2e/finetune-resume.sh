#!/usr/bin/env bash
# STDB fine-tuning survives kill -9: a run killed during its second epoch and
# continued with --resume ends with exactly the weights of an uninterrupted
# run with the same seed (the tuned modules are byte-identical). Also checks
# that a killed run leaves no output file behind and that fine-tuning the
# converted MLP at T = 8 does not lose accuracy.
# usage: finetune-resume.sh BIN_DIR MODELS_DIR
set -euo pipefail
bin=$1 models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/kill-resume.sh"
"$bin/snn-translate" --import-onnx "$models/mlp.onnx" |
  "$bin/snn-opt" --snn-rate-pipeline="timesteps=8 samples=256" \
    -o "$tmp/mlp.snn.mlir"
tune=("$bin/snn-run" finetune "$tmp/mlp.snn.mlir" --timesteps 8 --epochs 3
  --limit 3000 --validation 200 --batch 32 --dropout 0.1
  --seed 7 --threads 2 --no-progress --test-limit 500)

kill_and_resume "$tmp" tune "${tune[@]}"

# Fine-tuning keeps (or improves) the converted network's accuracy.
before=$("$bin/snn-run" eval "$tmp/mlp.snn.mlir" --timesteps 8 --limit 500 \
  --json --no-progress | sed -n 's/^  "accuracy": *\([0-9.]*\).*/\1/p')
after=$(sed -n 's/^test accuracy at T = 8: \([0-9.]*\) %.*/\1/p' "$tmp/tune-a.log")
echo "T = 8 on 500 test images: converted $before %, fine-tuned $after %"
awk -v a="$after" -v b="$before" 'BEGIN { exit !(a >= b - 0.5) }' ||
  { echo "FAIL: fine-tuning lost accuracy"; exit 1; }
echo "PASS"
