//===- Kernels.h - ANN kernels on row-major f32 tensors ---------*- C++ -*-===//
//
// Each kernel computes its output shape, checks its inputs, and returns an
// empty string on success or an error message. ONNX semantics throughout.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_ANN_KERNELS_H
#define SNN_MLIR_RUNTIME_ANN_KERNELS_H

#include "runtime/ann/Graph.h"

#include <string>

namespace snnrt {

/// One image (and group) of a convolution: C input channels of H×W, a
/// kH×kW kernel, strides, dilations, top/left padding, OH×OW outputs.
struct ConvGeometry {
  int64_t C, H, W, kH, kW, sH, sW, dH, dW, pT, pL, OH, OW;
};
/// Checks a convolution of input `x` with weight `w` and fills `g` for one
/// group; returns an error message or an empty string.
std::string convGeometry(const Shape &x, const Shape &w, const Node &n,
                         ConvGeometry &g);
/// Unfolds `x` (C×H×W) into `cols`, (C·kH·kW)×(OH·OW), zero in the padding.
void im2col(const float *x, const ConvGeometry &g, float *cols);
/// The adjoint of im2col: adds every column entry back into `x`.
void col2imAdd(const float *cols, const ConvGeometry &g, float *x);

std::string conv2d(const Tensor &x, const Tensor &w, const Tensor *bias,
                   const Node &n, Tensor &out);
/// Event-driven convolution for sparse inputs (spikes): every nonzero input
/// element adds its weighted kernel to the outputs it reaches. `wT` is the
/// weight as [G][C/G][kH][kW][M/G] (see transposeConvWeight); same result as
/// conv2d up to float summation order.
std::string conv2dEvents(const Tensor &x, const Tensor &wT,
                         const Shape &weightShape, const Tensor *bias,
                         const Node &n, Tensor &out);
/// [M][C/G][kH][kW] → [G][C/G][kH][kW][M/G].
Tensor transposeConvWeight(const Tensor &w, int64_t group);

/// Event-driven dense layer: out[n] = bias + Σ_{x[n,k] ≠ 0} x[n,k] · wT[k],
/// with `wT` the K×M transpose of the M×K weight.
std::string denseEvents(const Tensor &x, const Tensor &wT, const Tensor *bias,
                        Tensor &out);

std::string gemm(const Tensor &a, const Tensor &b, const Tensor *c,
                 const Node &n, Tensor &out);
std::string matmul(const Tensor &a, const Tensor &b, Tensor &out);
std::string binary(OpKind kind, const Tensor &a, const Tensor &b, Tensor &out);
std::string unary(const Node &n, const Tensor &x, Tensor &out);
std::string batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                      const Tensor &mean, const Tensor &var, float epsilon,
                      Tensor &out);
std::string pool2d(const Node &n, const Tensor &x, Tensor &out);
std::string globalAvgPool(const Tensor &x, Tensor &out);
std::string reshape(const Node &n, const Tensor &x, Tensor &out);
std::string transpose(const std::vector<int64_t> &perm, const Tensor &x,
                      Tensor &out);
std::string concat(int64_t axis, const std::vector<const Tensor *> &in,
                   Tensor &out);
std::string pad(const std::vector<int64_t> &pads, float value, const Tensor &x,
                Tensor &out);
std::string softmax(int64_t axis, const Tensor &x, Tensor &out);

/// Output size of a sliding window (ONNX/PyTorch ceil-mode rule); -1 when no
/// window fits.
int64_t windowSize(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                   int64_t padEnd, int64_t dilation, bool ceilMode);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_ANN_KERNELS_H
