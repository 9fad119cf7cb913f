#!/usr/bin/env bash
# The CPU backend's generated code against the runtime simulator and an eager
# PyTorch simulation of the same network: the VGG-like test model as a
# rate-coded IF network (direct input, T = 32), 2 threads each, all measured
# in this one run. Generated code runs one network state per thread
# (examples/classify.c linked to the object file, and the JIT in snn-run);
# the simulator and PyTorch run batches of 64. Then the 784-400-400-400-10
# TTFS network (converted, continuous time) on all 10,000 test images:
# generated code against the runtime's exact TTFS simulator.
# Writes bench/results/codegen.json.
#   bench/codegen.sh [IMAGES]   (default 640)
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-640}
source bench/common.sh
convert_vgg "$tmp/vgg.snn.mlir" "timesteps=32 encoding=direct samples=256 scale=0.7"
ths=$(thresholds "$tmp/vgg.snn.mlir")
compile_model "$tmp/vgg.snn.mlir" "$tmp/vgg"

field() { sed -n "s/^  \"$1\": *\([0-9.e+-]*\).*/\1/p"; }
sim=$("$bin/snn-run" eval "$tmp/vgg.snn.mlir" --limit "$images" --batch 64 \
  --threads "$threads" --json --no-progress)
aot=$("$tmp/vgg/classify" --limit "$images" --threads "$threads" --json)
jit=$("$bin/snn-run" eval "$tmp/vgg.snn.mlir" --limit "$images" --engine jit \
  --threads "$threads" --json --no-progress)
torch=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch_sim.py \
  tests/models/vgg_avgpool.onnx "$threads" 64 32 "$images" "$ths")
# TTFS: the deep MLP, exact event-driven simulation of the whole window.
"$bin/snn-translate" --import-onnx tests/models/mlp400x3.onnx |
  "$bin/snn-opt" --convert-nn-to-snn="encoding=ttfs t-max=4" -o "$tmp/ttfs.mlir"
compile_model "$tmp/ttfs.mlir" "$tmp/ttfs"
ttfs_sim=$("$bin/snn-run" eval "$tmp/ttfs.mlir" --threads "$threads" --json)
ttfs_aot=$("$tmp/ttfs/classify" --threads "$threads" --json)
ttfs_jit=$("$bin/snn-run" eval "$tmp/ttfs.mlir" --engine jit --threads "$threads" \
  --json --no-progress)
ttfs_sim_ips=$(field images_per_second <<<"$ttfs_sim")
ttfs_aot_ips=$(field images_per_second <<<"$ttfs_aot")
ttfs_jit_ips=$(field images_per_second <<<"$ttfs_jit")

sim_ips=$(field images_per_second <<<"$sim")
aot_ips=$(field images_per_second <<<"$aot")
jit_ips=$(field images_per_second <<<"$jit")
torch_ips=$(sed 's/.*"images_per_second": \([0-9.e+-]*\).*/\1/' <<<"$torch")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }

mkdir -p bench/results
cat >bench/results/codegen.json <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "model": "vgg_avgpool, T=32, direct input, IF neurons, $threads threads",
  "images": $images,
  "generated_object_images_per_second": $aot_ips,
  "generated_jit_images_per_second": $jit_ips,
  "simulator_images_per_second": $sim_ips,
  "pytorch_images_per_second": $torch_ips,
  "accuracy_generated": $(field accuracy <<<"$aot"),
  "accuracy_simulator": $(field accuracy <<<"$sim"),
  "ratio_object_over_simulator": $(ratio "$aot_ips" "$sim_ips"),
  "ratio_jit_over_simulator": $(ratio "$jit_ips" "$sim_ips"),
  "ratio_object_over_pytorch": $(ratio "$aot_ips" "$torch_ips"),
  "ttfs": {
    "model": "mlp400x3 as a TTFS network (t_max 4, converted), 10000 test images, $threads threads",
    "generated_object_images_per_second": $ttfs_aot_ips,
    "generated_jit_images_per_second": $ttfs_jit_ips,
    "simulator_images_per_second": $ttfs_sim_ips,
    "accuracy_generated": $(field accuracy <<<"$ttfs_aot"),
    "accuracy_simulator": $(field accuracy <<<"$ttfs_sim"),
    "ratio_object_over_simulator": $(ratio "$ttfs_aot_ips" "$ttfs_sim_ips"),
    "ratio_jit_over_simulator": $(ratio "$ttfs_jit_ips" "$ttfs_sim_ips")
  }
}
JSON
cat bench/results/codegen.json
