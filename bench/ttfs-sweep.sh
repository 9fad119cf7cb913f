#!/usr/bin/env bash
# TTFS sparse-firing study (issue 7, seed 002): trains the 784-400-10 and
# 784-400-400-400-10 test models, converted to time-to-first-spike networks,
# on Fashion-MNIST without a regularizer and with M-SSR, F-SSR and the
# membrane-potential baseline at several strengths γ; evaluates each on the
# 10,000 test images (accuracy, mean spikes per hidden neuron) and writes
#   bench/results/ttfs-sweep$TAG.json   one record per run
#   bench/results/ttfs-sweep$TAG.md     the table for docs/results.md
#   docs/ttfs-tradeoff-ARCH$TAG.svg     accuracy vs spikes per neuron
# Finished runs are kept in bench/results/ttfs-runs$TAG/ and skipped when the
# script runs again (delete that folder to start over).
#   bench/ttfs-sweep.sh
# Environment (defaults in brackets): EPOCHS [3], ARCHS [mlp400x3 mlp400],
# GAMMAS_M [3e-5 1e-4 3e-4 5e-4 1e-3] (M-SSR), GAMMAS_F [1e-4 3e-4 1e-3] (F-SSR),
# GAMMAS_MEM [1e-4 3e-4 1e-3] (membrane), VHATS [0.5 0.8]
# (membrane level v̂/V_th), FULL_VHATS [empty] (the membrane baseline over
# the full potential, --reg membrane-full, at these v̂ and GAMMAS_MEM),
# THREADS [2], LIMIT [0: all training images],
# VALIDATION [5000 held-out training images], RUNS [bench/results/ttfs-runs],
# SEEDS [1]: every configuration is trained once per seed (runs of seed N > 1
# are kept as NAME-seedN); the table and plots give the mean over the seeds
# found and the accuracy range. INIT [module]: start from the converted
# weights, or `random` to train from scratch (snn-run train --init random);
# LR [1e-4]; CALIBRATE [0]: with N > 0, the converted network's thresholds
# are searched on N training images first (--snn-threshold-balance);
# TMAX [4]: the end of the time window t_max (inputs fire in [0, 1));
# TAG [empty]: a suffix for the runs folder and the outputs, so that a
# second study (e.g. TAG=-scratch INIT=random LR=1e-3 EPOCHS=6, or
# TAG=-calibrated CALIBRATE=1000) keeps its own files. BIN [build/bin, built
# first]: a folder with snn-opt, snn-translate and snn-run already built.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-3}
ARCHS=${ARCHS:-mlp400x3 mlp400}
GAMMAS_M=${GAMMAS_M:-3e-5 1e-4 3e-4 5e-4 1e-3}
GAMMAS_F=${GAMMAS_F:-1e-4 3e-4 1e-3}
GAMMAS_MEM=${GAMMAS_MEM:-1e-4 3e-4 1e-3}
VHATS=${VHATS:-0.5 0.8}
FULL_VHATS=${FULL_VHATS:-}
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-0}
VALIDATION=${VALIDATION:-5000}
SEEDS=${SEEDS:-1}
INIT=${INIT:-module}
LR=${LR:-1e-4}
CALIBRATE=${CALIBRATE:-0}
TMAX=${TMAX:-4}
TAG=${TAG:-}
# shellcheck source=bench/study-tools.sh
source bench/study-tools.sh # $bin: $BIN or the freshly built build/bin
runs=${RUNS:-bench/results/ttfs-runs$TAG}
mkdir -p "$runs" docs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One training run per seed → $runs/NAME[-seedN].json (skipped when it
# exists).
train() {
  local arch=$1 base=$2 seed name out
  shift 2
  for seed in $SEEDS; do
    name=$base
    [[ $seed == 1 ]] || name=$base-seed$seed
    out="$runs/$arch-$name.json"
    if [[ -s "$out" ]]; then
      echo "$arch $name: done before" >&2
      continue
    fi
    echo "$arch $name: training ($EPOCHS epochs)" >&2
    "$bin/snn-run" train "$tmp/$arch.ttfs.mlir" --method ttfs --sigma 0.5 \
      --init "$INIT" --lr "$LR" --epochs "$EPOCHS" --limit "$LIMIT" \
      --validation "$VALIDATION" \
      --threads "$THREADS" \
      --seed "$seed" --no-progress --json -o "$tmp/$arch-$name.mlir" \
      --checkpoint "$runs/$arch-$name.ckpt" --resume "$@" >"$out.part"
    mv "$out.part" "$out"
    rm -f "$runs/$arch-$name.ckpt"
  done
}

for arch in $ARCHS; do
  calibrate=()
  ((CALIBRATE > 0)) && calibrate=(--snn-threshold-balance="samples=$CALIBRATE")
  "$bin/snn-translate" --import-onnx "tests/models/$arch.onnx" |
    "$bin/snn-opt" --convert-nn-to-snn="encoding=ttfs t-max=$TMAX" "${calibrate[@]}" \
      -o "$tmp/$arch.ttfs.mlir"
  "$bin/snn-run" eval "$tmp/$arch.ttfs.mlir" --json --no-progress \
    >"$runs/$arch-converted.eval.json"
  train "$arch" none --reg none
  for g in $GAMMAS_M; do train "$arch" "m-ssr-$g" --reg m-ssr --gamma "$g"; done
  for g in $GAMMAS_F; do train "$arch" "f-ssr-$g" --reg f-ssr --gamma "$g"; done
  for v in $VHATS; do
    for g in $GAMMAS_MEM; do
      train "$arch" "membrane-$v-$g" --reg membrane --vhat "$v" --gamma "$g"
    done
  done
  for v in $FULL_VHATS; do
    for g in $GAMMAS_MEM; do
      train "$arch" "membrane-full-$v-$g" --reg membrane-full --vhat "$v" \
        --gamma "$g"
    done
  done
done

# Collect: arch, regularizer, γ, v̂, accuracy, hidden spikes, per layer.
num() { sed -n "s/^ *\"$1\": *\([-0-9.e+]*\).*/\1/p" "$2" | head -1; }
{
  echo "["
  first=1
  for arch in $ARCHS; do
    for f in "$runs/$arch"-*.json; do
      [[ "$f" == *.eval.json ]] && continue
      name=$(basename "$f" .json)
      name=${name#"$arch"-}
      seed=1
      if [[ "$name" == *-seed[0-9]* ]]; then
        seed=${name##*-seed}
        name=${name%-seed*}
      fi
      reg=${name%%-[0-9]*}
      reg=${reg%-ssr*}; [[ "$name" == m-ssr-* ]] && reg=m-ssr
      [[ "$name" == f-ssr-* ]] && reg=f-ssr
      gamma=0 vhat=0
      case "$name" in
      m-ssr-*) gamma=${name#m-ssr-} ;;
      f-ssr-*) gamma=${name#f-ssr-} ;;
      membrane-*) # also membrane-full-*
        rest=${name#membrane-}
        rest=${rest#full-}
        vhat=${rest%%-*}
        gamma=${rest#*-}
        ;;
      esac
      layers=$(tr -d '\n ' <"$f" | sed -n 's/.*"spikes_per_neuron":\[\([^]]*\)\].*/\1/p')
      ((first)) || echo ","
      first=0
      printf '  {"arch": "%s", "regularizer": "%s", "gamma": %s, "vhat": %s, "seed": %s, "accuracy": %s, "hidden_spikes_per_neuron": %s, "spikes_per_neuron": [%s], "mean_output_time": %s}' \
        "$arch" "$reg" "$gamma" "$vhat" "$seed" "$(num accuracy "$f")" \
        "$(num hidden_spikes_per_neuron "$f")" "$layers" "$(num mean_output_time "$f")"
    done
  done
  echo
  echo "]"
} >bench/results/ttfs-sweep$TAG.json

# Mean over the seeds of each configuration, as TSV: arch, regularizer, γ,
# v̂, seeds, accuracy mean, min, max, hidden spikes, per-layer spikes,
# output time.
tr -d '\n' <bench/results/ttfs-sweep$TAG.json | sed 's/},/}\n/g; s/^\[//; s/\]$//' |
  sed -n 's/.*"arch": "\([^"]*\)", "regularizer": "\([^"]*\)", "gamma": \([^,]*\), "vhat": \([^,]*\), "seed": \([^,]*\), "accuracy": \([^,]*\), "hidden_spikes_per_neuron": \([^,]*\), "spikes_per_neuron": \[\([^]]*\)\], "mean_output_time": \([^}]*\)}.*/\1\t\2\t\3\t\4\t\6\t\7\t\8\t\9/p' |
  awk -F'\t' '{ k = $1 "\t" $2 "\t" $3 "\t" $4
      if (!(k in n)) { order[nk++] = k; lo[k] = $5; hi[k] = $5 }
      n[k]++; acc[k] += $5; hid[k] += $6; out[k] += $8
      if ($5 < lo[k]) lo[k] = $5; if ($5 > hi[k]) hi[k] = $5
      m = split($7, v, ","); layers[k] = m
      for (i = 1; i <= m; i++) per[k, i] += v[i] }
    END { for (j = 0; j < nk; j++) { k = order[j]; p = ""
        for (i = 1; i <= layers[k]; i++) p = p (i > 1 ? "," : "") per[k, i] / n[k]
        printf "%s\t%d\t%.4f\t%.2f\t%.2f\t%.5f\t%s\t%.4f\n", k, n[k], acc[k] / n[k], lo[k], hi[k], hid[k] / n[k], p, out[k] / n[k] } }' |
  sort -t$'\t' -k1,1 -k2,2 -k4,4g -k3,3g >"$tmp/means.tsv"

# Table and plots.
{
  echo "| network | regularizer | γ | seeds | test accuracy (%) mean | range | spikes / hidden neuron | per layer | mean output time |"
  echo "|---|---|---|---|---|---|---|---|---|"
  # The converted network is the starting point only with INIT=module.
  start="converted, untrained"
  ((CALIBRATE > 0)) && start="converted + calibrated, untrained"
  [[ $INIT == module ]] && for arch in $ARCHS; do
    conv="$runs/$arch-converted.eval.json"
    printf '| %s | %s | – | – | %.2f | | %.3f | | %.3f |\n' "$arch" "$start" \
      "$(num accuracy "$conv")" "$(num hidden_spikes_per_neuron "$conv")" \
      "$(num mean_output_time "$conv")"
  done
  awk -F'\t' '{ reg = $2; if (reg == "membrane") reg = reg " (v̂ = " $4 " V_th)";
      if (reg == "membrane-full") reg = "membrane, full potential (v̂ = " $4 " V_th)";
      n = split($10, v, ","); per = "";
      for (i = 1; i <= n; i++) per = per (i > 1 ? " / " : "") sprintf("%.3f", v[i]);
      range = $5 > 1 ? sprintf("%.2f–%.2f", $7, $8) : "";
      printf "| %s | %s | %s | %d | %.2f | %s | %.3f | %s | %.3f |\n", $1, reg, ($2 == "none" ? "–" : sprintf("%g", $3)), $5, $6, range, $9, per, $11 }' "$tmp/means.tsv"
} >bench/results/ttfs-sweep$TAG.md
for arch in $ARCHS; do
  # Points of a series in the order of γ.
  awk -F'\t' -v a="$arch" '$1 == a { s = $2; if (s ~ /^membrane/) s = s " v̂=" $4; print s "\t" $3 "\t" $9 "\t" $6 "\tγ=" $3 }' "$tmp/means.tsv" |
    sort -t$'\t' -k1,1 -k2,2g | cut -f1,3- |
    awk -v title="$arch on Fashion-MNIST: accuracy vs firing (TTFS, t_max $TMAX, $EPOCHS epochs, init $INIT; mean over seeds)" \
      -f bench/plot_tradeoff.awk >"docs/ttfs-tradeoff-$arch$TAG.svg"
done
cat bench/results/ttfs-sweep$TAG.md
