#!/usr/bin/env bash
# Rate conversion results: for each test model and balancing configuration,
# import → snn-rate-pipeline → snn-run eval at T = 8, 16, 32, 64, printing a
# Markdown table row per configuration (paste into docs/results.md).
#   bench/conversion.sh [LIMIT] [MODEL...]   LIMIT test images (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-10000}
shift || true
models=("$@")
if [[ ${#models[@]} -eq 0 ]]; then models=(mlp vgg_avgpool resnet_bn cnn_maxpool); fi
bin=${BUILD_DIR:-build}/bin
configs=(
  "encoding=direct method=activation percentile=99.9"
  "encoding=direct method=spike percentile=99.9"
  "encoding=poisson method=activation percentile=99.9"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| model | ANN | configuration | T=8 | T=16 | T=32 | T=64 |"
echo "|---|---|---|---|---|---|---|"
for m in "${models[@]}"; do
  ann=$("$bin/snn-run" eval "tests/models/$m.onnx" --limit "$limit" --json |
    sed -n 's/^ *"accuracy": *\([0-9.]*\).*/\1/p')
  for cfg in "${configs[@]}"; do
    "$bin/snn-translate" --import-onnx "tests/models/$m.onnx" |
      "$bin/snn-opt" --snn-rate-pipeline="timesteps=64 samples=256 $cfg" \
        -o "$tmp/$m.snn.mlir"
    accs=$("$bin/snn-run" eval "$tmp/$m.snn.mlir" --limit "$limit" \
      --timesteps 8,16,32,64 --json --no-progress |
      tr -d '\n ' | grep -o '"timesteps":[0-9]*,"accuracy":[0-9.]*\|"accuracy":[0-9.]*,"timesteps":[0-9]*' |
      sed 's/.*"accuracy":\([0-9.]*\).*/\1/' | awk '{printf "%.2f | ", $1}')
    printf '| %s | %.2f | %s | %s\n' "$m" "$ann" "$cfg" "$accs"
  done
done
