#!/usr/bin/env bash
# Inputs that once crashed the importer (found by scripts/fuzz-importer.sh):
# each must now be refused with an error and exit code 1, or imported.
# usage: check-regressions.sh SNN_TRANSLATE
set -uo pipefail
translate=$1
dir="$(dirname "$0")/regressions"
failed=0
for f in "$dir"/*; do
  "$translate" --import-onnx "$f" -o /dev/null 2>/dev/null
  rc=$?
  if [[ $rc -ne 0 && $rc -ne 1 ]]; then
    echo "FAIL $(basename "$f"): exit code $rc"
    failed=1
  else
    echo "ok   $(basename "$f") (exit $rc)"
  fi
done
exit $failed
