#!/usr/bin/env bash
# The BPSTA study (seed 001) on emulated event Fashion-MNIST: an untrained
# event CNN (tests/models/events/$MODEL.onnx, default evnet_vote:
# conv16-conv32-fc100 with ten voting outputs per class as in BPSTA; evnet:
# ten outputs; evnet_deep: five spiking layers, conv16-conv16-conv32-conv32-
# fc100, voting outputs; LIF with hard reset, λ = 0.9, V_th = 0.5) trained from
# scratch with plain BPTT
# (rectangular surrogate), BPSA only, BPTA only and full BPSTA, at two
# timestep counts, three seeds each; mean and spread of the test accuracy.
# BN=on (default): batch-norm before every LIF layer while training (as the
# BPSTA networks), folded into the written model; BN=off: plain synapses.
# Resumable: finished runs are kept in bench/results/bpsta-runs/.
#   MODEL=evnet_vote BN=on LIMIT=10000 EPOCHS=5 TEST=2000 TS="8 16" \
#     SEEDS="1 2 3" bench/bpsta-study.sh
# ADJUSTS [none spatial temporal full] picks the variants; BIN: see
# bench/study-tools.sh.
# Writes bench/results/bpsta-study-$MODEL-bn$BN.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-evnet_vote}
BN=${BN:-on}
LIMIT=${LIMIT:-10000}
EPOCHS=${EPOCHS:-5}
TEST=${TEST:-2000}
TS=${TS:-8 16}
SEEDS=${SEEDS:-1 2 3}
ADJUSTS=${ADJUSTS:-none spatial temporal full}
# shellcheck source=bench/study-tools.sh
source bench/study-tools.sh # $bin: $BIN or the freshly built build/bin
runs=bench/results/bpsta-runs/$MODEL-bn$BN
mkdir -p "$runs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for T in $TS; do
  "$bin/snn-translate" --import-onnx "tests/models/events/$MODEL.onnx" |
    "$bin/snn-opt" --convert-nn-to-snn="encoding=events timesteps=$T neuron=lif leak=0.9 reset=zero threshold=0.5" \
      -o "$tmp/evnet-$T.mlir"
  for adjust in $ADJUSTS; do
    for seed in $SEEDS; do
      out="$runs/T$T-$adjust-seed$seed.json"
      [[ -s "$out" ]] && { echo "T=$T $adjust seed $seed: done before" >&2; continue; }
      echo "T=$T $adjust seed $seed: training ($EPOCHS epochs, $LIMIT samples)" >&2
      "$bin/snn-run" train "$tmp/evnet-$T.mlir" --method bpsta --adjust "$adjust" \
        --data emulated-fashion-mnist --batch-norm "$BN" --epochs "$EPOCHS" --limit "$LIMIT" \
        --validation 500 --test-limit "$TEST" --seed "$seed" --threads 2 \
        --no-progress --json -o "$tmp/out.mlir" --checkpoint "$runs/current.ckpt" \
        --resume >"$out.part"
      mv "$out.part" "$out"
      rm -f "$runs/current.ckpt"
    done
  done
done

# Mean and spread (min–max) per T and variant.
acc() { sed -n '/"test"/,/}/s/.*"accuracy": *\([0-9.]*\).*/\1/p' "$1"; }
{
  echo "| T | training | seeds | test accuracy (%) mean | min | max |"
  echo "|---|---|---|---|---|---|"
  for T in $TS; do
    for adjust in $ADJUSTS; do
      vals=$(for f in "$runs"/T$T-$adjust-seed*.json; do [[ -s $f ]] && acc "$f"; done)
      [[ -z "$vals" ]] && continue
      label=$adjust
      case $adjust in
        none) label="plain BPTT (rectangular surrogate)" ;;
        spatial) label="BPSA only" ;;
        temporal) label="BPTA only (κ = 0.2)" ;;
        full) label="BPSTA (BPSA + BPTA)" ;;
      esac
      awk -v T="$T" -v l="$label" '{ s += $1; n++; if (n == 1 || $1 < lo) lo = $1; if (n == 1 || $1 > hi) hi = $1 }
        END { printf "| %s | %s | %d | %.2f | %.2f | %.2f |\n", T, l, n, s / n, lo, hi }' <<<"$vals"
    done
  done
} >bench/results/bpsta-study-$MODEL-bn$BN.md
{
  echo "{\"model\": \"$MODEL\", \"batch_norm\": \"$BN\", \"limit\": $LIMIT, \"epochs\": $EPOCHS, \"test\": $TEST, \"runs\": ["
  first=1
  for f in "$runs"/T*.json; do
    [[ -s "$f" ]] || continue
    name=$(basename "$f" .json)
    [[ $first == 1 ]] || echo ","
    first=0
    printf '{"run": "%s", "test_accuracy": %s}' "$name" "$(acc "$f")"
  done
  echo "]}"
} >bench/results/bpsta-study-$MODEL-bn$BN.json
cat bench/results/bpsta-study-$MODEL-bn$BN.md
