#!/usr/bin/env bash
# The data specification and `snn-run infer` from the command line, on real
# data: Fashion-MNIST's test split rewritten as .npy arrays (by shell, from
# the IDX files) must give exactly the accuracy of the IDX folder, with the
# ANN and with a converted SNN; `infer` writes outputs of the right shape and
# refuses bad tensors with clear messages.
# usage: image-data.sh BIN_DIR MODELS_DIR
set -euo pipefail
bin=$1 models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fm=/usr/share/datasets/fashion-mnist
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# npy_header DESCR SHAPE: an .npy version 1.0 header, padded to 64 bytes.
npy_header() {
  local dict="{'descr': '$1', 'fortran_order': False, 'shape': ($2), }"
  local len=$(((10 + ${#dict} + 1 + 63) / 64 * 64 - 10))
  printf '\x93NUMPY\x01\x00'
  printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))"
  printf '%s' "$dict"
  printf '%*s' $((len - ${#dict} - 1)) ''
  printf '\n'
}

# Fashion-MNIST's test split as uint8 N×H×W images and uint8 labels.
{ npy_header '|u1' '10000, 28, 28'; gzip -dc "$fm/t10k-images-idx3-ubyte.gz" |
  tail -c +17; } >"$tmp/images.npy"
{ npy_header '|u1' '10000,'; gzip -dc "$fm/t10k-labels-idx1-ubyte.gz" |
  tail -c +9; } >"$tmp/labels.npy"

accuracy() { sed -n 's/.*"accuracy": \([0-9.]*\).*/\1/p' | head -1; }
ann_idx=$("$bin/snn-run" eval "$models/cnn_maxpool.onnx" --limit 2000 --json |
  accuracy)
ann_npy=$("$bin/snn-run" eval "$models/cnn_maxpool.onnx" --limit 2000 --json \
  --data "npy:$tmp/images.npy,$tmp/labels.npy" | accuracy)
[[ "$ann_idx" == "$ann_npy" ]] || fail "ANN: IDX $ann_idx % vs npy $ann_npy %"
echo "ANN accuracy on 2000 images: IDX $ann_idx %, npy $ann_npy %"

# Converted with calibration images from the npy arrays.
"$bin/snn-translate" --import-onnx "$models/cnn_maxpool.onnx" |
  "$bin/snn-opt" --snn-rate-pipeline="timesteps=16 encoding=direct samples=128 data=npy:$tmp/images.npy,$tmp/labels.npy" \
  -o "$tmp/snn.mlir"
snn_idx=$("$bin/snn-run" eval "$tmp/snn.mlir" --limit 300 --json | accuracy)
snn_npy=$("$bin/snn-run" eval "$tmp/snn.mlir" --limit 300 --json \
  --data "npy:$tmp/images.npy,$tmp/labels.npy" | accuracy)
[[ "$snn_idx" == "$snn_npy" ]] || fail "SNN: IDX $snn_idx % vs npy $snn_npy %"
echo "SNN accuracy on 300 images: IDX $snn_idx %, npy $snn_npy %"

# An RGB network's preprocessing refuses a mismatch with both shapes named.
out=$("$bin/snn-run" eval "$models/cnn_maxpool.onnx" --resize 40 --crop 32 \
  --data "npy:$tmp/images.npy,$tmp/labels.npy" 2>&1) && fail "crop 32 accepted"
grep -q "does not take the data's 32×32 images after resizing" <<<"$out" ||
  fail "crop mismatch: $out"

# infer: two images (float32 N×C×H×W) through the ANN and the SNN.
{ npy_header '<f4' '2, 1, 28, 28'; head -c $((2 * 784 * 4)) /dev/zero; } \
  >"$tmp/x.npy"
"$bin/snn-run" infer "$models/cnn_maxpool.onnx" -i "$tmp/x.npy" \
  -o "$tmp/y.npy" --stats 2>"$tmp/stats"
grep -q "output 0: \[2, 10\]" "$tmp/stats" || fail "ANN infer: $(cat "$tmp/stats")"
head -c 128 "$tmp/y.npy" | grep -aq "'shape': (2, 10)" || fail "y.npy header"
[[ $(stat -c %s "$tmp/y.npy") == $((128 + 80)) ]] || fail "y.npy size"
"$bin/snn-run" infer "$tmp/snn.mlir" -i "$tmp/x.npy" -o "$tmp/s.npy" \
  --timesteps 4 --stats 2>"$tmp/stats"
grep -q "output 0: \[2, 10\]" "$tmp/stats" || fail "SNN infer: $(cat "$tmp/stats")"

# Bad tensors: wrong shape, unsupported dtype, output over the input.
{ npy_header '<f4' '2, 1, 32, 32'; head -c $((2 * 1024 * 4)) /dev/zero; } \
  >"$tmp/big.npy"
out=$("$bin/snn-run" infer "$models/cnn_maxpool.onnx" -i "$tmp/big.npy" \
  -o "$tmp/z.npy" 2>&1) && fail "wrong shape accepted"
grep -q "32" <<<"$out" && grep -q "28" <<<"$out" || fail "shape message: $out"
[[ ! -e "$tmp/z.npy" ]] || fail "an output was written after an error"
{ npy_header '<c8' '2, 1, 28, 28'; head -c $((2 * 784 * 8)) /dev/zero; } \
  >"$tmp/complex.npy"
out=$("$bin/snn-run" infer "$models/cnn_maxpool.onnx" -i "$tmp/complex.npy" \
  -o "$tmp/z.npy" 2>&1) && fail "complex accepted"
grep -q "unsupported NumPy dtype '<c8'" <<<"$out" || fail "dtype message: $out"
cp "$tmp/x.npy" "$tmp/keep.npy"
out=$("$bin/snn-run" infer "$models/cnn_maxpool.onnx" -i "$tmp/x.npy" \
  -o "$tmp/x.npy" 2>&1) && fail "output over the input accepted"
grep -q "is also an input" <<<"$out" || fail "same-file message: $out"
cmp -s "$tmp/x.npy" "$tmp/keep.npy" || fail "the input was changed"
echo "image-data: all checks passed"
