#!/usr/bin/env bash
# Event data from Fashion-MNIST: snn-run events emulate writes 30 test images
# as N-MNIST files (three saccades, ON/OFF events), snn-run events info reads
# them back through the N-MNIST reader (data set layout, one file's events
# and frames), a second run keeps what the first wrote, and a truncated file
# is reported with its byte offset.
# usage: events-emulate.sh BIN_DIR
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json() { sed -n "s/^ *\"$1\": *\([0-9.]*\).*/\1/p" | head -1; }

"$bin/snn-run" events emulate --split test --limit 30 -o "$tmp/ev" --json \
  --no-progress >"$tmp/first.json"
[[ $(json written <"$tmp/first.json") == 30 ]] || { cat "$tmp/first.json"; exit 1; }
"$bin/snn-run" events info "$tmp/ev" >"$tmp/info.json"
[[ $(json samples <"$tmp/info.json") == 30 ]] || { cat "$tmp/info.json"; exit 1; }

# Resumable: nothing is written twice.
"$bin/snn-run" events emulate --split test --limit 30 -o "$tmp/ev" --json \
  --no-progress >"$tmp/second.json"
[[ $(json written <"$tmp/second.json") == 0 && $(json kept <"$tmp/second.json") == 30 ]] ||
  { cat "$tmp/second.json"; exit 1; }

# One sample: thousands of events on the 34×34 sensor over 3 × 100 ms.
file=$(find "$tmp/ev/Test" -name '*.bin' | sort | head -1)
"$bin/snn-run" events info "$file" --bins 4 >"$tmp/one.json"
events=$(json events <"$tmp/one.json")
[[ $events -gt 1000 && $(json max_x <"$tmp/one.json") -le 33 &&
  $(json last_us <"$tmp/one.json") -le 300000 ]] || { cat "$tmp/one.json"; exit 1; }

# A truncated file: a clear error, exit status 1.
head -c $((events * 5 - 2)) "$file" >"$tmp/cut.bin"
if "$bin/snn-run" events info "$tmp/cut.bin" 2>"$tmp/err.txt"; then
  echo "a truncated file was accepted"; exit 1
fi
grep -q "truncated event (3 of 5 bytes)" "$tmp/err.txt" || { cat "$tmp/err.txt"; exit 1; }
echo "ok: 30 samples, $events events in the first, resumable, truncation reported"
