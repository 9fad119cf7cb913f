//===- GradKernels.cpp - backward passes of the runtime's kernels ---------===//

#include "runtime/train/GradKernels.h"
#include "runtime/ann/Kernels.h"
#include "runtime/tensor/Parallel.h"

#include <Eigen/Core>

#include <algorithm>

namespace snnrt {

using RowMatrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;

/// Calls body(chunk, begin, end) on a fixed split of [0, n) into at most
/// numThreads() chunks, one thread per chunk; returns the chunk count.
static int64_t forEachChunk(
    int64_t n, const std::function<void(int64_t, int64_t, int64_t)> &body) {
  int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(numThreads(), n));
  int64_t per = (n + chunks - 1) / chunks;
  parallelFor(chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c)
      body(c, c * per, std::min(n, (c + 1) * per));
  });
  return chunks;
}

std::string conv2dBackward(const Tensor &x, const Tensor &w, const Node &n,
                           const Tensor &gy, Tensor *gx, Tensor &gw,
                           Tensor *gb) {
  ConvGeometry geo;
  if (std::string e = convGeometry(x.shape, w.shape, n, geo); !e.empty())
    return e;
  int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = n.group;
  int64_t Mg = M / G, K = geo.C * geo.kH * geo.kW, P = geo.OH * geo.OW;
  if (gy.shape != Shape{N, M, geo.OH, geo.OW})
    return "gradient " + formatShape(gy.shape) + " does not match the output";
  if (gw.shape != w.shape)
    gw = Tensor(w.shape);
  if (gb && gb->size() != M)
    *gb = Tensor({M});
  if (gx)
    *gx = Tensor(x.shape);
  int64_t maxChunks = std::max<int64_t>(1, std::min<int64_t>(numThreads(), N));
  std::vector<RowMatrix> partW(maxChunks);
  std::vector<Eigen::VectorXf> partB(maxChunks);
  int64_t chunks = forEachChunk(N, [&](int64_t c, int64_t b, int64_t e) {
    RowMatrix cols(K, P), colGrad;
    partW[c] = RowMatrix::Zero(M, K);
    partB[c] = Eigen::VectorXf::Zero(M);
    for (int64_t img = b; img < e; ++img)
      for (int64_t g = 0; g < G; ++g) {
        const float *xg = x.ptr() + (img * C + g * geo.C) * geo.H * geo.W;
        im2col(xg, geo, cols.data());
        ConstMatMap gyg(gy.ptr() + (img * M + g * Mg) * P, Mg, P);
        partW[c].middleRows(g * Mg, Mg).noalias() += gyg * cols.transpose();
        if (gb)
          partB[c].segment(g * Mg, Mg) += gyg.rowwise().sum();
        if (gx) {
          ConstMatMap wg(w.ptr() + g * Mg * K, Mg, K);
          colGrad.noalias() = wg.transpose() * gyg;
          col2imAdd(colGrad.data(),
                    geo, gx->ptr() + (img * C + g * geo.C) * geo.H * geo.W);
        }
      }
  });
  MatMap GW(gw.ptr(), M, K);
  for (int64_t c = 0; c < chunks; ++c) {
    GW += partW[c];
    if (gb)
      for (int64_t m = 0; m < M; ++m)
        gb->data[m] += partB[c][m];
  }
  return "";
}

std::string gemmBackward(const Tensor &a, const Tensor &b, const Node &n,
                         const Tensor &gy, Tensor *ga, Tensor &gb, Tensor *gc) {
  if (a.rank() != 2 || b.rank() != 2 || n.transA)
    return "expects 2-D operands and an untransposed A";
  int64_t B = a.dim(0), K = a.dim(1);
  int64_t Nout = n.transB ? b.dim(0) : b.dim(1);
  if (gy.shape != Shape{B, Nout})
    return "gradient " + formatShape(gy.shape) + " does not match the output";
  ConstMatMap A(a.ptr(), B, K), Bm(b.ptr(), b.dim(0), b.dim(1)),
      GY(gy.ptr(), B, Nout);
  if (gb.shape != b.shape)
    gb = Tensor(b.shape);
  // ∂L/∂b, split over its rows (each row is computed by one thread).
  int64_t rows = b.dim(0);
  parallelFor(rows, 16, [&](int64_t s, int64_t e) {
    MatMap G(gb.ptr() + s * b.dim(1), e - s, b.dim(1));
    if (n.transB) // b: Nout×K, ∂b = α·gyᵀ·a
      G.noalias() += n.alpha * GY.transpose().middleRows(s, e - s) * A;
    else // b: K×Nout, ∂b = α·aᵀ·gy
      G.noalias() += n.alpha * A.transpose().middleRows(s, e - s) * GY;
  });
  if (ga) {
    *ga = Tensor(a.shape);
    parallelFor(B, 64, [&](int64_t s, int64_t e) {
      MatMap G(ga->ptr() + s * K, e - s, K);
      if (n.transB)
        G.noalias() = n.alpha * GY.middleRows(s, e - s) * Bm;
      else
        G.noalias() = n.alpha * GY.middleRows(s, e - s) * Bm.transpose();
    });
  }
  if (gc) {
    // c broadcasts to B×Nout: reduce over the broadcast dimensions.
    int64_t cr = gc->rank() == 2 ? gc->dim(0) : 1;
    int64_t cc = gc->rank() >= 1 ? gc->shape.back() : 1;
    if ((cr != 1 && cr != B) || (cc != 1 && cc != Nout))
      return "bias " + formatShape(gc->shape) + " does not match the output";
    for (int64_t i = 0; i < B; ++i)
      for (int64_t j = 0; j < Nout; ++j)
        gc->data[(cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j)] +=
            n.beta * gy.data[i * Nout + j];
  }
  return "";
}

std::string avgPoolBackward(const Node &n, const Shape &xShape,
                            const Tensor &gy, Tensor &gx) {
  if (xShape.size() != 4 || gy.rank() != 4)
    return "expects 4-D tensors";
  int64_t N = xShape[0], C = xShape[1], H = xShape[2], W = xShape[3];
  int64_t OH = gy.dim(2), OW = gy.dim(3);
  int64_t kH = n.kernel[0], kW = n.kernel[1], sH = n.strides[0],
          sW = n.strides[1];
  int64_t pT = n.pads[0], pL = n.pads[1], pB = n.pads[2], pR = n.pads[3];
  if (gy.dim(0) != N || gy.dim(1) != C)
    return "gradient " + formatShape(gy.shape) + " does not match the output";
  gx = Tensor(xShape);
  parallelFor(N * C, 4, [&](int64_t s, int64_t e) {
    for (int64_t nc = s; nc < e; ++nc) {
      float *g = gx.ptr() + nc * H * W;
      const float *o = gy.ptr() + nc * OH * OW;
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          // The divisor of the forward pass (see pool2d).
          int64_t inside = 0, padded = 0;
          for (int64_t ki = 0; ki < kH; ++ki)
            for (int64_t kj = 0; kj < kW; ++kj) {
              int64_t iy = oy * sH + ki - pT, ix = ox * sW + kj - pL;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                padded += iy >= -pT && iy < H + pB && ix >= -pL && ix < W + pR;
              else
                ++inside;
            }
          int64_t div = n.countIncludePad ? inside + padded : inside;
          if (div == 0)
            continue;
          float share = o[oy * OW + ox] / float(div);
          for (int64_t ki = 0; ki < kH; ++ki)
            for (int64_t kj = 0; kj < kW; ++kj) {
              int64_t iy = oy * sH + ki - pT, ix = ox * sW + kj - pL;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                g[iy * W + ix] += share;
            }
        }
    }
  });
  return "";
}

} // namespace snnrt
