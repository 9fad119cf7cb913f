#!/usr/bin/env bash
# Inputs that once crashed a fuzz target (found by scripts/fuzz.sh) must now
# be refused with an error or accepted, never crash:
#   - the importer's, through snn-translate (exit code 0 or 1);
#   - every other target's, through its NAME-replay executable, which feeds
#     regressions/NAME/ (and the target's seeds in seeds/NAME/) to the same
#     LLVMFuzzerTestOneInput libFuzzer ran (exit code 0).
# usage: check-regressions.sh SNN_TRANSLATE [NAME=REPLAY ...]
set -uo pipefail
translate=$1
shift
dir="$(dirname "$0")"
failed=0
for f in "$dir"/regressions/import-onnx/*; do
  "$translate" --import-onnx "$f" -o /dev/null 2>/dev/null
  rc=$?
  if [[ $rc -ne 0 && $rc -ne 1 ]]; then
    echo "FAIL import-onnx $(basename "$f"): exit code $rc"
    failed=1
  else
    echo "ok   import-onnx $(basename "$f") (exit $rc)"
  fi
done
for pair in "$@"; do
  name=${pair%%=*}
  replay=${pair#*=}
  inputs=()
  for d in "$dir/regressions/$name" "$dir/seeds/$name"; do
    [[ -d $d ]] && inputs+=("$d")
  done
  ((${#inputs[@]})) || continue
  if out=$("$replay" "${inputs[@]}" 2>&1); then
    echo "ok   $name: $(tail -1 <<<"$out")"
  else
    echo "FAIL $name (exit code $?): $(tail -3 <<<"$out")"
    failed=1
  fi
done
exit $failed
