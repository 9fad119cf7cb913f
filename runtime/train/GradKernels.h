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
#include <vector>

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

/// Batch normalization over channel dimension 1 of x (R×C×…): every channel
/// is standardized with its mean and variance over the R rows and the
/// spatial positions, then scaled by γ and shifted by β.
struct BatchNormBatch {
  std::vector<float> mean, variance; // biased, over the batch
  std::vector<float> invStd;         // 1/√(variance + ε)
};
/// Training form: the batch's statistics into `stats`, `xhat` = the
/// standardized input (kept for the backward pass), x ← γ·x̂ + β in place.
std::string batchNormTrain(Tensor &x, const std::vector<float> &gamma,
                           const std::vector<float> &beta, float epsilon,
                           BatchNormBatch &stats, Tensor &xhat);
/// Inference form with given statistics: x ← γ·(x − μ)/√(σ² + ε) + β.
std::string batchNormApply(Tensor &x, const std::vector<float> &gamma,
                           const std::vector<float> &beta,
                           const std::vector<float> &mean,
                           const std::vector<float> &variance, float epsilon);
/// Backward of batch-norm: gy ← ∂L/∂x in place, ∂L/∂γ and ∂L/∂β added to
/// `gGamma` and `gBeta`. `throughStatistics`: the statistics were the
/// batch's own (batchNormTrain), so the gradient also flows through them;
/// else they were fixed (running statistics) and the map is affine.
void batchNormBackward(Tensor &gy, const Tensor &xhat,
                       const std::vector<float> &gamma,
                       const BatchNormBatch &stats, float *gGamma, float *gBeta,
                       bool throughStatistics = true);

/// y = avgpool(x): writes ∂L/∂x (shaped `xShape`) from gy.
std::string avgPoolBackward(const Node &n, const Shape &xShape,
                            const Tensor &gy, Tensor &gx);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TRAIN_GRADKERNELS_H
