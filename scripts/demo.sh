#!/usr/bin/env bash
# The main job of snn-mlir on a bundled model: import an ONNX model, convert
# it to a spiking network and evaluate it on Fashion-MNIST. Runs the parts
# that exist today and says plainly which parts are still missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
# Let ccache hit across clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
BUILD_DIR=${BUILD_DIR:-build}
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
fi
cmake --build "$BUILD_DIR" --target snn-opt snn-translate snn-run
bin="$BUILD_DIR/bin"

model=tests/models/mlp.onnx
echo
echo "== 1. Import the bundled ONNX model ($model, exported from PyTorch)"
"$bin/snn-translate" --import-onnx "$model" -o "$BUILD_DIR/demo.nn.mlir"
grep -o "nn\.[a-z_0-9]*" "$BUILD_DIR/demo.nn.mlir" | sort | uniq -c | sed 's/^/   /'

echo
echo "== 2. ANN accuracy on the 10,000 Fashion-MNIST test images (reference executor)"
"$bin/snn-run" eval "$BUILD_DIR/demo.nn.mlir" --data fashion-mnist
echo "   PyTorch measured: $(sed -n 's/.*"pytorch_test_accuracy": *\([0-9.]*\).*/\1/p' "${model%.onnx}.json") %"

echo
echo "== 3. Convert to a rate-coded SNN and balance thresholds on 512 training images"
echo "   snn-opt --snn-rate-pipeline=\"timesteps=64 encoding=direct\""
"$bin/snn-opt" "$BUILD_DIR/demo.nn.mlir" \
  --snn-rate-pipeline="timesteps=64 encoding=direct samples=512" \
  -o "$BUILD_DIR/demo.snn.mlir"
"$bin/snn-opt" "$BUILD_DIR/demo.snn.mlir" --snn-report -o /dev/null

echo
echo "== 4. SNN accuracy vs. timesteps on the same 10,000 test images (simulator)"
"$bin/snn-run" eval "$BUILD_DIR/demo.snn.mlir" --data fashion-mnist --timesteps 8,16,32,64

echo
echo "== 5. Where does the error enter? (snn-run diagnose, 500 images, T = 16)"
"$bin/snn-run" diagnose "$BUILD_DIR/demo.snn.mlir" --limit 500 --timesteps 16

echo
echo "== 6. Hybrid training: STDB fine-tuning at T = 8 (one epoch on 10,000 training"
echo "   images, 1,000 held out for validation), then the tuned SNN on the test set"
"$bin/snn-run" finetune "$BUILD_DIR/demo.snn.mlir" --method stdb --timesteps 8 \
  --epochs 1 --limit 10000 --validation 1000 --lr 3e-4 --data fashion-mnist \
  --no-progress -o "$BUILD_DIR/demo.tuned.mlir"
echo "   converted network at T = 8, for comparison:"
"$bin/snn-run" eval "$BUILD_DIR/demo.snn.mlir" --data fashion-mnist --timesteps 8 \
  --no-progress | sed -n 's/^  T = *8:/   T = 8:/p'

echo
echo "== 7. Time-to-first-spike: the 784-400-10 model as a TTFS network (one spike"
echo "   per neuron at most, class = earliest output spike), then one epoch of"
echo "   exact-gradient training with M-SSR (sparse-firing regularization)"
"$bin/snn-translate" --import-onnx tests/models/mlp400.onnx |
  "$bin/snn-opt" --convert-nn-to-snn="encoding=ttfs t-max=4" \
    -o "$BUILD_DIR/demo.ttfs.mlir"
"$bin/snn-run" eval "$BUILD_DIR/demo.ttfs.mlir" --data fashion-mnist --no-progress
"$bin/snn-run" train "$BUILD_DIR/demo.ttfs.mlir" --method ttfs --reg m-ssr \
  --gamma 1e-4 --sigma 0.5 --lr 1e-4 --epochs 1 --limit 20000 --validation 1000 \
  --data fashion-mnist --no-progress -o "$BUILD_DIR/demo.ttfs.trained.mlir"

echo
echo "== 8. Code generation: the SNN of step 3 as an object file and a C header"
echo "   (snn-translate --snn-to-object / --snn-to-c-header), linked into"
echo "   examples/classify.c by the C compiler; then the same code through the JIT"
"$bin/snn-translate" --snn-to-object "$BUILD_DIR/demo.snn.mlir" -o "$BUILD_DIR/snn_model.o"
"$bin/snn-translate" --snn-to-c-header "$BUILD_DIR/demo.snn.mlir" -o "$BUILD_DIR/snn_model.h"
cc -O2 -std=c11 -I"$BUILD_DIR" examples/classify.c \
  "$BUILD_DIR/snn_model.o" -lz -lpthread -o "$BUILD_DIR/classify"
echo "   $BUILD_DIR/classify (no MLIR, LLVM or snn-mlir library at run time), T = 32:"
"$BUILD_DIR/classify" --steps 32 --threads 2
"$bin/snn-run" eval "$BUILD_DIR/demo.snn.mlir" --engine jit --timesteps 32 --no-progress

echo
echo "== Also there: event-camera data and training from scratch on it"
echo "   (snn-run events, snn-run train --method bpsta; docs/events.md). Not there"
echo "   yet: GPU and neuromorphic backends. The larger CNNs convert and"
echo "   fine-tune the same way,"
echo "   e.g. tests/models/vgg_avgpool.onnx (docs/results.md, docs/training.md); the"
echo "   TTFS study is bench/ttfs-sweep.sh (docs/ttfs.md)."
