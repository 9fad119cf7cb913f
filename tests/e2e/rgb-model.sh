#!/usr/bin/env bash
# An RGB model with a ShuffleNet unit (chunk, concat, channel shuffle) on
# colourised Fashion-MNIST (tests/models/rgb_shuffle.onnx and rgb/, written
# by tests/models/make_models.py): the same ANN accuracy through the image
# folder, the CIFAR-10 batch files and the .npz, equal to PyTorch's; the
# converted SNN within 1 point of the ANN at T = 32; one STDB epoch runs.
# usage: rgb-model.sh BIN_DIR MODELS_DIR
set -euo pipefail
bin=$1 models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$models/rgb
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
accuracy() { sed -n 's/.*"accuracy": \([0-9.]*\).*/\1/p' | head -1; }
pytorch=$(sed -n 's/.*"pytorch_test_accuracy": \([0-9.]*\).*/\1/p' \
  "$models/rgb_shuffle.json")

formats=("imagefolder:$data/imagefolder" "cifar10:$data/cifar10" "npz:$data/rgb.npz")
first=""
for spec in "${formats[@]}"; do
  acc=$("$bin/snn-run" eval "$models/rgb_shuffle.onnx" --data "$spec" --json |
    accuracy)
  echo "ANN on $spec: $acc %"
  [[ -z "$first" ]] && first=$acc
  [[ "$acc" == "$first" ]] || fail "$spec gives $acc %, $first % before"
done
awk -v a="$first" -v p="$pytorch" 'BEGIN { d = a - p; if (d < 0) d = -d;
  exit !(d <= 0.1) }' || fail "ANN $first % vs PyTorch $pytorch %"

# ImageNet-style preprocessing: zoom in (resize the shorter side to 36, crop
# the network's 32×32 centre); a zoom that small keeps most of the accuracy.
zoom=$("$bin/snn-run" eval "$models/rgb_shuffle.onnx" --resize 36 \
  --data "imagefolder:$data/imagefolder" --json | accuracy)
echo "ANN with --resize 36 (center crop 32): $zoom %"
awk -v z="$zoom" 'BEGIN { exit !(z > 60) }' || fail "resize/crop: $zoom %"

# Conversion, calibrated on the training images of the .npz.
"$bin/snn-translate" --import-onnx "$models/rgb_shuffle.onnx" |
  "$bin/snn-opt" --snn-rate-pipeline="timesteps=32 encoding=direct per-channel=true samples=256 data=npz:$data/rgb.npz" \
    -o "$tmp/snn.mlir"
grep -q "snn.gather_channels" "$tmp/snn.mlir" || fail "no channel gather"
grep -q "snn.concat" "$tmp/snn.mlir" || fail "no spiking concat"
snn=$("$bin/snn-run" eval "$tmp/snn.mlir" --data "npz:$data/rgb.npz" --json \
  --timesteps 8,16,32 | sed -n 's/^  "accuracy": \([0-9.]*\).*/\1/p')
echo "SNN at T = 32: $snn % (ANN $first %)"
awk -v a="$first" -v s="$snn" 'BEGIN { exit !(a - s <= 1.0) }' ||
  fail "the SNN loses more than 1 point: $snn % vs $first %"

# One STDB epoch on the folder's 256 training images.
"$bin/snn-run" finetune "$tmp/snn.mlir" --data "imagefolder:$data/imagefolder" \
  --epochs 1 --batch 32 --timesteps 8 --validation 32 --test-limit 200 \
  --no-progress \
  -o "$tmp/tuned.mlir" --json >"$tmp/ft.json"
grep -q '"epoch": 1' "$tmp/ft.json" || fail "no epoch report: $(cat "$tmp/ft.json")"
echo "rgb-model: all checks passed"
