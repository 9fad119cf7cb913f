//===- GradKernels.h - backward passes of the runtime's kernels -*- C++ -*-===//
//
// Gradients of conv2d, gemm (dense) and average pooling with the semantics of
// runtime/ann/Kernels.h. Parameter gradients are *added* to their buffers so
// that callers can accumulate over time steps and batches. Reductions over
// images use a fixed split into per-thread partial sums, summed in order:
// the result is the same on every run with the same thread count.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TRAIN_GRADKERNELS_H
#define SNN_MLIR_RUNTIME_TRAIN_GRADKERNELS_H

#include "runtime/ann/Graph.h"

#include <string>

namespace snnrt {

/// y = conv2d(x, w, b): given gy (N×M×OH×OW), adds ∂L/∂w to `gw` (shaped
/// like w) and ∂L/∂b to `gb`, and writes ∂L/∂x to `gx`, each when given.
/// `sparseX`: compute ∂L/∂w from the nonzero inputs only (event-driven, for
/// spike inputs), the same result up to summation order.
std::string conv2dBackward(const Tensor &x, const Tensor &w, const Node &n,
                           const Tensor &gy, Tensor *gx, Tensor *gw, Tensor *gb,
                           bool sparseX = false);

/// y = alpha·a·op(b) + beta·c (a is not transposed; op(b) = bᵀ with
/// transB): adds ∂L/∂b to `gb` and beta·Σ gy (reduced to c's shape) to `gc`,
/// and writes ∂L/∂a to `ga`, each when given. `sparseA`: ∂L/∂b from the
/// nonzero entries of a only (event-driven).
std::string gemmBackward(const Tensor &a, const Tensor &b, const Node &n,
                         const Tensor &gy, Tensor *ga, Tensor *gb, Tensor *gc,
                         bool sparseA = false);

/// y = avgpool(x): writes ∂L/∂x (shaped `xShape`) from gy.
std::string avgPoolBackward(const Node &n, const Shape &xShape,
                            const Tensor &gy, Tensor &gx);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TRAIN_GRADKERNELS_H
