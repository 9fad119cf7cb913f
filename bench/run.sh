#!/usr/bin/env bash
# Runs the benchmarks and writes their results under bench/results/.
#   bench/run.sh            all benchmarks
# Import of a 10 MB ONNX model: bench/results/import-onnx.json
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" --target import-onnx-bench
mkdir -p bench/results
"$BUILD_DIR/bin/import-onnx-bench" --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true \
  --benchmark_out=bench/results/import-onnx.json --benchmark_out_format=json
