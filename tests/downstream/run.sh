#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, builds the downstream project
# against it with find_package(SNNMLIR), and runs one of our passes through it.
# usage: run.sh BUILD_DIR DOWNSTREAM_SRC MLIR_DIR
set -euo pipefail
build=$1 src=$2 mlir_dir=$3
work="$build/downstream-test"
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/lib/cmake/SNNMLIR/SNNMLIRConfig.cmake"
test -f "$work/prefix/include/snn-mlir/dialect/SNN/SNNOps.h.inc"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -G Ninja -S "$src" -B "$work/build" "${launcher[@]}" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DMLIR_DIR="$mlir_dir" >/dev/null
cmake --build "$work/build" >/dev/null

cat >"$work/net.mlir" <<'MLIR'
func.func @net(%x: tensor<?x16xf32>, %w: tensor<4x16xf32>) -> tensor<?x4xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %s = snn.encode_poisson %x {seed = 1 : i64} : tensor<?x16xf32> -> !snn.spikes<?x16>
  %i = snn.dense %s, %w : !snn.spikes<?x16>, tensor<4x16xf32> -> !snn.current<?x4>
  %o = snn.accumulate %i : !snn.current<?x4> -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}
MLIR
out=$("$work/build/downstream-opt" "$work/net.mlir")
echo "$out"
grep -q "snn-report @net: discrete time, T = 8" <<<"$out"
grep -q "total: 16 neurons, 64 synapses, 64 parameters per sample" <<<"$out"
echo "downstream find_package(SNNMLIR): OK"
