#!/usr/bin/env bash
# Paired comparison of TTFS study runs by seed: runs of the same seed start
# from the same network and see the images in the same order, so per-seed
# differences remove most of the noise that separates seeds.
#   bench/ttfs-paired.sh RUNS_DIR ARCH CONFIG_A CONFIG_B[,CONFIG_B2]
# With one B, compares the two runs' accuracies as they are. With two B
# configurations (e.g. two strengths γ of the baseline), compares A with B's
# trade-off curve at A's firing: per seed, B's accuracy interpolated linearly
# in hidden spikes per neuron between its two runs (a point outside their
# range is marked "extrapolated"). Prints per seed both sides and the
# difference, then the mean difference, its standard deviation, the t
# statistic (df = seeds − 1) and the two-sided 95 % critical value.
# e.g. bench/ttfs-paired.sh bench/results/ttfs-runs mlp400x3 m-ssr-1e-3 \
#        membrane-0.5-3e-4,membrane-0.5-1e-3
set -euo pipefail
(($# == 4)) || { sed -n '2,15p' "$0"; exit 2; }
runs=$1 arch=$2 a=$3
IFS=, read -r b b2 <<<"$4"
num() { sed -n "s/^ *\"$1\": *\([-0-9.e+]*\).*/\1/p" "$2" | head -1; }
# acc<TAB>spikes of run CONFIG of seed SEED, or nothing.
point() {
  local f="$runs/$arch-$1$([[ $2 == 1 ]] || echo "-seed$2").json"
  [[ -s "$f" ]] && printf '%s\t%s' "$(num accuracy "$f")" "$(num hidden_spikes_per_neuron "$f")"
  return 0
}
for seed in $(seq 1 20); do
  pa=$(point "$a" "$seed") pb=$(point "$b" "$seed") pb2=""
  [[ -n "$b2" ]] && pb2=$(point "$b2" "$seed")
  [[ -n "$pa" && -n "$pb" && (-z "$b2" || -n "$pb2") ]] || continue
  printf '%s\t%s\t%s\t%s\n' "$seed" "$pa" "$pb" "${pb2:-x	x}"
done | awk -F'\t' -v a="$a" -v b="$b${b2:+ / $b2}" '
  BEGIN { printf "seed\t%s (acc / spikes)\t%s (acc / spikes)\tdifference (pt)\n", a, b
          # two-sided 95 % critical values of Student t, df 1..10
          split("12.71 4.30 3.18 2.78 2.57 2.45 2.36 2.31 2.26 2.23", crit, " ") }
  { acc = $4; sp = $5; note = ""
    if ($6 != "x") { # B at A'"'"'s spikes, on the line through its two runs
      acc = $4 + ($6 - $4) * ($3 - $5) / ($7 - $5); sp = $3
      lo = $5 < $7 ? $5 : $7; hi = $5 < $7 ? $7 : $5
      if ($3 < lo || $3 > hi) note = " (extrapolated)" }
    d[n++] = $2 - acc; sa += $3; sb += sp
    printf "%s\t%.2f / %.3f\t%.2f / %.3f%s\t%+.2f\n", $1, $2, $3, acc, sp, note, $2 - acc }
  END {
    if (n < 2) { print "fewer than two seeds with all runs"; exit 1 }
    for (i = 0; i < n; i++) m += d[i]; m /= n
    for (i = 0; i < n; i++) v += (d[i] - m) ^ 2; sd = sqrt(v / (n - 1))
    t = sd > 0 ? m / (sd / sqrt(n)) : 0
    printf "mean difference %+.3f pt (sd %.3f, %d seeds; spikes %.3f vs %.3f): t = %.2f, |t| > %s is significant at 5 %%\n",
      m, sd, n, sa / n, sb / n, t, (n - 1 <= 10 ? crit[n - 1] : "2.2") }'
