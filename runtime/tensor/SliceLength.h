//===- SliceLength.h - ONNX Slice's index rules -----------------*- C++ -*-===//
//
// Header-only and dependency-free: the nn dialect's verifier, the ONNX
// importer and the reference executor share it.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TENSOR_SLICELENGTH_H
#define SNN_MLIR_RUNTIME_TENSOR_SLICELENGTH_H

#include <algorithm>
#include <cstdint>

namespace snnrt {

/// Elements ONNX's Slice takes from a dimension of size `dim` from `start`
/// towards `end` (exclusive) in steps of `step` (non-zero): negative indices
/// count from the end, then both are clamped. `first`, when given, gets the
/// first index taken.
inline int64_t sliceLength(int64_t dim, int64_t start, int64_t end,
                           int64_t step, int64_t *first = nullptr) {
  if (start < 0)
    start = start < -dim ? 0 : start + dim;
  if (end < 0)
    end = end < -dim ? -1 : end + dim;
  if (step > 0) {
    start = std::min(std::max<int64_t>(start, 0), dim);
    end = std::min(std::max<int64_t>(end, 0), dim);
    if (first)
      *first = start;
    return end > start ? (end - start + step - 1) / step : 0;
  }
  start = std::min(std::max<int64_t>(start, 0), dim - 1);
  end = std::min(std::max<int64_t>(end, -1), dim - 1);
  if (first)
    *first = start;
  return start > end ? (start - end + (-step) - 1) / (-step) : 0;
}

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TENSOR_SLICELENGTH_H
