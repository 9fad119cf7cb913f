#!/usr/bin/env bash
# Training from scratch on event data: the untrained event CNN
# (tests/models/events/evnet.onnx) converted to an LIF network with event-
# frame input (T = 8), trained with BPTT (BPTA, the temporal adjustment) on
# emulated event Fashion-MNIST (made by the saccade emulator into a temporary
# cache); a run killed in its second epoch and resumed ends byte-identical to
# an uninterrupted one, and the trained network reaches an accuracy an
# untrained or broken one cannot (10 classes: chance is 10 %); snn-run eval
# on the same event data reproduces the trainer's test accuracy, and the
# JIT-compiled network gives the simulator's spikes; an ONNX model is
# accepted directly.
# usage: bpsta-train.sh BIN_DIR MODELS_DIR
set -euo pipefail
bin=$1 models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/kill-resume.sh"
export SNN_MLIR_CACHE="$tmp/cache"
"$bin/snn-translate" --import-onnx "$models/events/evnet.onnx" |
  "$bin/snn-opt" --convert-nn-to-snn="encoding=events timesteps=8 neuron=lif leak=0.9 reset=zero threshold=0.5" \
    -o "$tmp/evnet.mlir"
grep -q 'snn.encode_events' "$tmp/evnet.mlir" ||
  { echo "FAIL: no event input after conversion"; exit 1; }

train=("$bin/snn-run" train "$tmp/evnet.mlir" --method bpsta --adjust temporal
  --data emulated-fashion-mnist --epochs 3 --limit 1500 --validation 200
  --test-limit 300 --seed 5 --threads 2 --no-progress --json)
kill_and_resume "$tmp" bpsta "${train[@]}"
acc=$(sed -n '/"test"/,/}/s/.*"accuracy": *\([0-9.]*\).*/\1/p' "$tmp/bpsta-a.log")
echo "test accuracy after 3 epochs on 1,300 samples: $acc %"
awk -v a="$acc" 'BEGIN { exit !(a >= 50) }' ||
  { echo "FAIL: accuracy $acc % is below 50 %"; exit 1; }

# snn-run eval reads the same event data and agrees with the trainer.
evalacc=$("$bin/snn-run" eval "$tmp/bpsta-a.mlir" --data emulated-fashion-mnist \
  --limit 300 --json --no-progress | sed -n 's/^  "accuracy": *\([0-9.]*\).*/\1/p')
awk -v a="$acc" -v b="$evalacc" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }' ||
  { echo "FAIL: eval gives $evalacc %, the trainer's test $acc %"; exit 1; }

# The CPU backend's generated code (JIT) on event input: the same spikes in
# every layer as the simulator in reference order.
spikes() {
  "$bin/snn-run" eval "$tmp/bpsta-a.mlir" --data emulated-fashion-mnist \
    --limit 100 --json --no-progress "$@" | grep -E '"spikes"|^  "accuracy"' | tr -d ' '
}
spikes --engine jit >"$tmp/jit.txt"
spikes --reference-order >"$tmp/sim.txt"
[[ -s "$tmp/sim.txt" ]] && cmp -s "$tmp/jit.txt" "$tmp/sim.txt" ||
  { echo "FAIL: JIT and simulator differ on event input"; paste "$tmp/jit.txt" "$tmp/sim.txt"; exit 1; }

# An ONNX model is imported and converted (event input, LIF) before
# training; --timesteps sets its T and is refused for a .mlir network.
"$bin/snn-run" train "$models/events/evnet.onnx" --method bpsta --timesteps 4 \
  --data emulated-fashion-mnist --epochs 1 --limit 300 --validation 50 \
  --test-limit 50 --threads 2 --no-progress -o "$tmp/onnx.mlir" >/dev/null
grep -q 'snn.encode_events' "$tmp/onnx.mlir" && grep -q 'snn.lif' "$tmp/onnx.mlir" &&
  grep -q 'timesteps = 4' "$tmp/onnx.mlir" ||
  { echo "FAIL: the ONNX model was not converted to an event LIF network"; exit 1; }
if "$bin/snn-run" train "$tmp/onnx.mlir" --method bpsta --timesteps 8 \
  --data emulated-fashion-mnist -o "$tmp/x.mlir" 2>"$tmp/err.txt"; then
  echo "FAIL: --timesteps 8 accepted for a network of 4 steps"; exit 1
fi
grep -q "has 4 time steps" "$tmp/err.txt" || { cat "$tmp/err.txt"; exit 1; }

# A network without event input is refused with a hint.
"$bin/snn-translate" --import-onnx "$models/mlp.onnx" |
  "$bin/snn-opt" --convert-nn-to-snn="timesteps=8" -o "$tmp/mlp.mlir"
if "$bin/snn-run" train "$tmp/mlp.mlir" --method bpsta -o "$tmp/x.mlir" \
  2>"$tmp/err.txt"; then
  echo "FAIL: trained a network without event input"; exit 1
fi
grep -q "encoding=events" "$tmp/err.txt" || { cat "$tmp/err.txt"; exit 1; }
echo "ok"
