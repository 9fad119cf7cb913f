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
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid=
"$bin/snn-translate" --import-onnx "$models/mlp.onnx" |
  "$bin/snn-opt" --snn-rate-pipeline="timesteps=8 samples=256" \
    -o "$tmp/mlp.snn.mlir"
tune=("$bin/snn-run" finetune "$tmp/mlp.snn.mlir" --timesteps 8 --epochs 3
  --limit 3000 --validation 200 --batch 32 --lr 3e-4 --dropout 0.1
  --seed 7 --threads 2 --no-progress --test-limit 500)

# Uninterrupted.
"${tune[@]}" -o "$tmp/a.mlir" --checkpoint "$tmp/a.ckpt" >"$tmp/a.log"
cat "$tmp/a.log"

# Killed once the first epoch's checkpoint is there, then resumed.
"${tune[@]}" -o "$tmp/b.mlir" --checkpoint "$tmp/b.ckpt" >"$tmp/b1.log" &
pid=$!
for _ in $(seq 1 6000); do
  [[ -f "$tmp/b.ckpt" ]] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.01
done
if ! kill -9 $pid 2>/dev/null; then
  echo "FAIL: the run ended before it could be killed in its second epoch"
  exit 1
fi
wait $pid 2>/dev/null && { echo "FAIL: the killed run exited normally"; exit 1; }
pid=
[[ -f "$tmp/b.ckpt" ]] || { echo "FAIL: no checkpoint after epoch 1"; exit 1; }
if [[ -e "$tmp/b.mlir" ]]; then
  echo "FAIL: a killed run left an output file"
  exit 1
fi
"${tune[@]}" -o "$tmp/b.mlir" --checkpoint "$tmp/b.ckpt" --resume \
  >"$tmp/b2.log" 2>"$tmp/b2.err"
cat "$tmp/b2.err" "$tmp/b2.log"
grep -q "resuming after epoch 1" "$tmp/b2.err" ||
  { echo "FAIL: did not resume after epoch 1"; exit 1; }
cmp "$tmp/a.mlir" "$tmp/b.mlir" ||
  { echo "FAIL: resumed weights differ from the uninterrupted run"; exit 1; }
ls "$tmp" | grep -q '\.tmp\.' && { echo "FAIL: temporary files left"; exit 1; }

# Fine-tuning keeps (or improves) the converted network's accuracy.
before=$("$bin/snn-run" eval "$tmp/mlp.snn.mlir" --timesteps 8 --limit 500 \
  --json --no-progress | sed -n 's/^  "accuracy": *\([0-9.]*\).*/\1/p')
after=$(sed -n 's/^test accuracy at T = 8: \([0-9.]*\) %.*/\1/p' "$tmp/a.log")
echo "T = 8 on 500 test images: converted $before %, fine-tuned $after %"
awk -v a="$after" -v b="$before" 'BEGIN { exit !(a >= b - 0.5) }' ||
  { echo "FAIL: fine-tuning lost accuracy"; exit 1; }
echo "PASS"
