#!/usr/bin/env bash
# Simulation throughput of the VGG-like test model as a rate-coded SNN at
# T = 32, batch 64, 2 threads: our simulator against an eager PyTorch IF
# simulation of the same network and against Eigen's 1024² SGEMM peak, all
# measured in this one run. Writes bench/results/sim-throughput.json.
#   bench/sim-throughput.sh [IMAGES]   (default 640)
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-640}
BENCH_TARGETS=gemm-peak source bench/common.sh
convert_vgg "$tmp/vgg.snn.mlir" "timesteps=32 encoding=direct samples=256 scale=0.7"
ths=$(thresholds "$tmp/vgg.snn.mlir")

ours=$("$bin/snn-run" eval "$tmp/vgg.snn.mlir" --limit "$images" --batch 64 \
  --timesteps 32 --threads "$threads" --json --no-progress)
ours_ips=$(sed -n 's/^  "images_per_second": *\([0-9.e+-]*\).*/\1/p' <<<"$ours")
events=$(sed -n 's/^  "synaptic_events_per_image": *\([0-9.e+-]*\).*/\1/p' <<<"$ours")
torch=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch_sim.py \
  tests/models/vgg_avgpool.onnx "$threads" 64 32 "$images" "$ths")
torch_ips=$(sed 's/.*"images_per_second": \([0-9.e+-]*\).*/\1/' <<<"$torch")
gemm=$("$bin/gemm-peak" --benchmark_format=json 2>/dev/null |
  sed -n 's/.*"GFLOPs": \([0-9.e+-]*\).*/\1/p' | head -1)

mkdir -p bench/results
cat >bench/results/sim-throughput.json <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "model": "vgg_avgpool, T=32, batch 64, direct input, $threads threads",
  "images": $images,
  "snn_mlir_images_per_second": $ours_ips,
  "snn_mlir_synaptic_events_per_second": $(awk -v a="$ours_ips" -v b="$events" 'BEGIN{printf "%.0f", a*b}'),
  "pytorch_images_per_second": $torch_ips,
  "ratio_snn_mlir_over_pytorch": $(awk -v a="$ours_ips" -v b="$torch_ips" 'BEGIN{printf "%.3f", a/b}'),
  "eigen_sgemm_1024_gflops_1_thread": $gemm
}
JSON
cat bench/results/sim-throughput.json
