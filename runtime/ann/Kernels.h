//===- Kernels.h - ANN kernels on row-major f32 tensors ---------*- C++ -*-===//
//
// Each kernel computes its output shape, checks its inputs, and returns an
// empty string on success or an error message. ONNX semantics throughout.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_ANN_KERNELS_H
#define SNN_MLIR_RUNTIME_ANN_KERNELS_H

#include "runtime/ann/Graph.h"
#include "runtime/tensor/SliceLength.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
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
/// im2col for output rows [oy0, oy1) only: (C·kH·kW)×((oy1 − oy0)·OW).
void im2colRows(const float *x, const ConvGeometry &g, int64_t oy0, int64_t oy1,
                float *cols);
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
/// dst (cols×rows) = srcᵀ (src: rows×cols, row-major), in cache tiles.
void transposeInto(const float *src, int64_t rows, int64_t cols, float *dst);

/// y[0..n) += a·x[0..n); unrolled for the common channel counts.
template <int64_t N>
inline void axpyFixed(float a, const float *__restrict x, float *__restrict y) {
  for (int64_t i = 0; i < N; ++i)
    y[i] += a * x[i];
}
inline void axpy(int64_t n, float a, const float *__restrict x,
                 float *__restrict y) {
  switch (n) {
  case 16:
    return axpyFixed<16>(a, x, y);
  case 32:
    return axpyFixed<32>(a, x, y);
  case 64:
    return axpyFixed<64>(a, x, y);
  case 128:
    return axpyFixed<128>(a, x, y);
  default:
    for (int64_t i = 0; i < n; ++i)
      y[i] += a * x[i];
  }
}

/// Calls f(i, p[i]) for every nonzero p[i], i in [0, n), in order: a bit
/// mask per 64 entries is built without branches, then only the nonzeros
/// are visited (spike tensors are mostly zero and their zeros unpredictable).
template <typename F>
__attribute__((always_inline)) inline void forEachNonZero(const float *p,
                                                          int64_t n, F &&f) {
  for (int64_t i0 = 0; i0 < n; i0 += 64) {
    int64_t m = std::min<int64_t>(64, n - i0);
    uint64_t bits = 0;
    for (int64_t i = 0; i < m; ++i)
      bits |= uint64_t(p[i0 + i] != 0.0f) << i;
    while (bits) {
      int64_t i = i0 + __builtin_ctzll(bits);
      bits &= bits - 1;
      f(i, p[i]);
    }
  }
}

/// [M][C/G][kH][kW] → [G][C/G][kH][kW][M/G].
Tensor transposeConvWeight(const Tensor &w, int64_t group);

/// Event-driven dense layer: out[n] = bias + Σ_{x[n,k] ≠ 0} x[n,k] · wT[k],
/// with `wT` the K×M transpose of the M×K weight: each output starts at its
/// bias (or 0) and the nonzero inputs add multiplyAdd(x, w, out) in
/// ascending k, the order the CPU backend's generated code follows.
std::string denseEvents(const Tensor &x, const Tensor &wT, const Tensor *bias,
                        Tensor &out);

/// a·b + c with one rounding where the runtime is built for FMA hardware
/// (SNN_NATIVE, the default, on such a CPU), else two: the multiply-add of
/// the neuron update and the reference kernels below, which the CPU backend's
/// generated code matches with `fma=true`. Inline for the runtime's vector
/// loops, so it takes the flags of the file that includes it: outside the
/// runtime, ask runtimeUsesFma() instead.
inline float multiplyAdd(float a, float b, float c) {
#ifdef __FMA__
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}
/// Whether the runtime's multiplyAdd rounds once (it was built with FMA).
bool runtimeUsesFma();

/// The reference convolution, in the one documented order of operations
/// that the CPU backend's generated code follows too, so that both give
/// bit-identical currents: every output starts at its bias (or 0) and each
/// nonzero input adds `multiplyAdd(x, w, out)` in ascending (channel, row,
/// column) order. Event-driven, single-threaded per sample. (denseEvents is
/// the dense synapse's reference: bias, then inputs in ascending k.)
std::string conv2dReference(const Tensor &x, const Tensor &w,
                            const Tensor *bias, const Node &n, Tensor &out);

std::string gemm(const Tensor &a, const Tensor &b, const Tensor *c,
                 const Node &n, Tensor &out);
std::string matmul(const Tensor &a, const Tensor &b, Tensor &out);
std::string binary(OpKind kind, const Tensor &a, const Tensor &b, Tensor &out);
std::string unary(const Node &n, const Tensor &x, Tensor &out);
std::string batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                      const Tensor &mean, const Tensor &var, float epsilon,
                      Tensor &out);
std::string pool2d(const Node &n, const Tensor &x, Tensor &out);
/// True when every OH×OW window of a pooling op lies inside the H×W input
/// (no padding reached): average pools then divide by the window size.
bool windowsInside(const Node &n, int64_t H, int64_t W, int64_t OH, int64_t OW);
std::string globalAvgPool(const Tensor &x, Tensor &out);
std::string reshape(const Node &n, const Tensor &x, Tensor &out);
std::string transpose(const std::vector<int64_t> &perm, const Tensor &x,
                      Tensor &out);
std::string concat(int64_t axis, const std::vector<const Tensor *> &in,
                   Tensor &out);
std::string pad(const std::vector<int64_t> &pads, float value, const Tensor &x,
                Tensor &out);
std::string softmax(int64_t axis, const Tensor &x, Tensor &out);
/// out[:, j] = x[:, indices[j]] (dimension 1).
std::string gatherChannels(const std::vector<int64_t> &indices, const Tensor &x,
                           Tensor &out);
/// The adjoint: gx[:, indices[j]] += gy[:, j]; gx has `channels` channels.
std::string scatterChannels(const std::vector<int64_t> &indices,
                            int64_t channels, const Tensor &gy, Tensor &gx);
/// ONNX ReduceMean over `axes`.
std::string reduceMean(const std::vector<int64_t> &axes, bool keepdims,
                       const Tensor &x, Tensor &out);
/// ONNX Slice with the node's starts, ends, axes and steps.
std::string slice(const Node &n, const Tensor &x, Tensor &out);


/// Output size of a sliding window (ONNX/PyTorch ceil-mode rule); -1 when no
/// window fits.
int64_t windowSize(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                   int64_t padEnd, int64_t dilation, bool ceilMode);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_ANN_KERNELS_H
