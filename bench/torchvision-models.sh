#!/usr/bin/env bash
# torchvision classifiers end to end, as a user exporting from PyTorch would
# (issue 21): each of the twelve models of bench/torchvision_export.py is
# exported at opset 13 (random weights, non-trivial batch-norm statistics),
# imported, run with `snn-run infer` on the same 2×3×224×224 input as
# PyTorch (max abs error ≤ 1e-4 of the output's range), converted with the
# rate pipeline (calibrated on that input) and simulated at T = 8. A model
# whose conversion must be refused (efficientnet_b0: Sigmoid) passes when the
# refusal names the op. One line per model; results in
# bench/results/torchvision-models.txt.
#
# Needs python3-torch and python3-torchvision (installed here, for this
# script only).
#   bench/torchvision-models.sh [MODEL ...]
set -euo pipefail
cd "$(dirname "$0")/.."
SNN_DEPS_EXTRA="python3-torch python3-torchvision python3-onnx libopenblas0-pthread" \
  bash scripts/deps.sh
bin=${SNN_BIN:-build/bin}
work=${SNN_TV_DIR:-build/torchvision-models}
mkdir -p "$work" bench/results
models=("$@")
if (($# == 0)); then
  models=(resnet18 resnet50 vgg11_bn mobilenet_v2 regnet_x_400mf alexnet
    densenet121 googlenet squeezenet1_1 mnasnet0_5 shufflenet_v2_x1_0
    efficientnet_b0)
fi
missing=()
for m in "${models[@]}"; do
  [[ -f "$work/$m.onnx" && -f "$work/$m.ref.npy" ]] || missing+=("$m")
done
if ((${#missing[@]})); then
  echo "exporting ${missing[*]}"
  /usr/bin/python3 bench/torchvision_export.py "$work" "${missing[@]}" 2>&1 |
    grep -v -i warning || true
fi

compare() { # compare REF OUT: prints the max abs error relative to the range
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import sys
import numpy as np
r, o = np.load(sys.argv[1]), np.load(sys.argv[2])
if r.shape != o.shape:
    print("shape %s vs %s" % (r.shape, o.shape)); sys.exit(1)
rel = float(np.abs(r - o).max() / max(float(r.max() - r.min()), 1e-30))
print("%.2e" % rel)
sys.exit(0 if rel <= 1e-4 else 1)
EOF
}

# The committed table is written by full runs only.
results=bench/results/torchvision-models.txt
(($# == 0)) || results=$work/torchvision-models-partial.txt
{
  echo "# bench/torchvision-models.sh, $(date -u +%Y-%m-%d), $(nproc) cores"
  printf '%-20s %-8s %-10s %-10s %-30s %s\n' model import infer-err convert \
    "snn infer T=8" note
} >"$results.tmp"
failures=0
for m in "${models[@]}"; do
  onnx=$work/$m.onnx nn=$work/$m.nn.mlirbc snn=$work/$m.snn.mlirbc
  note="" import=FAIL err=- convert=- snninfer=-
  if "$bin/snn-translate" --import-onnx "$onnx" --emit-bytecode -o "$nn" \
    2>"$work/$m.import.log"; then
    import=ok
  else
    note=$(head -c 200 "$work/$m.import.log")
  fi
  if [[ $import == ok ]]; then
    if "$bin/snn-run" infer "$nn" -i "$work/x.npy" -o "$work/$m.out.npy" \
      2>"$work/$m.infer.log" && err=$(compare "$work/$m.ref.npy" "$work/$m.out.npy"); then
      :
    else
      err="FAIL(${err})"
      note=$(head -c 200 "$work/$m.infer.log")
    fi
    if "$bin/snn-opt" "$nn" --snn-rate-pipeline="timesteps=8 encoding=direct samples=2 data=npy:$work/x.npy,$work/labels.npy" \
      --emit-bytecode -o "$snn" 2>"$work/$m.convert.log"; then
      convert=ok
      if "$bin/snn-run" infer "$snn" -i "$work/x.npy" -o "$work/$m.snn.npy" \
        --timesteps 8 --stats 2>"$work/$m.snninfer.log"; then
        snninfer=$(sed -n 's/^output 0: \(.*\), min.*/\1/p' "$work/$m.snninfer.log")
      else
        snninfer=FAIL
        note=$(head -c 200 "$work/$m.snninfer.log")
      fi
    else
      convert=refused
      note=$(grep -m1 -o "error: .*" "$work/$m.convert.log" | head -c 200)
    fi
  fi
  expected_refusal=0
  [[ $m == efficientnet_b0 ]] && expected_refusal=1
  ok=1
  [[ $import == ok && $err != FAIL* ]] || ok=0
  if ((expected_refusal)); then
    [[ $convert == refused ]] && grep -q "Sigmoid\|sigmoid" "$work/$m.convert.log" || ok=0
  else
    [[ $convert == ok && $snninfer != FAIL && $snninfer != - ]] || ok=0
  fi
  ((ok)) || failures=$((failures + 1))
  line=$(printf '%-20s %-8s %-10s %-10s %-30s %s' "$m" "$import" "$err" \
    "$convert" "$snninfer" "$note")
  echo "$line"
  echo "$line" >>"$results.tmp"
done
echo "# $failures of ${#models[@]} models short of the acceptance" >>"$results.tmp"
mv "$results.tmp" "$results"
echo "$failures of ${#models[@]} models short of the acceptance (table: $results)"
exit $((failures > 0))
