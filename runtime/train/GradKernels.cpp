//===- GradKernels.cpp - backward passes of the runtime's kernels ---------===//

#include "runtime/train/GradKernels.h"
#include "runtime/ann/Kernels.h"
#include "runtime/tensor/Parallel.h"
#include "runtime/tensor/Vec16.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>

namespace snnrt {

using RowMatrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;

namespace {

/// Event-driven ∂L/∂w of one input plane of a 3×3, stride-1, undilated
/// convolution for a block of 16·NB output channels:
///   acc[ky][kx][m] += Σ_{x[y][xx] ≠ 0} x[y][xx] ·
///                     gy[y + pT − ky][xx + pL − kx][m]
/// with gy channel-last and zero-bordered (`padded`: row y + 2 − ky, column
/// xx + 2 − kx, `rowStride` floats per position). The 9·NB accumulators stay
/// in registers for the whole plane.
template <int NB>
__attribute__((noinline)) void
weightGradPlane3x3(const float *plane, int64_t H, int64_t W,
                   const float *padded, int64_t Wp, int64_t rowStride,
                   float *acc) {
  Vec16 a[9][NB];
  for (int k = 0; k < 9; ++k)
    for (int j = 0; j < NB; ++j)
      a[k][j] = Vec16{};
  for (int64_t y = 0; y < H; ++y)
    forEachNonZero(plane + y * W, W, [&](int64_t xx, float v) {
      Vec16 vv = Vec16{} + v;
      const float *base = padded + ((y + 2) * Wp + xx + 2) * rowStride;
#pragma GCC unroll 9
      for (int k = 0; k < 9; ++k) {
        const float *q = base - ((k / 3) * Wp + k % 3) * rowStride;
#pragma GCC unroll 4
        for (int j = 0; j < NB; ++j)
          a[k][j] += vv * loadVec16(q + 16 * j);
      }
    });
  for (int k = 0; k < 9; ++k)
    for (int j = 0; j < NB; ++j)
      storeVec16(acc + k * rowStride + 16 * j,
                 loadVec16(acc + k * rowStride + 16 * j) + a[k][j]);
}

} // namespace

std::string conv2dBackward(const Tensor &x, const Tensor &w, const Node &n,
                           const Tensor &gy, Tensor *gx, Tensor *gw, Tensor *gb,
                           bool sparseX) {
  ConvGeometry geo;
  if (std::string e = convGeometry(x.shape, w.shape, n, geo); !e.empty())
    return e;
  int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = n.group;
  int64_t Mg = M / G, K = geo.C * geo.kH * geo.kW, P = geo.OH * geo.OW;
  int64_t kH = geo.kH, kW = geo.kW, H = geo.H, W = geo.W;
  if (gy.shape != Shape{N, M, geo.OH, geo.OW})
    return "gradient " + formatShape(gy.shape) + " does not match the output";
  if (gw && gw->shape != w.shape)
    *gw = Tensor(w.shape);
  if (gb && gb->size() != M)
    *gb = Tensor({M});
  // ∂L/∂x of a stride-1, undilated, ungrouped convolution is itself a
  // convolution of gy with the flipped, transposed kernel (padding k−1−p):
  // im2col + GEMM instead of GEMM + a scattering col2im.
  bool transposedConv = gx && G == 1 && geo.sH == 1 && geo.sW == 1 &&
                        geo.dH == 1 && geo.dW == 1 && geo.pT < kH &&
                        geo.pL < kW && n.pads[2] < kH && n.pads[3] < kW;
  if (transposedConv) {
    Tensor flipped({C, M, kH, kW});
    for (int64_t m = 0; m < M; ++m)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < kH; ++i)
          for (int64_t j = 0; j < kW; ++j)
            flipped.data[((c * M + m) * kH + kH - 1 - i) * kW + kW - 1 - j] =
                w.data[((m * C + c) * kH + i) * kW + j];
    Node t = n;
    t.pads = {kH - 1 - geo.pT, kW - 1 - geo.pL, kH - 1 - n.pads[2],
              kW - 1 - n.pads[3]};
    if (std::string e = conv2d(gy, flipped, nullptr, t, *gx); !e.empty())
      return "transposed convolution: " + e;
    if (gx->shape != x.shape)
      return "transposed convolution gave " + formatShape(gx->shape) +
             " for input " + formatShape(x.shape);
    gx = nullptr; // done
  } else if (gx) {
    *gx = Tensor(x.shape);
  }
  if (!gw && !gb && !gx)
    return "";
  int64_t chunks = chunkCount(N);
  // Event-driven 3×3 stride-1 weight gradient with register accumulators:
  // output channels in blocks of 16 and 32; gy positions that the padding
  // leaves out of reach read zeros from the border.
  bool blocked3x3 = sparseX && kH == 3 && kW == 3 && geo.sH == 1 &&
                    geo.sW == 1 && geo.dH == 1 && geo.dW == 1 && Mg % 16 == 0 &&
                    geo.pT <= 2 && geo.pL <= 2;
  // Dense: ∂w as [M][K]. Sparse: [G][C/G][kH][kW][M/G], every nonzero input
  // adding x·gy[:, output it reaches] (gy transposed to [P][M/G]).
  std::vector<RowMatrix> partW(chunks);
  std::vector<Eigen::VectorXf> partB(chunks);
  parallelChunks(N, [&](int64_t c, int64_t b, int64_t e) {
    RowMatrix cols, colGrad, gyT;
    FloatBuffer padded;
    if (gw) {
      partW[c] = sparseX ? RowMatrix::Zero(G * K, Mg) : RowMatrix::Zero(M, K);
      if (blocked3x3)
        padded.assign(size_t((H + 2) * (W + 2) * Mg), 0.0f);
      else if (sparseX)
        gyT.resize(P, Mg);
      else
        cols.resize(K, P);
    }
    partB[c] = Eigen::VectorXf::Zero(M);
    for (int64_t img = b; img < e; ++img)
      for (int64_t g = 0; g < G; ++g) {
        const float *xg = x.ptr() + (img * C + g * geo.C) * H * W;
        ConstMatMap gyg(gy.ptr() + (img * M + g * Mg) * P, Mg, P);
        if (gw && !sparseX) {
          im2col(xg, geo, cols.data());
          partW[c].middleRows(g * Mg, Mg).noalias() += gyg * cols.transpose();
        } else if (gw && blocked3x3) {
          // gy channel-last into the interior of the zero-bordered buffer:
          // output (ty, tx) at row ty + 2 − pT, column tx + 2 − pL.
          int64_t Wp = W + 2;
          for (int64_t ty = 0; ty < geo.OH; ++ty) {
            int64_t r = ty + 2 - geo.pT;
            if (r < 0 || r >= H + 2)
              continue;
            for (int64_t tx = 0; tx < geo.OW; ++tx) {
              int64_t col = tx + 2 - geo.pL;
              if (col < 0 || col >= Wp)
                continue;
              float *dst = padded.data() + (r * Wp + col) * Mg;
              const float *src = gyg.data() + ty * geo.OW + tx;
              for (int64_t m = 0; m < Mg; ++m)
                dst[m] = src[m * P];
            }
          }
          float *acc = partW[c].data() + g * K * Mg;
          for (int64_t ci = 0; ci < geo.C; ++ci)
            for (int64_t m0 = 0; m0 < Mg; m0 += 32) {
              const float *plane = xg + ci * H * W;
              float *out = acc + ci * 9 * Mg + m0;
              if (Mg - m0 >= 32)
                weightGradPlane3x3<2>(plane, H, W, padded.data() + m0, Wp, Mg,
                                      out);
              else
                weightGradPlane3x3<1>(plane, H, W, padded.data() + m0, Wp, Mg,
                                      out);
            }
        } else if (gw) {
          transposeInto(gyg.data(), Mg, P, gyT.data());
          float *acc = partW[c].data() + g * K * Mg;
          for (int64_t ci = 0; ci < geo.C; ++ci)
            for (int64_t y = 0; y < H; ++y)
              forEachNonZero(
                  xg + (ci * H + y) * W, W, [&](int64_t xx, float v) {
                    for (int64_t ky = 0; ky < kH; ++ky) {
                      int64_t ty = y + geo.pT - ky * geo.dH;
                      if (ty < 0 || ty % geo.sH != 0 || ty / geo.sH >= geo.OH)
                        continue;
                      for (int64_t kx = 0; kx < kW; ++kx) {
                        int64_t tx = xx + geo.pL - kx * geo.dW;
                        if (tx < 0 || tx % geo.sW != 0 || tx / geo.sW >= geo.OW)
                          continue;
                        axpy(Mg, v,
                             gyT.data() +
                                 ((ty / geo.sH) * geo.OW + tx / geo.sW) * Mg,
                             acc + ((ci * kH + ky) * kW + kx) * Mg);
                      }
                    }
                  });
        }
        if (gb)
          for (int64_t m = 0; m < Mg; ++m) {
            const float *row = gyg.data() + m * P;
            float sum = 0.0f;
            for (int64_t p = 0; p < P; ++p)
              sum += row[p];
            partB[c][g * Mg + m] += sum;
          }
        if (gx) {
          ConstMatMap wg(w.ptr() + g * Mg * K, Mg, K);
          colGrad.noalias() = wg.transpose() * gyg;
          col2imAdd(colGrad.data(), geo,
                    gx->ptr() + (img * C + g * geo.C) * H * W);
        }
      }
  });
  for (int64_t c = 0; c < chunks; ++c) {
    if (gw && !sparseX)
      MatMap(gw->ptr(), M, K) += partW[c];
    else if (gw)
      for (int64_t g = 0; g < G; ++g)
        for (int64_t k = 0; k < K; ++k)
          for (int64_t m = 0; m < Mg; ++m)
            gw->data[(g * Mg + m) * K + k] += partW[c](g * K + k, m);
    if (gb)
      for (int64_t m = 0; m < M; ++m)
        gb->data[m] += partB[c][m];
  }
  return "";
}

std::string gemmBackward(const Tensor &a, const Tensor &b, const Node &n,
                         const Tensor &gy, Tensor *ga, Tensor *gbp, Tensor *gc,
                         bool sparseA) {
  if (a.rank() != 2 || b.rank() != 2 || n.transA)
    return "expects 2-D operands and an untransposed A";
  int64_t B = a.dim(0), K = a.dim(1);
  int64_t Nout = n.transB ? b.dim(0) : b.dim(1);
  if (gy.shape != Shape{B, Nout})
    return "gradient " + formatShape(gy.shape) + " does not match the output";
  ConstMatMap A(a.ptr(), B, K), Bm(b.ptr(), b.dim(0), b.dim(1)),
      GY(gy.ptr(), B, Nout);
  if (gbp && gbp->shape != b.shape)
    *gbp = Tensor(b.shape);
  if (gbp && !sparseA) {
    Tensor &gb = *gbp;
    // ∂L/∂b, split over its rows (each row is computed by one thread).
    int64_t rows = b.dim(0);
    parallelFor(rows, 16, [&](int64_t s, int64_t e) {
      MatMap G(gb.ptr() + s * b.dim(1), e - s, b.dim(1));
      if (n.transB) // b: Nout×K, ∂b = α·gyᵀ·a
        G.noalias() += n.alpha * GY.transpose().middleRows(s, e - s) * A;
      else // b: K×Nout, ∂b = α·aᵀ·gy
        G.noalias() += n.alpha * A.transpose().middleRows(s, e - s) * GY;
    });
  } else if (gbp) {
    // Sparse a (spikes): row k of ∂b as K×Nout gets α·a[i,k]·gy[i] for every
    // nonzero a[i,k]; inputs k are split over threads.
    Tensor &gb = *gbp;
    parallelFor(K, 16, [&](int64_t s, int64_t e) {
      RowMatrix acc = RowMatrix::Zero(e - s, Nout);
      for (int64_t i = 0; i < B; ++i) {
        const float *arow = a.ptr() + i * K;
        const float *__restrict g = gy.ptr() + i * Nout;
        for (int64_t k = s; k < e; ++k) {
          float v = arow[k];
          if (v == 0.0f)
            continue;
          float *__restrict dst = acc.data() + (k - s) * Nout;
          for (int64_t j = 0; j < Nout; ++j)
            dst[j] += v * g[j];
        }
      }
      for (int64_t k = s; k < e; ++k)
        for (int64_t j = 0; j < Nout; ++j) {
          float v = n.alpha * acc(k - s, j);
          if (n.transB)
            gb.data[j * K + k] += v;
          else
            gb.data[k * Nout + j] += v;
        }
    });
  }
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
  if (windowsInside(n, H, W, OH, OW)) {
    float inv = 1.0f / float(kH * kW);
    parallelFor(N * C, 4, [&](int64_t s, int64_t e) {
      for (int64_t nc = s; nc < e; ++nc) {
        float *g = gx.ptr() + nc * H * W;
        const float *o = gy.ptr() + nc * OH * OW;
        if (kH == 2 && kW == 2 && sH == 2 && sW == 2) {
          for (int64_t oy = 0; oy < OH; ++oy) {
            float *r0 = g + 2 * oy * W, *r1 = r0 + W;
            for (int64_t ox = 0; ox < OW; ++ox) {
              float share = o[oy * OW + ox] * inv;
              r0[2 * ox] += share;
              r0[2 * ox + 1] += share;
              r1[2 * ox] += share;
              r1[2 * ox + 1] += share;
            }
          }
          continue;
        }
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            float share = o[oy * OW + ox] * inv;
            float *w = g + oy * sH * W + ox * sW;
            for (int64_t ki = 0; ki < kH; ++ki)
              for (int64_t kj = 0; kj < kW; ++kj)
                w[ki * W + kj] += share;
          }
      }
    });
    return "";
  }
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

//===----------------------------------------------------------------------===//
// Batch normalization
//===----------------------------------------------------------------------===//

namespace {

/// Rows R, channels C and positions per channel row of x (R×C×…), or an
/// error when the channel dimension does not match `channels`.
std::string channelLayout(const Tensor &x, size_t channels, int64_t &R,
                          int64_t &C, int64_t &inner) {
  if (x.rank() < 2 || x.dim(1) != int64_t(channels))
    return "batch-norm over " + std::to_string(channels) +
           " channels does not fit a value of shape " + formatShape(x.shape);
  R = x.dim(0);
  C = x.dim(1);
  inner = R * C > 0 ? x.size() / (R * C) : 0;
  return "";
}

} // namespace

std::string batchNormTrain(Tensor &x, const std::vector<float> &gamma,
                           const std::vector<float> &beta, float epsilon,
                           BatchNormBatch &stats, Tensor &xhat) {
  int64_t R, C, inner;
  if (std::string e = channelLayout(x, gamma.size(), R, C, inner); !e.empty())
    return e;
  stats.mean.assign(size_t(C), 0.0f);
  stats.variance.assign(size_t(C), 0.0f);
  stats.invStd.assign(size_t(C), 0.0f);
  double M = double(R * inner);
  // Per channel, in double: the sums run over up to T·N·H·W elements.
  parallelFor(C, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      double sum = 0, sq = 0;
      for (int64_t r = 0; r < R; ++r) {
        const float *p = x.ptr() + (r * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          sum += p[i];
          sq += double(p[i]) * p[i];
        }
      }
      double mean = M > 0 ? sum / M : 0.0;
      double var = M > 0 ? std::max(0.0, sq / M - mean * mean) : 0.0;
      stats.mean[size_t(c)] = float(mean);
      stats.variance[size_t(c)] = float(var);
      stats.invStd[size_t(c)] = float(1.0 / std::sqrt(var + double(epsilon)));
    }
  });
  xhat = Tensor::uninitialized(x.shape);
  parallelFor(R * C, 16, [&](int64_t b, int64_t e) {
    for (int64_t rc = b; rc < e; ++rc) {
      size_t c = size_t(rc % C);
      float mu = stats.mean[c], inv = stats.invStd[c];
      float g = gamma[c], sh = beta[c];
      float *p = x.ptr() + rc * inner, *h = xhat.ptr() + rc * inner;
      for (int64_t i = 0; i < inner; ++i) {
        h[i] = (p[i] - mu) * inv;
        p[i] = g * h[i] + sh;
      }
    }
  });
  return "";
}

std::string batchNormApply(Tensor &x, const std::vector<float> &gamma,
                           const std::vector<float> &beta,
                           const std::vector<float> &mean,
                           const std::vector<float> &variance, float epsilon) {
  int64_t R, C, inner;
  if (std::string e = channelLayout(x, gamma.size(), R, C, inner); !e.empty())
    return e;
  parallelFor(R * C, 16, [&](int64_t b, int64_t e) {
    for (int64_t rc = b; rc < e; ++rc) {
      size_t c = size_t(rc % C);
      float scale = gamma[c] / std::sqrt(variance[c] + epsilon);
      float shift = beta[c] - mean[c] * scale;
      float *p = x.ptr() + rc * inner;
      for (int64_t i = 0; i < inner; ++i)
        p[i] = p[i] * scale + shift;
    }
  });
  return "";
}

void batchNormBackward(Tensor &gy, const Tensor &xhat,
                       const std::vector<float> &gamma,
                       const BatchNormBatch &stats, float *gGamma, float *gBeta,
                       bool throughStatistics) {
  int64_t R = xhat.dim(0), C = xhat.dim(1);
  int64_t inner = R * C > 0 ? xhat.size() / (R * C) : 0;
  double M = double(R * inner);
  std::vector<double> sumG(static_cast<size_t>(C)),
      sumGX(static_cast<size_t>(C));
  parallelFor(C, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      double sg = 0, sgx = 0;
      for (int64_t r = 0; r < R; ++r) {
        const float *g = gy.ptr() + (r * C + c) * inner;
        const float *h = xhat.ptr() + (r * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          sg += g[i];
          sgx += double(g[i]) * h[i];
        }
      }
      sumG[size_t(c)] = sg;
      sumGX[size_t(c)] = sgx;
    }
  });
  for (int64_t c = 0; c < C; ++c) {
    gBeta[c] += float(sumG[size_t(c)]);
    gGamma[c] += float(sumGX[size_t(c)]);
  }
  // ∂L/∂x = γ/σ·(g − mean(g) − x̂·mean(g·x̂)); fixed statistics: γ/σ·g.
  parallelFor(R * C, 16, [&](int64_t b, int64_t e) {
    for (int64_t rc = b; rc < e; ++rc) {
      size_t c = size_t(rc % C);
      float k = gamma[c] * stats.invStd[c];
      float mg = throughStatistics ? float(sumG[c] / M) : 0.0f;
      float mgx = throughStatistics ? float(sumGX[c] / M) : 0.0f;
      float *g = gy.ptr() + rc * inner;
      const float *h = xhat.ptr() + rc * inner;
      for (int64_t i = 0; i < inner; ++i)
        g[i] = k * (g[i] - mg - h[i] * mgx);
    }
  });
}

} // namespace snnrt
