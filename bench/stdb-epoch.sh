#!/usr/bin/env bash
# STDB training speed: the VGG-like test model, converted (spike balancing,
# direct input) and fine-tuned at T = 16, batch 64, 2 threads, on the first
# IMAGES Fashion-MNIST training images — snn-run finetune against an eager
# PyTorch BPTT implementation of the same training (bench/torch_stdb.py),
# both measured in this one run, alternating, REPS times each; the medians
# and their ratio go to bench/results/stdb-epoch.json. An epoch (55,000
# images) takes 55,000 / images-per-second seconds.
#   bench/stdb-epoch.sh [IMAGES] [REPS]   (defaults 1280, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-1280}
reps=${2:-3}
source bench/common.sh
convert_vgg "$tmp/vgg.snn.mlir" \
  "timesteps=16 encoding=direct samples=256 method=spike percentile=99.9 scale=0.7"
ths=$(thresholds "$tmp/vgg.snn.mlir")

ours_all=() torch_all=()
for _ in $(seq 1 "$reps"); do
  ours=$("$bin/snn-run" finetune "$tmp/vgg.snn.mlir" --timesteps 16 --epochs 1 \
    --batch 64 --limit "$images" --validation 0 --no-test --threads "$threads" \
    --json --no-progress -o "$tmp/tuned.mlir")
  ours_all+=("$(sed -n 's/^ *"images_per_second": *\([0-9.e+-]*\).*/\1/p' <<<"$ours" | head -1)")
  ours_mib=$(sed -n 's/^ *"activation_mib": *\([0-9.e+-]*\).*/\1/p' <<<"$ours" | head -1)
  torch=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch_stdb.py \
    tests/models/vgg_avgpool.onnx "$threads" 64 16 "$images" "$ths")
  torch_all+=("$(sed 's/.*"images_per_second": \([0-9.e+-]*\).*/\1/' <<<"$torch")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ours_ips=$(median "${ours_all[@]}")
torch_ips=$(median "${torch_all[@]}")
mkdir -p bench/results
cat >bench/results/stdb-epoch.json <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "model": "vgg_avgpool, STDB at T=16, batch 64, direct input, Adam, $threads threads",
  "images": $images,
  "repetitions": $reps,
  "snn_mlir_images_per_second_each": [$(IFS=,; echo "${ours_all[*]}")],
  "pytorch_images_per_second_each": [$(IFS=,; echo "${torch_all[*]}")],
  "snn_mlir_images_per_second": $ours_ips,
  "snn_mlir_activation_mib": $ours_mib,
  "pytorch_images_per_second": $torch_ips,
  "ratio_of_medians_snn_mlir_over_pytorch": $(awk -v a="$ours_ips" -v b="$torch_ips" 'BEGIN{printf "%.3f", a/b}'),
  "snn_mlir_epoch_seconds": $(awk -v a="$ours_ips" 'BEGIN{printf "%.0f", 55000/a}'),
  "pytorch_epoch_seconds": $(awk -v a="$torch_ips" 'BEGIN{printf "%.0f", 55000/a}')
}
JSON
cat bench/results/stdb-epoch.json
