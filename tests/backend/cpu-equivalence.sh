#!/usr/bin/env bash
# The CPU backend against the runtime simulators: for each test model and
# input encoding, the generated object file (linked into examples/classify.c
# by the system C compiler), the JIT (snn-run eval --engine jit) and the
# simulator in reference order (snn-run eval --reference-order) must report
# identical spike counts for every spiking layer, and the same accuracy, on
# the first 100 test images.
# usage: cpu-equivalence.sh BIN_DIR MODELS_DIR EXAMPLES_DIR MODEL...
# where MODEL is NAME:ENCODING[:NEURON-OPTIONS] for MODELS_DIR/NAME.onnx,
# converted with those options (e.g. mlp:poisson, mlp:direct:neuron=lif,
# reset=zero; mlp400:ttfs for a time-to-first-spike network, compared with
# the exact TTFS simulator), or the path of an snn .mlir file used as it is.
set -euo pipefail
bin=$1 models=$2 examples=$3
shift 3
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
limit=100
fail=0 cases=0

# The per-layer spike counts and the accuracy of an eval or classify JSON.
summary() {
  sed -n 's/.*"spikes": *\([0-9]*\).*/\1/p; s/^  "accuracy": *\([0-9.]*\).*/acc \1/p' "$1" |
    awk '/^acc/ { printf "accuracy %.2f\n", $2; next } { print }'
}

for spec in "$@"; do
  dir="$tmp/case$((++cases))"
  mkdir -p "$dir"
  if [[ $spec == *.mlir ]]; then
    label=$(basename "$spec")
    cp "$spec" "$dir/model.mlir"
  else
    IFS=: read -r name encoding extra <<<"$spec"
    label="$name ($encoding${extra:+, $extra})"
    if [[ $encoding == ttfs ]]; then # continuous time: no balancing
      "$bin/snn-translate" --import-onnx "$models/$name.onnx" |
        "$bin/snn-opt" --convert-nn-to-snn="encoding=ttfs t-max=4" \
          -o "$dir/model.mlir"
    else
      convert="encoding=$encoding timesteps=16${extra:+ ${extra//,/ }}"
      "$bin/snn-translate" --import-onnx "$models/$name.onnx" |
        "$bin/snn-opt" --nn-fold-batchnorm --canonicalize \
          --convert-nn-to-snn="$convert" \
          --snn-threshold-balance="samples=64" -o "$dir/model.mlir"
    fi
  fi
  "$bin/snn-run" eval "$dir/model.mlir" --limit $limit --reference-order \
    --json >"$dir/sim.json"
  # Generated code rounds multiply-adds as this runtime was built to.
  fma=$(sed -n 's/.*"runtime_fma": *\([a-z]*\).*/\1/p' "$dir/sim.json")
  "$bin/snn-translate" --snn-to-object --snn-fma="$fma" "$dir/model.mlir" \
    -o "$dir/snn_model.o"
  "$bin/snn-translate" --snn-to-c-header "$dir/model.mlir" -o "$dir/snn_model.h"
  "$cc" -O2 -std=c11 -Wall -Werror -I"$dir" \
    "$examples/classify.c" "$dir/snn_model.o" -lz -lpthread -o "$dir/classify"
  "$dir/classify" --limit $limit --json >"$dir/aot.json"
  "$bin/snn-run" eval "$dir/model.mlir" --limit $limit --engine jit --json \
    >"$dir/jit.json"
  for f in aot jit sim; do summary "$dir/$f.json" >"$dir/$f.txt"; done
  if [[ ! -s "$dir/sim.txt" ]] || ! cmp -s "$dir/sim.txt" "$dir/jit.txt" ||
    ! cmp -s "$dir/sim.txt" "$dir/aot.txt"; then
    echo "FAIL $label: spike counts differ (simulator | JIT | object)"
    paste "$dir/sim.txt" "$dir/jit.txt" "$dir/aot.txt"
    fail=1
  else
    echo "ok   $label: $(grep -c . "$dir/sim.txt") lines identical," \
      "$(grep accuracy "$dir/sim.txt")," \
      "$(awk '!/accuracy/ { s += $1 } END { print s }' "$dir/sim.txt") spikes"
  fi
done
exit $fail
