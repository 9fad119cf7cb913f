#!/usr/bin/env bash
# The CPU backend's generated code against the runtime simulator and an eager
# PyTorch simulation of the same network: the VGG-like test model as a
# rate-coded IF network (direct input, T = 32), 2 threads each, all measured
# in this one run. Generated code runs one network state per thread
# (examples/classify.c linked to the object file, and the JIT in snn-run);
# the simulator and PyTorch run batches of 64. Then three TTFS networks
# (converted, continuous time: the 784-400-400-400-10 MLP, the strided CNN
# and the max-pooling CNN) on all 10,000 test images: generated code
# against the runtime's exact TTFS simulator.
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
# TTFS networks (converted, t_max 4), exact event-driven simulation of the
# whole window, on all 10,000 test images: `ttfs_case NAME` prints the JSON
# object of one test model.
ttfs_case() {
  local name=$1 sim aot jit sim_ips aot_ips jit_ips
  "$bin/snn-translate" --import-onnx "tests/models/$name.onnx" |
    "$bin/snn-opt" --convert-nn-to-snn="encoding=ttfs t-max=4" -o "$tmp/$name.mlir"
  compile_model "$tmp/$name.mlir" "$tmp/$name"
  sim=$("$bin/snn-run" eval "$tmp/$name.mlir" --threads "$threads" --json --no-progress)
  aot=$("$tmp/$name/classify" --threads "$threads" --json)
  jit=$("$bin/snn-run" eval "$tmp/$name.mlir" --engine jit --threads "$threads" \
    --json --no-progress)
  sim_ips=$(field images_per_second <<<"$sim")
  aot_ips=$(field images_per_second <<<"$aot")
  jit_ips=$(field images_per_second <<<"$jit")
  cat <<JSON
{
    "model": "$name as a TTFS network (t_max 4, converted), 10000 test images, $threads threads",
    "generated_object_images_per_second": $aot_ips,
    "generated_jit_images_per_second": $jit_ips,
    "simulator_images_per_second": $sim_ips,
    "accuracy_generated": $(field accuracy <<<"$aot"),
    "accuracy_simulator": $(field accuracy <<<"$sim"),
    "ratio_object_over_simulator": $(ratio "$aot_ips" "$sim_ips"),
    "ratio_jit_over_simulator": $(ratio "$jit_ips" "$sim_ips")
  }
JSON
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
# The deep MLP (every input reaches every neuron) and two CNNs, whose
# convolutions run as event loops over their synapse tables.
ttfs=$(ttfs_case mlp400x3)
ttfs_cnn=$(ttfs_case cnn_strided)
ttfs_maxpool=$(ttfs_case cnn_maxpool)

sim_ips=$(field images_per_second <<<"$sim")
aot_ips=$(field images_per_second <<<"$aot")
jit_ips=$(field images_per_second <<<"$jit")
torch_ips=$(sed 's/.*"images_per_second": \([0-9.e+-]*\).*/\1/' <<<"$torch")
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
  "ttfs": $ttfs,
  "ttfs_cnn_strided": $ttfs_cnn,
  "ttfs_cnn_maxpool": $ttfs_maxpool
}
JSON
cat bench/results/codegen.json
