//===- Kernels.cpp - ANN kernels: im2col + Eigen GEMM, direct loops -------===//

#include "runtime/ann/Kernels.h"
#include "runtime/tensor/Parallel.h"
#include "runtime/tensor/Vec16.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>

namespace snnrt {

using RowMatrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;

/// Shapes `out` (checking the size); its elements are zero unless `zero` is
/// false, for kernels that overwrite every element.
static std::string allocate(Tensor &out, Shape shape, bool zero = true) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return "negative dimension in result shape " + formatShape(shape);
    if (d != 0 && n > kMaxTensorElements / d)
      return "result shape " + formatShape(shape) + " is too large";
    n *= d;
  }
  out.shape = std::move(shape);
  if (zero)
    out.data.assign(n, 0.0f);
  else
    out.data.resize(n);
  return "";
}

int64_t windowSize(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                   int64_t padEnd, int64_t dilation, bool ceilMode) {
  int64_t room = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (room < 0)
    return -1;
  if (!ceilMode)
    return room / stride + 1;
  int64_t out = (room + stride - 1) / stride + 1;
  if ((out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

//===----------------------------------------------------------------------===//
// Convolution: im2col per image and group, then one GEMM.
//===----------------------------------------------------------------------===//

/// Output columns [begin, end) whose input column ox·s + k·d − p lies
/// inside [0, size).
static void validRange(int64_t out, int64_t size, int64_t s, int64_t k,
                       int64_t d, int64_t p, int64_t &begin, int64_t &end) {
  int64_t off = k * d - p; // ix = ox·s + off
  begin = off >= 0 ? 0 : (-off + s - 1) / s;
  end = size - off <= 0 ? 0 : std::min(out, (size - off + s - 1) / s);
  if (end < begin)
    end = begin;
}

// GCC would turn the short zero-fill loops into memset calls.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
void im2colRows(const float *x, const ConvGeometry &g, int64_t oy0,
                int64_t oy1, float *cols) {
  int64_t P = (oy1 - oy0) * g.OW;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t ki = 0; ki < g.kH; ++ki)
      for (int64_t kj = 0; kj < g.kW; ++kj) {
        float *row = cols + ((c * g.kH + ki) * g.kW + kj) * P;
        const float *xc = x + c * g.H * g.W;
        int64_t ox0, ox1, off = kj * g.dW - g.pL;
        validRange(g.OW, g.W, g.sW, kj, g.dW, g.pL, ox0, ox1);
        // Plain loops, not std::copy/fill: rows are short (one image row),
        // and a libc call per row costs as much as the copy.
        for (int64_t oy = oy0; oy < oy1; ++oy) {
          float *__restrict r = row + (oy - oy0) * g.OW;
          int64_t iy = oy * g.sH + ki * g.dH - g.pT;
          if (iy < 0 || iy >= g.H) {
            for (int64_t ox = 0; ox < g.OW; ++ox)
              r[ox] = 0.0f;
            continue;
          }
          const float *__restrict src = xc + iy * g.W + off;
          for (int64_t ox = 0; ox < ox0; ++ox)
            r[ox] = 0.0f;
          if (g.sW == 1)
            for (int64_t ox = ox0; ox < ox1; ++ox)
              r[ox] = src[ox];
          else
            for (int64_t ox = ox0; ox < ox1; ++ox)
              r[ox] = src[ox * g.sW];
          for (int64_t ox = ox1; ox < g.OW; ++ox)
            r[ox] = 0.0f;
        }
      }
}

void im2col(const float *x, const ConvGeometry &g, float *cols) {
  im2colRows(x, g, 0, g.OH, cols);
}

void col2imAdd(const float *cols, const ConvGeometry &g, float *x) {
  int64_t P = g.OH * g.OW;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t ki = 0; ki < g.kH; ++ki)
      for (int64_t kj = 0; kj < g.kW; ++kj) {
        const float *row = cols + ((c * g.kH + ki) * g.kW + kj) * P;
        float *xc = x + c * g.H * g.W;
        int64_t ox0, ox1, off = kj * g.dW - g.pL;
        validRange(g.OW, g.W, g.sW, kj, g.dW, g.pL, ox0, ox1);
        for (int64_t oy = 0; oy < g.OH; ++oy) {
          int64_t iy = oy * g.sH + ki * g.dH - g.pT;
          if (iy < 0 || iy >= g.H)
            continue;
          const float *r = row + oy * g.OW;
          float *dst = xc + iy * g.W + off;
          if (g.sW == 1)
            for (int64_t ox = ox0; ox < ox1; ++ox)
              dst[ox] += r[ox];
          else
            for (int64_t ox = ox0; ox < ox1; ++ox)
              dst[ox * g.sW] += r[ox];
        }
      }
}

std::string convGeometry(const Shape &x, const Shape &w, const Node &n,
                         ConvGeometry &g) {
  if (x.size() != 4 || w.size() != 4)
    return "expects a 4-D input and weight, got " + formatShape(x) + " and " +
           formatShape(w);
  int64_t C = x[1], M = w[0], Cg = w[1], G = n.group;
  if (Cg * G != C || M % G != 0)
    return "input " + formatShape(x) + " does not match weight " +
           formatShape(w) + " with group " + std::to_string(G);
  g = ConvGeometry{Cg,
                   x[2],
                   x[3],
                   w[2],
                   w[3],
                   n.strides[0],
                   n.strides[1],
                   n.dilations[0],
                   n.dilations[1],
                   n.pads[0],
                   n.pads[1],
                   0,
                   0};
  g.OH = windowSize(g.H, g.kH, g.sH, g.pT, n.pads[2], g.dH, false);
  g.OW = windowSize(g.W, g.kW, g.sW, g.pL, n.pads[3], g.dW, false);
  if (g.OH < 1 || g.OW < 1)
    return "the kernel does not fit the input " + formatShape(x);
  return "";
}

//===----------------------------------------------------------------------===//
// Winograd F(2×2, 3×3) for 3×3, stride-1, undilated, ungrouped convolutions
// (Lavin & Gray 2016): each 2×2 output tile from a 4×4 input tile with 16
// multiplications per channel pair instead of 36. Per block of images: pad
// the input once, transform tiles (V = Bᵀ d B), 16 GEMMs U_ξ·V_ξ with the
// transformed weights (U = G g Gᵀ), transform back (Aᵀ m A). About 1.6× the
// im2col kernel on the test models' 32- and 64-channel layers; results agree
// to float rounding (≈ 1e-6 relative).
//===----------------------------------------------------------------------===//

static bool winogradApplies(const ConvGeometry &g, int64_t C, int64_t M,
                            int64_t G) {
  return G == 1 && g.kH == 3 && g.kW == 3 && g.sH == 1 && g.sW == 1 &&
         g.dH == 1 && g.dW == 1 && C >= 8 && M >= 8;
}

/// One row of Bᵀ applied to the tiles, followed by B on the columns, for L
/// consecutive tiles at once. a0/a1 (b0/b1) hold the first (second) input row
/// of the combination at even/odd columns, so tile i's columns 0..3 are
/// a0[i], a1[i], a0[i + 1], a1[i + 1]; v0..v3 get the four values of that
/// row of V = Bᵀ d B.
static void winogradInputCombo(const float *__restrict a0,
                               const float *__restrict a1,
                               const float *__restrict b0,
                               const float *__restrict b1, float sign,
                               int64_t L, float *__restrict v0,
                               float *__restrict v1, float *__restrict v2,
                               float *__restrict v3) {
  for (int64_t i = 0; i < L; ++i) {
    float e0 = a0[i] + sign * b0[i], e1 = a1[i] + sign * b1[i];
    float e2 = a0[i + 1] + sign * b0[i + 1], e3 = a1[i + 1] + sign * b1[i + 1];
    v0[i] = e0 - e2;
    v1[i] = e1 + e2;
    v2[i] = e2 - e1;
    v3[i] = e1 - e3;
  }
}

/// Output transform (Aᵀ m A + bias) of L consecutive tiles: mm[ξ·plane + i]
/// → top-left, top-right, bottom-left and bottom-right outputs of tile i.
__attribute__((noinline)) static void
winogradOutputTiles(const float *__restrict mm, int64_t plane, int64_t L,
                    float b, float *__restrict tl, float *__restrict tr,
                    float *__restrict bl, float *__restrict br) {
  const float *m0 = mm, *m1 = mm + plane, *m2 = mm + 2 * plane,
              *m3 = mm + 3 * plane, *m4 = mm + 4 * plane, *m5 = mm + 5 * plane,
              *m6 = mm + 6 * plane, *m7 = mm + 7 * plane, *m8 = mm + 8 * plane,
              *m9 = mm + 9 * plane, *m10 = mm + 10 * plane,
              *m11 = mm + 11 * plane, *m12 = mm + 12 * plane,
              *m13 = mm + 13 * plane, *m14 = mm + 14 * plane,
              *m15 = mm + 15 * plane;
  for (int64_t i = 0; i < L; ++i) {
    // Aᵀ combines rows (0 + 1 + 2, 1 − 2 − 3), then A the columns.
    float a0 = m0[i] + m4[i] + m8[i], a1 = m1[i] + m5[i] + m9[i],
          a2 = m2[i] + m6[i] + m10[i], a3 = m3[i] + m7[i] + m11[i];
    float c0 = m4[i] - m8[i] - m12[i], c1 = m5[i] - m9[i] - m13[i],
          c2 = m6[i] - m10[i] - m14[i], c3 = m7[i] - m11[i] - m15[i];
    tl[i] = a0 + a1 + a2 + b;
    tr[i] = a1 - a2 - a3 + b;
    bl[i] = c0 + c1 + c2 + b;
    br[i] = c1 - c2 - c3 + b;
  }
}

/// Tiles of one image: TH rows of `half` = TW + 1 tiles each; the last tile
/// of every row only pads the row so that all transforms run over one flat,
/// contiguous tile index i = th·half + tw (its results are never read).
struct WinogradTiling {
  int64_t TH, TW, half, perImage;
  explicit WinogradTiling(const ConvGeometry &g)
      : TH((g.OH + 1) / 2), TW((g.OW + 1) / 2), half(TW + 1),
        perImage(TH * half) {}
};

/// Winograd input transform of one image (C×H×W) into V[ξ·plane + c·T + i].
/// The padded input is split into four planes by row and column parity, so
/// that the rows 2th + r of tile row th are one plane at offset (r/2)·half
/// and every combination is a flat loop over the tile index.
static void winogradInputTiles(const float *img, const ConvGeometry &g,
                               const WinogradTiling &t, float *V, int64_t plane,
                               int64_t T, std::vector<float> &scratch) {
  int64_t C = g.C, H = g.H, W = g.W, half = t.half;
  int64_t S = (t.TH + 2) * half; // (TH + 1) rows + one for the i + 1 reads
  scratch.resize(size_t(4 * S));
  float *sub = scratch.data(); // [row parity][column parity][S]
  int64_t rows = std::min(H, 2 * t.TH + 2 - g.pT),
          cols = std::min(W, 2 * half - g.pL);
  static constexpr int kRows[4][2] = {{0, 2}, {1, 2}, {2, 1}, {1, 3}};
  static constexpr float kSign[4] = {-1.0f, 1.0f, -1.0f, -1.0f};
  for (int64_t c = 0; c < C; ++c) {
    std::fill(sub, sub + 4 * S, 0.0f);
    for (int64_t y = 0; y < rows; ++y) {
      const float *src = img + (c * H + y) * W;
      int64_t py = y + g.pT;
      for (int64_t parity = 0; parity < 2; ++parity) {
        // Input columns x with (x + pL) of this parity.
        int64_t x0 = (parity - g.pL) & 1;
        float *dst = sub + ((py & 1) * 2 + parity) * S + (py >> 1) * half +
                     ((x0 + g.pL) >> 1);
        for (int64_t x = x0, k = 0; x < cols; x += 2, ++k)
          dst[k] = src[x];
      }
    }
    float *v = V + c * T;
    for (int r = 0; r < 4; ++r) {
      int ra = kRows[r][0], rb = kRows[r][1];
      const float *a = sub + (ra & 1) * 2 * S + (ra >> 1) * half;
      const float *b = sub + (rb & 1) * 2 * S + (rb >> 1) * half;
      winogradInputCombo(a, a + S, b, b + S, kSign[r], t.perImage,
                         v + (r * 4 + 0) * plane, v + (r * 4 + 1) * plane,
                         v + (r * 4 + 2) * plane, v + (r * 4 + 3) * plane);
    }
  }
}

static void conv2dWinograd(const Tensor &x, const Tensor &w, const Tensor *bias,
                           const ConvGeometry &g, Tensor &out) {
  int64_t N = x.dim(0), C = g.C, M = w.dim(0), H = g.H, W = g.W;
  int64_t OH = g.OH, OW = g.OW;
  // U[ξ][m][c] = (G g Gᵀ)[ξ].
  std::vector<float> U(size_t(16 * M * C));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < C; ++c) {
      const float *k = w.ptr() + (m * C + c) * 9;
      float t[4][3];
      for (int j = 0; j < 3; ++j) {
        t[0][j] = k[j];
        t[1][j] = 0.5f * (k[j] + k[3 + j] + k[6 + j]);
        t[2][j] = 0.5f * (k[j] - k[3 + j] + k[6 + j]);
        t[3][j] = k[6 + j];
      }
      for (int i = 0; i < 4; ++i) {
        float u[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]),
                      0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
        for (int j = 0; j < 4; ++j)
          U[size_t(((i * 4 + j) * M + m) * C + c)] = u[j];
      }
    }
  // Images per block: enough tiles for efficient GEMMs.
  WinogradTiling tiling(g);
  int64_t TI = tiling.perImage, half = tiling.half, TW = tiling.TW;
  int64_t perBlock = std::max<int64_t>(1, 256 / std::max<int64_t>(TI, 1));
  int64_t blocks = (N + perBlock - 1) / perBlock;
  parallelFor(blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> V, Mx, tiles, scratch;
    for (int64_t blk = begin; blk < end; ++blk) {
      int64_t i0 = blk * perBlock, nb = std::min(perBlock, N - i0);
      int64_t T = nb * TI;
      V.resize(size_t(16 * C * T));
      Mx.resize(size_t(16 * M * T));
      tiles.resize(size_t(4 * T));
      for (int64_t ii = 0; ii < nb; ++ii)
        winogradInputTiles(x.ptr() + (i0 + ii) * C * H * W, g, tiling,
                           V.data() + ii * TI, C * T, T, scratch);
      for (int xi = 0; xi < 16; ++xi) {
        ConstMatMap Ux(U.data() + xi * M * C, M, C);
        ConstMatMap Vx(V.data() + xi * C * T, C, T);
        MatMap(Mx.data() + xi * M * T, M, T).noalias() = Ux * Vx;
      }
      // out tile = Aᵀ m A (+ bias): all tiles of a channel at once, then
      // interleaved into the output rows.
      float *tl = tiles.data(), *tr = tl + T, *bl = tr + T, *br = bl + T;
      int64_t full = OW / 2;
      for (int64_t m = 0; m < M; ++m) {
        winogradOutputTiles(Mx.data() + m * T, M * T, T,
                            bias ? bias->data[m] : 0.0f, tl, tr, bl, br);
        for (int64_t ii = 0; ii < nb; ++ii) {
          float *o = out.ptr() + ((i0 + ii) * M + m) * OH * OW;
          for (int64_t oy = 0; oy < OH; ++oy) {
            int64_t at = ii * TI + (oy / 2) * half;
            const float *left = ((oy & 1) ? bl : tl) + at,
                        *right = ((oy & 1) ? br : tr) + at;
            float *orow = o + oy * OW;
            for (int64_t tw = 0; tw < full; ++tw) {
              orow[2 * tw] = left[tw];
              orow[2 * tw + 1] = right[tw];
            }
            if (full < TW)
              orow[2 * full] = left[full];
          }
        }
      }
    }
  });
}

std::string conv2d(const Tensor &x, const Tensor &w, const Tensor *bias,
                   const Node &n, Tensor &out) {
  ConvGeometry geo;
  if (std::string e = convGeometry(x.shape, w.shape, n, geo); !e.empty())
    return e;
  int64_t N = x.dim(0), C = x.dim(1), H = geo.H, W = geo.W;
  int64_t M = w.dim(0), Cg = geo.C, G = n.group, OH = geo.OH, OW = geo.OW;
  if (std::string e = allocate(out, {N, M, OH, OW}, false); !e.empty())
    return e;
  if (winogradApplies(geo, Cg, M, G)) {
    conv2dWinograd(x, w, bias, geo, out);
    return "";
  }
  int64_t Mg = M / G, K = Cg * geo.kH * geo.kW, P = OH * OW;
  bool direct = geo.kH == 1 && geo.kW == 1 && geo.sH == 1 && geo.sW == 1 &&
                geo.pT == 0 && geo.pL == 0 && n.pads[2] == 0 && n.pads[3] == 0;

  parallelFor(N * G, 1, [&](int64_t begin, int64_t end) {
    RowMatrix cols;
    if (!direct)
      cols.resize(K, P);
    for (int64_t job = begin; job < end; ++job) {
      int64_t img = job / G, g = job % G;
      const float *xg = x.ptr() + (img * C + g * Cg) * H * W;
      if (!direct)
        im2col(xg, geo, cols.data());
      ConstMatMap wg(w.ptr() + g * Mg * K, Mg, K);
      MatMap og(out.ptr() + (img * M + g * Mg) * P, Mg, P);
      if (direct)
        og.noalias() = wg * ConstMatMap(xg, K, P);
      else
        og.noalias() = wg * cols;
      if (bias)
        for (int64_t m = 0; m < Mg; ++m)
          og.row(m).array() += bias->data[g * Mg + m];
    }
  });
  return "";
}

Tensor transposeConvWeight(const Tensor &w, int64_t group) {
  int64_t M = w.dim(0), Cg = w.dim(1), kk = w.dim(2) * w.dim(3), Mg = M / group;
  Tensor t({group, Cg, w.dim(2), w.dim(3), Mg});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < Cg; ++c)
      for (int64_t k = 0; k < kk; ++k)
        t.data[((m / Mg * Cg + c) * kk + k) * Mg + m % Mg] =
            w.data[(m * Cg + c) * kk + k];
  return t;
}

void transposeInto(const float *src, int64_t rows, int64_t cols, float *dst) {
  constexpr int64_t kTile = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r)
          dst[c * rows + r] = src[r * cols + c];
    }
}

/// Event-driven 3×3, stride-1, undilated convolution of one input row y of
/// one channel into a block of 16·NB output channels, channel-last and
/// zero-bordered:
///   out[(y + 2 − ky)·Wp + xx + 2 − kx][m] += x[y][xx] · wT[ky][kx][m]
/// (`rowStride` floats per position; output (ty, tx) sits at row
/// ty + 2 − pT, column tx + 2 − pL). The 9·NB weight vectors stay in
/// registers for the row; callers walk rows outside and channels inside, so
/// the three output rows being written stay in L1.
template <int NB>
static void scatterRow3x3(const float *row, int64_t y, int64_t W,
                          const float *wc, int64_t wStride, float *padded,
                          int64_t Wp, int64_t rowStride) {
  Vec16 wr[9][NB];
  for (int k = 0; k < 9; ++k)
    for (int j = 0; j < NB; ++j)
      wr[k][j] = loadVec16(wc + k * wStride + 16 * j);
  forEachNonZero(row, W, [&](int64_t xx, float v) {
    Vec16 vv = Vec16{} + v;
    float *base = padded + ((y + 2) * Wp + xx + 2) * rowStride;
#pragma GCC unroll 9
    for (int k = 0; k < 9; ++k) {
      float *q = base - ((k / 3) * Wp + k % 3) * rowStride;
#pragma GCC unroll 4
      for (int j = 0; j < NB; ++j)
        storeVec16(q + 16 * j, loadVec16(q + 16 * j) + vv * wr[k][j]);
    }
  });
}

/// True when a row of n floats holds a nonzero.
static bool anyNonZero(const float *p, int64_t n) {
  uint32_t any = 0;
  for (int64_t i = 0; i < n; ++i)
    any |= p[i] != 0.0f;
  return any != 0;
}

/// Calls f(tap, p) for every kernel tap (ky·kW + kx) through which input
/// (y, x) reaches an output position p = oy·OW + ox of a convolution with
/// geometry `g`, taps in ascending order.
template <typename F>
static void forEachReachedOutput(const ConvGeometry &g, int64_t y, int64_t x,
                                 F &&f) {
  for (int64_t ky = 0; ky < g.kH; ++ky) {
    int64_t ty = y + g.pT - ky * g.dH;
    if (ty < 0 || ty % g.sH != 0 || ty / g.sH >= g.OH)
      continue;
    for (int64_t kx = 0; kx < g.kW; ++kx) {
      int64_t tx = x + g.pL - kx * g.dW;
      if (tx < 0 || tx % g.sW != 0 || tx / g.sW >= g.OW)
        continue;
      f(ky * g.kW + kx, (ty / g.sH) * g.OW + tx / g.sW);
    }
  }
}

std::string conv2dEvents(const Tensor &x, const Tensor &wT, const Shape &ws,
                         const Tensor *bias, const Node &n, Tensor &out) {
  if (x.rank() != 4)
    return "expects a 4-D input";
  int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  int64_t M = ws[0], Cg = ws[1], kH = ws[2], kW = ws[3], G = n.group;
  int64_t Mg = M / G;
  if (Cg * G != C)
    return "input channels do not match the weight";
  int64_t sH = n.strides[0], sW = n.strides[1], dH = n.dilations[0],
          dW = n.dilations[1], pT = n.pads[0], pL = n.pads[1];
  int64_t OH = windowSize(H, kH, sH, pT, n.pads[2], dH, false);
  int64_t OW = windowSize(W, kW, sW, pL, n.pads[3], dW, false);
  if (OH < 1 || OW < 1)
    return "the kernel does not fit the input";
  if (std::string e = allocate(out, {N, M, OH, OW}, false); !e.empty())
    return e;
  int64_t P = OH * OW;
  ConvGeometry geo{Cg, H, W, kH, kW, sH, sW, dH, dW, pT, pL, OH, OW};
  bool blocked3x3 = kH == 3 && kW == 3 && sH == 1 && sW == 1 && dH == 1 &&
                    dW == 1 && Mg % 16 == 0;
  parallelFor(N * G, 1, [&](int64_t begin, int64_t end) {
    FloatBuffer acc(size_t(blocked3x3 ? (H + 2) * (W + 2) * Mg : P * Mg));
    FloatBuffer accT(blocked3x3 ? acc.size() : 0);
    for (int64_t job = begin; job < end; ++job) {
      int64_t img = job / G, g = job % G;
      std::fill(acc.begin(), acc.end(), 0.0f);
      if (blocked3x3) {
        int64_t Wp = W + 2;
        const float *xg = x.ptr() + (img * C + g * Cg) * H * W;
        for (int64_t y = 0; y < H; ++y)
          for (int64_t c = 0; c < Cg; ++c) {
            const float *row = xg + (c * H + y) * W;
            if (!anyNonZero(row, W))
              continue;
            for (int64_t m0 = 0; m0 < Mg; m0 += 32) {
              const float *wc = wT.ptr() + (g * Cg + c) * 9 * Mg + m0;
              if (Mg - m0 >= 32)
                scatterRow3x3<2>(row, y, W, wc, Mg, acc.data() + m0, Wp, Mg);
              else
                scatterRow3x3<1>(row, y, W, wc, Mg, acc.data() + m0, Wp, Mg);
            }
          }
        // Back to channel-first, then each output row from its padded row
        // (outputs that no input reaches keep the bias alone).
        int64_t positions = (H + 2) * Wp;
        transposeInto(acc.data(), positions, Mg, accT.data());
        for (int64_t m = 0; m < Mg; ++m) {
          float b = bias ? bias->data[g * Mg + m] : 0.0f;
          float *o = out.ptr() + ((img * M + g * Mg + m) * OH) * OW;
          const float *src = accT.data() + m * positions;
          for (int64_t ty = 0; ty < OH; ++ty) {
            int64_t r = ty + 2 - pT;
            float *orow = o + ty * OW;
            if (r < 0 || r >= H + 2) {
              std::fill(orow, orow + OW, b);
              continue;
            }
            int64_t lo = std::max<int64_t>(0, pL - 2),
                    hi = std::min<int64_t>(OW, Wp - 2 + pL);
            std::fill(orow, orow + std::min(lo, OW), b);
            const float *srow = src + r * Wp + 2 - pL;
            for (int64_t tx = lo; tx < hi; ++tx)
              orow[tx] = srow[tx] + b;
            if (hi < OW)
              std::fill(orow + std::max<int64_t>(hi, 0), orow + OW, b);
          }
        }
        continue;
      }
      for (int64_t c = 0; c < Cg; ++c) {
        const float *plane = x.ptr() + (img * C + g * Cg + c) * H * W;
        const float *wc = wT.ptr() + (g * Cg + c) * kH * kW * Mg;
        for (int64_t y = 0; y < H; ++y) {
          auto row = plane + y * W;
          if (sH == 1 && sW == 1) {
            // Stride 1: output (y + pT − ky·dH, x + pL − kx·dW).
            forEachNonZero(row, W, [&](int64_t xx, float v) {
              for (int64_t ky = 0; ky < kH; ++ky) {
                int64_t ty = y + pT - ky * dH;
                if (ty < 0 || ty >= OH)
                  continue;
                for (int64_t kx = 0; kx < kW; ++kx) {
                  int64_t tx = xx + pL - kx * dW;
                  if (tx >= 0 && tx < OW)
                    axpy(Mg, v, wc + (ky * kW + kx) * Mg,
                         acc.data() + (ty * OW + tx) * Mg);
                }
              }
            });
            continue;
          }
          forEachNonZero(row, W, [&](int64_t xx, float v) {
            forEachReachedOutput(geo, y, xx, [&](int64_t tap, int64_t p) {
              axpy(Mg, v, wc + tap * Mg, acc.data() + p * Mg);
            });
          });
        }
      }
      float *o = out.ptr() + (img * M + g * Mg) * P;
      transposeInto(acc.data(), P, Mg, o);
      if (bias)
        for (int64_t m = 0; m < Mg; ++m) {
          float b = bias->data[g * Mg + m];
          for (int64_t p = 0; p < P; ++p)
            o[m * P + p] += b;
        }
    }
  });
  return "";
}

std::string denseEvents(const Tensor &x, const Tensor &wT, const Tensor *bias,
                        Tensor &out) {
  int64_t N = x.dim(0), K = wT.dim(0), M = wT.dim(1);
  if (x.rank() != 2 || x.dim(1) != K)
    return "input does not match the weight";
  if (std::string e = allocate(out, {N, M}); !e.empty())
    return e;
  parallelFor(N, 8, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      float *o = out.ptr() + i * M;
      if (bias)
        std::copy(bias->data.begin(), bias->data.end(), o);
      const float *in = x.ptr() + i * K;
      for (int64_t k = 0; k < K; ++k) {
        float v = in[k];
        if (v == 0.0f)
          continue;
        const float *w = wT.ptr() + k * M;
        for (int64_t m = 0; m < M; ++m)
          o[m] = multiplyAdd(v, w[m], o[m]);
      }
    }
  });
  return "";
}

bool runtimeUsesFma() {
#ifdef __FMA__
  return true;
#else
  return false;
#endif
}

std::string conv2dReference(const Tensor &x, const Tensor &w,
                            const Tensor *bias, const Node &n, Tensor &out) {
  ConvGeometry geo;
  if (std::string e = convGeometry(x.shape, w.shape, n, geo); !e.empty())
    return e;
  int64_t N = x.dim(0), C = x.dim(1), H = geo.H, W = geo.W, M = w.dim(0);
  int64_t Cg = geo.C, kH = geo.kH, kW = geo.kW, Mg = M / n.group;
  int64_t OH = geo.OH, OW = geo.OW, P = OH * OW;
  if (std::string e = allocate(out, {N, M, OH, OW}, false); !e.empty())
    return e;
  parallelFor(N, 1, [&](int64_t s, int64_t e) {
    for (int64_t img = s; img < e; ++img) {
      float *o = out.ptr() + img * M * P;
      for (int64_t m = 0; m < M; ++m)
        std::fill(o + m * P, o + (m + 1) * P, bias ? bias->data[m] : 0.0f);
      for (int64_t c = 0; c < C; ++c) {
        int64_t g = c / Cg, cl = c % Cg;
        const float *plane = x.ptr() + (img * C + c) * H * W;
        for (int64_t iy = 0; iy < H; ++iy)
          for (int64_t ix = 0; ix < W; ++ix) {
            float v = plane[iy * W + ix];
            if (v == 0.0f)
              continue;
            forEachReachedOutput(geo, iy, ix, [&](int64_t tap, int64_t p) {
              for (int64_t m = g * Mg; m < (g + 1) * Mg; ++m)
                o[m * P + p] = multiplyAdd(
                    v, w.data[(m * Cg + cl) * kH * kW + tap], o[m * P + p]);
            });
          }
      }
    }
  });
  return "";
}

//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

std::string gemm(const Tensor &a, const Tensor &b, const Tensor *c,
                 const Node &n, Tensor &out) {
  if (a.rank() != 2 || b.rank() != 2)
    return "expects 2-D operands, got " + formatShape(a.shape) + " and " +
           formatShape(b.shape);
  int64_t M = n.transA ? a.dim(1) : a.dim(0),
          K = n.transA ? a.dim(0) : a.dim(1);
  int64_t Kb = n.transB ? b.dim(1) : b.dim(0),
          N = n.transB ? b.dim(0) : b.dim(1);
  if (K != Kb)
    return "inner dimensions differ: " + std::to_string(K) + " vs " +
           std::to_string(Kb);
  if (std::string e = allocate(out, {M, N}, false); !e.empty())
    return e;
  ConstMatMap A(a.ptr(), a.dim(0), a.dim(1)), B(b.ptr(), b.dim(0), b.dim(1));
  parallelFor(M, 64, [&](int64_t begin, int64_t end) {
    MatMap Y(out.ptr() + begin * N, end - begin, N);
    if (n.transA && n.transB)
      Y.noalias() =
          A.transpose().middleRows(begin, end - begin) * B.transpose();
    else if (n.transA)
      Y.noalias() = A.transpose().middleRows(begin, end - begin) * B;
    else if (n.transB)
      Y.noalias() = A.middleRows(begin, end - begin) * B.transpose();
    else
      Y.noalias() = A.middleRows(begin, end - begin) * B;
    if (n.alpha != 1.0f)
      Y *= n.alpha;
  });
  if (c && n.beta != 0.0f) {
    // C broadcasts unidirectionally to M×N.
    int64_t cr = c->rank() == 2 ? c->dim(0) : 1;
    int64_t cc = c->rank() >= 1 ? c->shape.back() : 1;
    if ((cr != 1 && cr != M) || (cc != 1 && cc != N) || c->rank() > 2)
      return "C of shape " + formatShape(c->shape) +
             " does not broadcast to [" + std::to_string(M) + ", " +
             std::to_string(N) + "]";
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j)
        out.data[i * N + j] +=
            n.beta * c->data[(cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j)];
  }
  return "";
}

/// Broadcast shape of two shapes aligned at the right, or an error.
static std::string broadcast(const Shape &a, const Shape &b, Shape &out) {
  size_t r = std::max(a.size(), b.size());
  out.assign(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      return "shapes " + formatShape(a) + " and " + formatShape(b) +
             " do not broadcast";
    out[i] = da == 1 ? db : da;
  }
  return "";
}

/// Strides of `shape` seen through the broadcast result shape `to` (0 where
/// the dimension is broadcast).
static std::vector<int64_t> broadcastStrides(const Shape &shape,
                                             const Shape &to) {
  std::vector<int64_t> own = stridesOf(shape), res(to.size(), 0);
  size_t off = to.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    res[off + i] = shape[i] == 1 ? 0 : own[i];
  return res;
}

std::string matmul(const Tensor &a, const Tensor &b, Tensor &out) {
  if (a.rank() < 1 || b.rank() < 1)
    return "expects operands of rank >= 1";
  Shape as = a.shape, bs = b.shape;
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    as.insert(as.begin(), 1);
  if (bVec)
    bs.push_back(1);
  int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  if (bs[bs.size() - 2] != K)
    return "inner dimensions differ: " + std::to_string(K) + " vs " +
           std::to_string(bs[bs.size() - 2]);
  Shape batchA(as.begin(), as.end() - 2), batchB(bs.begin(), bs.end() - 2),
      batch;
  if (std::string e = broadcast(batchA, batchB, batch); !e.empty())
    return e;
  Shape result = batch;
  if (!aVec)
    result.push_back(M);
  if (!bVec)
    result.push_back(N);
  if (std::string e = allocate(out, result); !e.empty())
    return e;
  auto sa = broadcastStrides(batchA, batch),
       sb = broadcastStrides(batchB, batch);
  int64_t count = numElements(batch);
  std::vector<int64_t> bstr = stridesOf(batch);
  parallelFor(count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      int64_t oa = 0, ob = 0, rem = k;
      for (size_t d = 0; d < batch.size(); ++d) {
        int64_t i = rem / bstr[d];
        rem %= bstr[d];
        oa += i * sa[d];
        ob += i * sb[d];
      }
      MatMap Y(out.ptr() + k * M * N, M, N);
      Y.noalias() = ConstMatMap(a.ptr() + oa * M * K, M, K) *
                    ConstMatMap(b.ptr() + ob * K * N, K, N);
    }
  });
  return "";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename F>
static std::string broadcastApply(const Tensor &a, const Tensor &b, Tensor &out,
                                  F f) {
  Shape shape;
  if (std::string e = broadcast(a.shape, b.shape, shape); !e.empty())
    return e;
  if (std::string e = allocate(out, shape); !e.empty())
    return e;
  int64_t n = out.size();
  if (a.shape == b.shape) {
    parallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i)
        out.data[i] = f(a.data[i], b.data[i]);
    });
    return "";
  }
  auto sa = broadcastStrides(a.shape, shape),
       sb = broadcastStrides(b.shape, shape);
  auto so = stridesOf(shape);
  int64_t inner = shape.empty() ? 1 : shape.back();
  int64_t ia = sa.empty() ? 0 : sa.back(), ib = sb.empty() ? 0 : sb.back();
  parallelFor(n / std::max<int64_t>(inner, 1), 64, [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; ++row) {
      int64_t oa = 0, ob = 0, rem = row * inner;
      for (size_t d = 0; d + 1 < shape.size(); ++d) {
        int64_t i = rem / so[d];
        rem %= so[d];
        oa += i * sa[d];
        ob += i * sb[d];
      }
      float *o = out.ptr() + row * inner;
      for (int64_t j = 0; j < inner; ++j)
        o[j] = f(a.data[oa + j * ia], b.data[ob + j * ib]);
    }
  });
  return "";
}

std::string binary(OpKind kind, const Tensor &a, const Tensor &b, Tensor &out) {
  switch (kind) {
  case OpKind::Add:
    return broadcastApply(a, b, out, [](float x, float y) { return x + y; });
  case OpKind::Sub:
    return broadcastApply(a, b, out, [](float x, float y) { return x - y; });
  case OpKind::Mul:
    return broadcastApply(a, b, out, [](float x, float y) { return x * y; });
  default:
    return broadcastApply(a, b, out, [](float x, float y) { return x / y; });
  }
}

std::string unary(const Node &n, const Tensor &x, Tensor &out) {
  out.shape = x.shape;
  out.data = x.data;
  float lo = n.min.value_or(-std::numeric_limits<float>::infinity());
  float hi = n.max.value_or(std::numeric_limits<float>::infinity());
  float slope = n.slope, alpha = n.alpha, beta = n.beta;
  bool tanhApproximation = n.tanhApproximation;
  OpKind kind = n.kind;
  // One simple loop per kind so that each vectorizes.
  parallelFor(out.size(), 1 << 16, [&](int64_t s, int64_t e) {
    float *v = out.ptr();
    switch (kind) {
    case OpKind::Relu:
      for (int64_t i = s; i < e; ++i)
        v[i] = v[i] > 0.0f ? v[i] : 0.0f;
      break;
    case OpKind::LeakyRelu:
      for (int64_t i = s; i < e; ++i)
        v[i] = v[i] >= 0.0f ? v[i] : slope * v[i];
      break;
    case OpKind::Clip:
      for (int64_t i = s; i < e; ++i)
        v[i] = std::min(std::max(v[i], lo), hi);
      break;
    case OpKind::Sigmoid:
      for (int64_t i = s; i < e; ++i)
        v[i] = 1.0f / (1.0f + std::exp(-v[i]));
      break;
    case OpKind::Tanh:
      for (int64_t i = s; i < e; ++i)
        v[i] = std::tanh(v[i]);
      break;
    case OpKind::Erf:
      for (int64_t i = s; i < e; ++i)
        v[i] = std::erf(v[i]);
      break;
    case OpKind::HardSigmoid:
      for (int64_t i = s; i < e; ++i)
        v[i] = std::max(0.0f, std::min(1.0f, alpha * v[i] + beta));
      break;
    case OpKind::HardSwish:
      for (int64_t i = s; i < e; ++i)
        v[i] = v[i] * std::max(0.0f, std::min(1.0f, v[i] / 6.0f + 0.5f));
      break;
    case OpKind::Gelu:
      if (tanhApproximation)
        for (int64_t i = s; i < e; ++i) {
          float x = v[i];
          v[i] = 0.5f * x *
                 (1.0f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x)));
        }
      else
        for (int64_t i = s; i < e; ++i)
          v[i] = 0.5f * v[i] * (1.0f + std::erf(v[i] * 0.70710678f));
      break;
    default:
      break;
    }
  });
  return "";
}

std::string batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                      const Tensor &mean, const Tensor &var, float epsilon,
                      Tensor &out) {
  if (x.rank() < 2)
    return "expects an input of rank >= 2";
  int64_t N = x.dim(0), C = x.dim(1),
          inner = x.size() / std::max<int64_t>(N * C, 1);
  for (const Tensor *p : {&scale, &bias, &mean, &var})
    if (p->size() != C)
      return "parameters must have " + std::to_string(C) + " elements";
  out.shape = x.shape;
  out.data.resize(x.data.size());
  parallelFor(N * C, 4, [&](int64_t s, int64_t e) {
    for (int64_t nc = s; nc < e; ++nc) {
      int64_t c = nc % C;
      float k = scale.data[c] / std::sqrt(var.data[c] + epsilon);
      float b = bias.data[c] - mean.data[c] * k;
      const float *in = x.ptr() + nc * inner;
      float *o = out.ptr() + nc * inner;
      for (int64_t i = 0; i < inner; ++i)
        o[i] = in[i] * k + b;
    }
  });
  return "";
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

bool windowsInside(const Node &n, int64_t H, int64_t W, int64_t OH,
                   int64_t OW) {
  int64_t dH = n.dilations.empty() ? 1 : n.dilations[0];
  int64_t dW = n.dilations.empty() ? 1 : n.dilations[1];
  return n.pads[0] == 0 && n.pads[1] == 0 &&
         (OH - 1) * n.strides[0] + (n.kernel[0] - 1) * dH < H &&
         (OW - 1) * n.strides[1] + (n.kernel[1] - 1) * dW < W;
}

std::string pool2d(const Node &n, const Tensor &x, Tensor &out) {
  if (x.rank() != 4)
    return "expects a 4-D input, got " + formatShape(x.shape);
  int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  int64_t kH = n.kernel[0], kW = n.kernel[1], sH = n.strides[0],
          sW = n.strides[1];
  int64_t dH = n.dilations.empty() ? 1 : n.dilations[0];
  int64_t dW = n.dilations.empty() ? 1 : n.dilations[1];
  int64_t pT = n.pads[0], pL = n.pads[1], pB = n.pads[2], pR = n.pads[3];
  int64_t OH = windowSize(H, kH, sH, pT, pB, dH, n.ceilMode);
  int64_t OW = windowSize(W, kW, sW, pL, pR, dW, n.ceilMode);
  if (OH < 1 || OW < 1)
    return "the window does not fit the input " + formatShape(x.shape);
  if (std::string e = allocate(out, {N, C, OH, OW}, false); !e.empty())
    return e;
  bool isMax = n.kind == OpKind::MaxPool;
  if (!isMax && windowsInside(n, H, W, OH, OW)) {
    // Every window lies inside the input: a fixed divisor, no bounds checks.
    float inv = 1.0f / float(kH * kW);
    parallelFor(N * C, 4, [&](int64_t s, int64_t e) {
      for (int64_t nc = s; nc < e; ++nc) {
        const float *in = x.ptr() + nc * H * W;
        float *o = out.ptr() + nc * OH * OW;
        if (kH == 2 && kW == 2 && sH == 2 && sW == 2 && dH == 1 && dW == 1) {
          for (int64_t oy = 0; oy < OH; ++oy) {
            const float *r0 = in + 2 * oy * W, *r1 = r0 + W;
            for (int64_t ox = 0; ox < OW; ++ox)
              o[oy * OW + ox] =
                  (r0[2 * ox] + r0[2 * ox + 1] + r1[2 * ox] + r1[2 * ox + 1]) *
                  inv;
          }
          continue;
        }
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            const float *w = in + oy * sH * W + ox * sW;
            float acc = 0.0f;
            for (int64_t ki = 0; ki < kH; ++ki)
              for (int64_t kj = 0; kj < kW; ++kj)
                acc += w[ki * dH * W + kj * dW];
            o[oy * OW + ox] = acc * inv;
          }
      }
    });
    return "";
  }
  parallelFor(N * C, 4, [&](int64_t s, int64_t e) {
    for (int64_t nc = s; nc < e; ++nc) {
      const float *in = x.ptr() + nc * H * W;
      float *o = out.ptr() + nc * OH * OW;
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          float acc = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
          int64_t inside = 0, padded = 0;
          for (int64_t ki = 0; ki < kH; ++ki) {
            int64_t iy = oy * sH + ki * dH - pT;
            for (int64_t kj = 0; kj < kW; ++kj) {
              int64_t ix = ox * sW + kj * dW - pL;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                // Positions in the explicit padding count for
                // count_include_pad; those past it (ceil mode) never do.
                padded += iy >= -pT && iy < H + pB && ix >= -pL && ix < W + pR;
                continue;
              }
              float v = in[iy * W + ix];
              acc = isMax ? std::max(acc, v) : acc + v;
              ++inside;
            }
          }
          if (!isMax) {
            int64_t div = n.countIncludePad ? inside + padded : inside;
            acc = div > 0 ? acc / float(div) : 0.0f;
          }
          o[oy * OW + ox] = acc;
        }
    }
  });
  return "";
}

std::string globalAvgPool(const Tensor &x, Tensor &out) {
  if (x.rank() != 4)
    return "expects a 4-D input, got " + formatShape(x.shape);
  int64_t N = x.dim(0), C = x.dim(1), HW = x.dim(2) * x.dim(3);
  if (std::string e = allocate(out, {N, C, 1, 1}); !e.empty())
    return e;
  for (int64_t nc = 0; nc < N * C; ++nc) {
    double sum = 0.0;
    for (int64_t i = 0; i < HW; ++i)
      sum += x.data[nc * HW + i];
    out.data[nc] = HW ? float(sum / double(HW)) : 0.0f;
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

std::string reshape(const Node &n, const Tensor &x, Tensor &out) {
  Shape shape;
  if (n.kind == OpKind::Flatten) {
    int64_t axis = n.axis < 0 ? n.axis + x.rank() : n.axis;
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i)
      outer *= x.dim(i);
    shape = {outer, outer ? x.size() / outer : 0};
  } else {
    int64_t known = 1, inferAt = -1;
    for (size_t i = 0; i < n.shape.size(); ++i) {
      int64_t d = n.shape[i];
      if (d == 0)
        d = i < x.shape.size() ? x.shape[i] : 0;
      if (d == -1)
        inferAt = int64_t(i);
      else
        known *= d;
      shape.push_back(d);
    }
    if (inferAt >= 0) {
      if (known == 0 || x.size() % known != 0)
        return "cannot reshape " + formatShape(x.shape) + " to " +
               formatShape(n.shape);
      shape[inferAt] = x.size() / known;
    }
    if (numElements(shape) != x.size())
      return "cannot reshape " + formatShape(x.shape) + " to " +
             formatShape(shape);
  }
  out.shape = shape;
  out.data = x.data;
  return "";
}

std::string transpose(const std::vector<int64_t> &perm, const Tensor &x,
                      Tensor &out) {
  if (int64_t(perm.size()) != x.rank())
    return "permutation does not match rank " + std::to_string(x.rank());
  Shape shape;
  for (int64_t p : perm)
    shape.push_back(x.shape[p]);
  if (std::string e = allocate(out, shape); !e.empty())
    return e;
  auto in = stridesOf(x.shape), os = stridesOf(shape);
  for (int64_t k = 0; k < out.size(); ++k) {
    int64_t rem = k, src = 0;
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t i = rem / os[d];
      rem %= os[d];
      src += i * in[perm[d]];
    }
    out.data[k] = x.data[src];
  }
  return "";
}

std::string concat(int64_t axis, const std::vector<const Tensor *> &in,
                   Tensor &out) {
  const Tensor &first = *in.front();
  if (axis < 0)
    axis += first.rank();
  Shape shape = first.shape;
  shape[axis] = 0;
  for (const Tensor *t : in) {
    if (t->rank() != first.rank())
      return "inputs differ in rank";
    for (int64_t d = 0; d < first.rank(); ++d)
      if (d != axis && t->shape[d] != first.shape[d])
        return "inputs differ in dimension " + std::to_string(d);
    shape[axis] += t->shape[axis];
  }
  if (std::string e = allocate(out, shape); !e.empty())
    return e;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < first.rank(); ++d)
    inner *= shape[d];
  int64_t offset = 0;
  for (const Tensor *t : in) {
    int64_t block = t->shape[axis] * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::copy_n(t->ptr() + o * block, block,
                  out.ptr() + o * shape[axis] * inner + offset);
    offset += block;
  }
  return "";
}

std::string pad(const std::vector<int64_t> &pads, float value, const Tensor &x,
                Tensor &out) {
  int64_t r = x.rank();
  if (int64_t(pads.size()) != 2 * r)
    return "pads must have " + std::to_string(2 * r) + " entries";
  if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) {
    out = x;
    return "";
  }
  Shape shape;
  for (int64_t d = 0; d < r; ++d)
    shape.push_back(x.shape[d] + pads[d] + pads[d + r]);
  if (std::string e = allocate(out, shape); !e.empty())
    return e;
  std::fill(out.data.begin(), out.data.end(), value);
  if (r == 0 || x.size() == 0)
    return "";
  // Copy whole rows of the last dimension (cropped where pads are negative).
  int64_t last = x.shape[r - 1], lo = pads[r - 1];
  int64_t srcBegin = std::max<int64_t>(0, -lo);
  int64_t srcEnd = std::min(last, shape[r - 1] - lo);
  if (srcEnd <= srcBegin)
    return "";
  auto in = stridesOf(x.shape), os = stridesOf(shape);
  int64_t rows = x.size() / last;
  parallelFor(rows, 256, [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; ++row) {
      int64_t rem = row * last, dst = 0;
      bool inside = true;
      for (int64_t d = 0; d + 1 < r; ++d) {
        int64_t i = rem / in[d] + pads[d];
        rem %= in[d];
        inside &= i >= 0 && i < shape[d];
        dst += i * os[d];
      }
      if (inside)
        std::copy(x.ptr() + row * last + srcBegin,
                  x.ptr() + row * last + srcEnd,
                  out.ptr() + dst + srcBegin + lo);
    }
  });
  return "";
}

std::string softmax(int64_t axis, const Tensor &x, Tensor &out) {
  if (axis < 0)
    axis += x.rank();
  out.shape = x.shape;
  out.data.resize(x.data.size());
  int64_t outer = 1, inner = 1, len = x.shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.shape[d];
  for (int64_t d = axis + 1; d < x.rank(); ++d)
    inner *= x.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float *in = x.ptr() + o * len * inner + i;
      float *res = out.ptr() + o * len * inner + i;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < len; ++k)
        mx = std::max(mx, in[k * inner]);
      double sum = 0.0;
      for (int64_t k = 0; k < len; ++k) {
        res[k * inner] = std::exp(in[k * inner] - mx);
        sum += res[k * inner];
      }
      for (int64_t k = 0; k < len; ++k)
        res[k * inner] = float(res[k * inner] / sum);
    }
  return "";
}

std::string reduceMean(const std::vector<int64_t> &axes, bool keepdims,
                       const Tensor &x, Tensor &out) {
  int64_t rank = x.rank();
  std::vector<bool> reduced(size_t(rank), false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return "axis " + std::to_string(a) + " is out of range for rank " +
             std::to_string(rank);
    reduced[size_t(a < 0 ? a + rank : a)] = true;
  }
  Shape outShape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[size_t(d)])
      outShape.push_back(x.dim(d));
    else if (keepdims)
      outShape.push_back(1);
  }
  // Each input element adds to the output element of its kept coordinates.
  Tensor sum(outShape.empty() ? Shape{} : outShape, 0.0f);
  std::vector<int64_t> strides = stridesOf(x.shape), outStrides(size_t(rank), 0);
  int64_t stride = 1, count = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (reduced[size_t(d)]) {
      count *= x.dim(d);
      continue;
    }
    outStrides[size_t(d)] = stride;
    stride *= x.dim(d);
  }
  std::vector<double> acc(size_t(std::max<int64_t>(sum.size(), 1)), 0.0);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t rest = i, o = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = rest / strides[size_t(d)];
      rest %= strides[size_t(d)];
      o += c * outStrides[size_t(d)];
    }
    acc[size_t(o)] += x.data[size_t(i)];
  }
  for (int64_t o = 0; o < sum.size(); ++o)
    sum.data[size_t(o)] = float(acc[size_t(o)] / double(std::max<int64_t>(count, 1)));
  out = std::move(sum);
  return "";
}

std::string slice(const Node &n, const Tensor &x, Tensor &out) {
  int64_t rank = x.rank();
  std::vector<int64_t> first(size_t(rank), 0), step(size_t(rank), 1);
  Shape shape = x.shape;
  for (size_t i = 0; i < n.axes.size(); ++i) {
    int64_t a = n.axes[i] < 0 ? n.axes[i] + rank : n.axes[i];
    if (a < 0 || a >= rank || n.steps[i] == 0)
      return "bad slice of rank " + std::to_string(rank);
    step[size_t(a)] = n.steps[i];
    shape[size_t(a)] = sliceLength(x.dim(a), n.starts[i], n.ends[i],
                                   n.steps[i], &first[size_t(a)]);
  }
  out = Tensor::uninitialized(shape);
  std::vector<int64_t> inStrides = stridesOf(x.shape),
                       outStrides = stridesOf(shape);
  for (int64_t o = 0; o < out.size(); ++o) {
    int64_t rest = o, i = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = rest / outStrides[size_t(d)];
      rest %= outStrides[size_t(d)];
      i += (first[size_t(d)] + c * step[size_t(d)]) * inStrides[size_t(d)];
    }
    out.data[size_t(o)] = x.data[size_t(i)];
  }
  return "";
}

std::string gatherChannels(const std::vector<int64_t> &indices, const Tensor &x,
                           Tensor &out) {
  if (x.rank() < 2)
    return "gathering channels needs a rank of at least 2";
  int64_t N = x.dim(0), C = x.dim(1), inner = x.size() / std::max<int64_t>(N * C, 1);
  for (int64_t i : indices)
    if (i < 0 || i >= C)
      return "channel " + std::to_string(i) + " is outside the input's " +
             std::to_string(C) + " channels";
  Shape shape = x.shape;
  shape[1] = int64_t(indices.size());
  out = Tensor::uninitialized(shape);
  int64_t M = shape[1];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < M; ++j)
      std::copy_n(x.ptr() + (n * C + indices[size_t(j)]) * inner, inner,
                  out.ptr() + (n * M + j) * inner);
  return "";
}

std::string scatterChannels(const std::vector<int64_t> &indices,
                            int64_t channels, const Tensor &gy, Tensor &gx) {
  int64_t N = gy.dim(0), M = gy.dim(1),
          inner = gy.size() / std::max<int64_t>(N * M, 1);
  Shape shape = gy.shape;
  shape[1] = channels;
  gx = Tensor(shape);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < M; ++j) {
      const float *src = gy.ptr() + (n * M + j) * inner;
      float *dst = gx.ptr() + (n * channels + indices[size_t(j)]) * inner;
      for (int64_t k = 0; k < inner; ++k)
        dst[k] += src[k];
    }
  return "";
}

} // namespace snnrt
