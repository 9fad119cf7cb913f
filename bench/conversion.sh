#!/usr/bin/env bash
# Rate conversion results (issue 22): for each test model and configuration,
# import → snn-rate-pipeline calibrated for each T (256 training images) →
# snn-run eval at that T, printing a Markdown table row per configuration
# (paste into docs/results.md). The last configuration is the pipeline's
# default; the others switch its corrections off one by one.
#   bench/conversion.sh [LIMIT] [MODEL...]   LIMIT test images (default 10000)
# Environment: TS="4 8 16 32" (the T values), CONFIGS="label|options;..."
# (replaces the list below), BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-10000}
shift || true
models=("$@")
if [[ ${#models[@]} -eq 0 ]]; then models=(vgg_avgpool resnet_bn cnn_maxpool mlp); fi
bin=${BUILD_DIR:-build}/bin
read -r -a ts <<<"${TS:-4 8 16 32}"
IFS=';' read -r -a configs <<<"${CONFIGS:-textbook (per layer, p99.9)|per-channel=false initial-potential=0 bias-correction=0;initial potential 1/2|per-channel=false bias-correction=0;per channel|initial-potential=0 bias-correction=0;per channel, initial potential 1/2|bias-correction=0;default: per channel, initial potential 1/2, bias correction x2|}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
header="| model | ANN | configuration |"
rule="|---|---|---|"
for t in "${ts[@]}"; do header+=" T=$t |"; rule+="---|"; done
echo "$header calibration s (mean per T) |"
echo "$rule---|"
for m in "${models[@]}"; do
  "$bin/snn-translate" --import-onnx "tests/models/$m.onnx" --emit-bytecode \
    -o "$tmp/$m.nn.mlirbc"
  ann=$("$bin/snn-run" eval "tests/models/$m.onnx" --limit "$limit" --json |
    sed -n 's/^  "accuracy": *\([0-9.]*\).*/\1/p')
  for cfg in "${configs[@]}"; do
    label=${cfg%%|*} options=${cfg#*|}
    row="| $m | $(printf %.2f "$ann") | $label |"
    seconds=0
    for t in "${ts[@]}"; do
      start=$(date +%s.%N)
      "$bin/snn-opt" "$tmp/$m.nn.mlirbc" 2>/dev/null \
        --snn-rate-pipeline="timesteps=$t samples=256 $options" \
        --emit-bytecode -o "$tmp/$m.snn.mlirbc"
      seconds=$(echo "$seconds + $(date +%s.%N) - $start" | bc)
      acc=$("$bin/snn-run" eval "$tmp/$m.snn.mlirbc" --limit "$limit" \
        --json --no-progress | sed -n 's/^  "accuracy": *\([0-9.]*\).*/\1/p')
      row+=" $(printf %.2f "$acc") |"
    done
    echo "$row $(echo "scale=1; $seconds / ${#ts[@]}" | bc) |"
  done
done
