//===- RuntimeTest.cpp - the ANN reference executor and data readers ------===//

#include "runtime/ann/Executor.h"
#include "runtime/ann/Kernels.h"
#include "runtime/data/IDX.h"
#include "runtime/tensor/Parallel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>

using namespace snnrt;

namespace {

Tensor randomTensor(Shape shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t(std::move(shape));
  for (float &v : t.data)
    v = dist(rng);
  return t;
}

/// Direct-loop convolution to check the im2col + GEMM kernel against.
Tensor naiveConv(const Tensor &x, const Tensor &w, const Tensor &b,
                 const Node &n) {
  int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  int64_t M = w.dim(0), Cg = w.dim(1), kH = w.dim(2), kW = w.dim(3);
  int64_t OH = windowSize(H, kH, n.strides[0], n.pads[0], n.pads[2],
                          n.dilations[0], false);
  int64_t OW = windowSize(W, kW, n.strides[1], n.pads[1], n.pads[3],
                          n.dilations[1], false);
  Tensor out({N, M, OH, OW});
  int64_t Mg = M / n.group;
  for (int64_t i = 0; i < N; ++i)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double acc = b.data[m];
          int64_t g = m / Mg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t p = 0; p < kH; ++p)
              for (int64_t q = 0; q < kW; ++q) {
                int64_t iy = oy * n.strides[0] + p * n.dilations[0] - n.pads[0];
                int64_t ix = ox * n.strides[1] + q * n.dilations[1] - n.pads[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                  continue;
                acc += double(w.data[((m * Cg + c) * kH + p) * kW + q]) *
                       x.data[((i * C + g * Cg + c) * H + iy) * W + ix];
              }
          out.data[((i * M + m) * OH + oy) * OW + ox] = float(acc);
        }
  return out;
}

/// A convolution with everything that breaks naive indexing: unequal
/// strides, asymmetric pads, dilation and two groups (weights 6×2×kH×kW).
Node awkwardConv() {
  Node n;
  n.kind = OpKind::Conv2D;
  n.strides = {2, 1};
  n.pads = {1, 0, 2, 1};
  n.dilations = {1, 2};
  n.group = 2;
  return n;
}

TEST(RuntimeKernels, ConvMatchesDirectLoopsWithGroupsStridesDilation) {
  Node n = awkwardConv();
  Tensor x = randomTensor({3, 4, 9, 8}, 1), w = randomTensor({6, 2, 3, 2}, 2);
  Tensor b = randomTensor({6}, 3), out;
  ASSERT_EQ(conv2d(x, w, &b, n, out), "");
  Tensor want = naiveConv(x, w, b, n);
  ASSERT_EQ(out.shape, want.shape);
  for (int64_t i = 0; i < out.size(); ++i)
    EXPECT_NEAR(out.data[i], want.data[i], 1e-4) << "element " << i;
}

TEST(RuntimeKernels, EventDrivenSynapsesMatchDenseKernels) {
  // Sparse signed spikes through a strided, dilated, grouped convolution.
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  Tensor x({2, 4, 9, 8});
  for (float &v : x.data)
    v = u(rng) < 0.1f ? (u(rng) < 0.5f ? 1.0f : -1.0f) : 0.0f;
  Tensor w = randomTensor({6, 2, 3, 2}, 12), b = randomTensor({6}, 13);
  Node n = awkwardConv();
  Tensor dense, events;
  ASSERT_EQ(conv2d(x, w, &b, n, dense), "");
  ASSERT_EQ(conv2dEvents(x, transposeConvWeight(w, 2), w.shape, &b, n, events),
            "");
  ASSERT_EQ(dense.shape, events.shape);
  for (int64_t i = 0; i < dense.size(); ++i)
    EXPECT_NEAR(dense.data[i], events.data[i], 1e-5) << i;

  Tensor in({3, 5},
            std::vector<float>{0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  Tensor wd = randomTensor({4, 5}, 14), bd = randomTensor({4}, 15);
  Tensor wt({5, 4});
  for (int64_t m = 0; m < 4; ++m)
    for (int64_t k = 0; k < 5; ++k)
      wt.data[k * 4 + m] = wd.data[m * 5 + k];
  Node g;
  g.kind = OpKind::Gemm;
  g.transB = true;
  ASSERT_EQ(gemm(in, wd, &bd, g, dense), "");
  ASSERT_EQ(denseEvents(in, wt, &bd, events), "");
  for (int64_t i = 0; i < dense.size(); ++i)
    EXPECT_NEAR(dense.data[i], events.data[i], 1e-5) << i;
}

// 3×3 stride-1 convolutions with 16·k outputs per group take the
// register-blocked scatter kernel: blocks of 16 and 32 channels, groups,
// asymmetric and wide padding (outputs no input reaches get the bias only),
// rows wider than one 64-bit spike mask, spike values other than 1.
TEST(RuntimeKernels, BlockedConv3x3EventsMatchDense) {
  std::mt19937 rng(21);
  std::bernoulli_distribution spike(0.3);
  struct Case {
    Shape xs, ws;
    std::vector<int64_t> pads;
    int64_t group;
  };
  for (const Case &k : {Case{{2, 3, 6, 5}, {16, 3, 3, 3}, {1, 1, 1, 1}, 1},
                        Case{{1, 2, 7, 70}, {48, 2, 3, 3}, {0, 1, 2, 0}, 1},
                        Case{{2, 4, 5, 6}, {32, 2, 3, 3}, {3, 2, 0, 4}, 2},
                        Case{{1, 3, 4, 4}, {64, 3, 3, 3}, {0, 0, 0, 0}, 1}}) {
    Tensor x(k.xs), w = randomTensor(k.ws, 22), b = randomTensor({k.ws[0]}, 23);
    for (float &v : x.data)
      v = spike(rng) ? (spike(rng) ? 1.0f : 1.25f) : 0.0f;
    Node n;
    n.kind = OpKind::Conv2D;
    n.strides = {1, 1};
    n.dilations = {1, 1};
    n.pads = k.pads;
    n.group = k.group;
    Tensor dense, events;
    ASSERT_EQ(conv2d(x, w, &b, n, dense), "");
    ASSERT_EQ(conv2dEvents(x, transposeConvWeight(w, k.group), w.shape, &b, n,
                           events),
              "");
    ASSERT_EQ(dense.shape, events.shape);
    for (int64_t i = 0; i < dense.size(); ++i)
      ASSERT_NEAR(dense.data[i], events.data[i],
                  1e-5 * (1 + std::fabs(dense.data[i])))
          << formatShape(k.ws) << " at " << i;
  }
}

TEST(RuntimeKernels, AvgPoolCountsPaddingOnlyWhenAsked) {
  Node n;
  n.kind = OpKind::AvgPool;
  n.kernel = {2, 2};
  n.strides = {2, 2};
  n.pads = {1, 1, 1, 1};
  Tensor x({1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4}), out;
  ASSERT_EQ(pool2d(n, x, out), "");
  EXPECT_EQ(out.shape, (Shape{1, 1, 2, 2}));
  EXPECT_FLOAT_EQ(out.data[0], 1.0f); // only x[0][0] is inside the window
  n.countIncludePad = true;
  ASSERT_EQ(pool2d(n, x, out), "");
  EXPECT_FLOAT_EQ(out.data[0], 0.25f);
}

TEST(RuntimeKernels, MaxPoolCeilModeDropsWindowsInThePadding) {
  Node n;
  n.kind = OpKind::MaxPool;
  n.kernel = {2, 2};
  n.strides = {2, 2};
  n.pads = {1, 1, 1, 1};
  n.dilations = {1, 1};
  n.ceilMode = true;
  Tensor x = randomTensor({1, 1, 5, 5}, 4), out;
  ASSERT_EQ(pool2d(n, x, out), "");
  EXPECT_EQ(out.shape, (Shape{1, 1, 3, 3})); // as torch.nn.MaxPool2d
}

TEST(RuntimeKernels, GemmBroadcastsC) {
  Node n;
  n.kind = OpKind::Gemm;
  n.transB = true;
  n.alpha = 2.0f;
  n.beta = 0.5f;
  Tensor a({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor b({2, 3}, std::vector<float>{1, 0, 0, 0, 1, 0});
  Tensor c({2}, std::vector<float>{10, 20}), out;
  ASSERT_EQ(gemm(a, b, &c, n, out), "");
  EXPECT_EQ(out.data,
            (FloatBuffer{2 * 1 + 5, 2 * 2 + 10, 2 * 4 + 5, 2 * 5 + 10}));
}

TEST(RuntimeKernels, ReshapeCopiesZeroAndInfersMinusOne) {
  Node n;
  n.kind = OpKind::Reshape;
  n.shape = {0, -1};
  Tensor x({4, 2, 3}), out;
  ASSERT_EQ(reshape(n, x, out), "");
  EXPECT_EQ(out.shape, (Shape{4, 6}));
  n.shape = {5, -1};
  EXPECT_NE(reshape(n, x, out), "");
}

TEST(RuntimeExecutor, SameResultOnOneAndTwoThreads) {
  Graph g;
  int in = g.addSlot();
  g.inputs = {in};
  g.inputShapes = {{-1, 1, 12, 12}};
  int w = g.addConstant(randomTensor({8, 1, 3, 3}, 5));
  int b = g.addConstant(randomTensor({8}, 6));
  Node conv;
  conv.kind = OpKind::Conv2D;
  conv.name = "conv";
  conv.strides = {1, 1};
  conv.pads = {1, 1, 1, 1};
  conv.dilations = {1, 1};
  conv.inputs = {in, w, b};
  conv.output = g.addSlot();
  Node relu;
  relu.kind = OpKind::Relu;
  relu.inputs = {conv.output};
  relu.output = g.addSlot();
  g.nodes = {conv, relu};
  g.outputs = {relu.output};

  Tensor x = randomTensor({16, 1, 12, 12}, 7);
  std::vector<Tensor> one, two;
  setNumThreads(1);
  ASSERT_EQ(execute(g, {x}, one), "");
  setNumThreads(2);
  ASSERT_EQ(execute(g, {x}, two), "");
  setNumThreads(0);
  EXPECT_EQ(one[0].data, two[0].data);

  // A wrong input shape is an error that names the input, not a crash.
  std::vector<Tensor> out;
  EXPECT_NE(execute(g, {randomTensor({2, 3, 12, 12}, 8)}, out).find("input 0"),
            std::string::npos);
}

TEST(RuntimeData, IDXRoundTripAndTruncation) {
  std::string path = ::testing::TempDir() + "/tiny-idx3-ubyte";
  {
    std::ofstream f(path, std::ios::binary);
    const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0, 2,
                                    0, 0, 0, 2, 0, 0, 0, 3};
    f.write(reinterpret_cast<const char *>(header), sizeof(header));
    for (int i = 0; i < 12; ++i)
      f.put(char(i * 20));
  }
  IDXArray a;
  ASSERT_EQ(readIDX(path, a), "");
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 2, 3}));
  EXPECT_EQ(a.bytes[11], 220);

  std::string cut = ::testing::TempDir() + "/cut-idx3-ubyte";
  {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, 20);
  }
  EXPECT_NE(readIDX(cut, a).find("truncated data"), std::string::npos);
  EXPECT_NE(readIDX(::testing::TempDir() + "/missing", a).find("cannot open"),
            std::string::npos);
}

TEST(RuntimeData, FashionMNISTTestSplit) {
  ImageDataset d;
  std::string err = loadMNISTLike(kFashionMNISTDir, "test", d);
  if (!err.empty())
    GTEST_SKIP() << err;
  EXPECT_EQ(d.images.shape, (Shape{10000, 1, 28, 28}));
  EXPECT_EQ(d.labels.size(), 10000u);
  EXPECT_EQ(d.labels[0], 9); // the first test image is an ankle boot
}

} // namespace

namespace {

/// Direct loops: out[n, m, y, x] = b[m] + Σ w[m, c, i, j]·x[n, c, y+i−pT,
/// x+j−pL].
Tensor referenceConv3x3(const Tensor &x, const Tensor &w, const Tensor &b,
                        int64_t pT, int64_t pL, int64_t OH, int64_t OW) {
  int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), M = w.dim(0);
  Tensor out({N, M, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t y = 0; y < OH; ++y)
        for (int64_t xx = 0; xx < OW; ++xx) {
          double acc = b.data[m];
          for (int64_t c = 0; c < C; ++c)
            for (int64_t i = 0; i < 3; ++i)
              for (int64_t j = 0; j < 3; ++j) {
                int64_t iy = y + i - pT, ix = xx + j - pL;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                  acc += double(w.data[((m * C + c) * 3 + i) * 3 + j]) *
                         double(x.data[((n * C + c) * H + iy) * W + ix]);
              }
          out.data[((n * M + m) * OH + y) * OW + xx] = float(acc);
        }
  return out;
}

} // namespace

// 3×3 stride-1 convolutions with enough channels take the Winograd path:
// odd and even sizes, symmetric and asymmetric padding.
TEST(RuntimeKernels, Conv3x3MatchesDirectLoops) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  struct Case {
    int64_t C, M, H, W;
    std::vector<int64_t> pads;
  };
  for (const Case &k :
       {Case{8, 8, 7, 7, {1, 1, 1, 1}}, Case{16, 12, 6, 9, {0, 0, 0, 0}},
        Case{9, 10, 5, 8, {2, 1, 0, 2}}, Case{32, 32, 28, 28, {1, 1, 1, 1}}}) {
    Tensor x({2, k.C, k.H, k.W}), w({k.M, k.C, 3, 3}), b({k.M});
    for (float &v : x.data)
      v = d(rng);
    for (float &v : w.data)
      v = d(rng);
    for (float &v : b.data)
      v = d(rng);
    Node n;
    n.kind = OpKind::Conv2D;
    n.strides = {1, 1};
    n.dilations = {1, 1};
    n.pads = k.pads;
    Tensor out;
    ASSERT_EQ(conv2d(x, w, &b, n, out), "");
    int64_t OH = k.H + k.pads[0] + k.pads[2] - 2,
            OW = k.W + k.pads[1] + k.pads[3] - 2;
    Tensor want = referenceConv3x3(x, w, b, k.pads[0], k.pads[1], OH, OW);
    ASSERT_EQ(out.shape, want.shape);
    for (int64_t i = 0; i < out.size(); ++i)
      ASSERT_NEAR(out.data[i], want.data[i],
                  1e-4 * (1 + std::fabs(want.data[i])))
          << "C=" << k.C << " H=" << k.H << " W=" << k.W << " at " << i;
  }
}

// The reference synapses (the order generated code follows) agree with the
// dense kernels, and bit for bit with the documented order written as a
// gather: each output starts at its bias and takes its nonzero inputs in
// ascending (channel, row, column) order, one multiplyAdd each.
TEST(RuntimeKernels, ReferenceSynapsesFollowTheDocumentedOrder) {
  // This file is not built with the runtime's -march flags: round as the
  // runtime does.
  auto multiplyAdd = [](float a, float b, float c) {
    return runtimeUsesFma() ? std::fma(a, b, c) : a * b + c;
  };
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  Tensor x({2, 4, 9, 8});
  for (float &v : x.data)
    v = u(rng) < 0.3f ? u(rng) * 2.0f - 0.5f : 0.0f;
  Tensor w = randomTensor({6, 2, 3, 2}, 22), b = randomTensor({6}, 23);
  Node n = awkwardConv();
  Tensor ref;
  ASSERT_EQ(conv2dReference(x, w, &b, n, ref), "");
  Tensor want = naiveConv(x, w, b, n);
  ASSERT_EQ(ref.shape, want.shape);
  int64_t C = 4, H = 9, W = 8, Cg = 2, Mg = 3, OH = ref.dim(2), OW = ref.dim(3);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t m = 0; m < 6; ++m)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          float acc = b.data[m];
          for (int64_t cl = 0; cl < Cg; ++cl)
            for (int64_t iy = 0; iy < H; ++iy)
              for (int64_t ix = 0; ix < W; ++ix) {
                int64_t p = iy + n.pads[0] - oy * n.strides[0],
                        q = ix + n.pads[1] - ox * n.strides[1];
                if (p < 0 || q < 0 || p % n.dilations[0] || q % n.dilations[1])
                  continue;
                p /= n.dilations[0], q /= n.dilations[1];
                float v =
                    x.data[((i * C + m / Mg * Cg + cl) * H + iy) * W + ix];
                if (p >= 3 || q >= 2 || v == 0.0f)
                  continue;
                acc = multiplyAdd(v, w.data[((m * Cg + cl) * 3 + p) * 2 + q],
                                  acc);
              }
          int64_t o = ((i * 6 + m) * OH + oy) * OW + ox;
          EXPECT_EQ(ref.data[o], acc) << o;
          EXPECT_NEAR(ref.data[o], want.data[o], 1e-4) << o;
        }

  Tensor in = randomTensor({3, 7}, 24), wd = randomTensor({5, 7}, 25),
         bd = randomTensor({5}, 26), dense, denseRef;
  in.data[3] = in.data[10] = 0.0f;
  Node g;
  g.kind = OpKind::Gemm;
  g.transB = true;
  ASSERT_EQ(gemm(in, wd, &bd, g, dense), "");
  Tensor wdT;
  ASSERT_EQ(transpose({1, 0}, wd, wdT), "");
  ASSERT_EQ(denseEvents(in, wdT, &bd, denseRef), "");
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t m = 0; m < 5; ++m) {
      float acc = bd.data[m];
      for (int64_t k = 0; k < 7; ++k)
        if (in.data[r * 7 + k] != 0.0f)
          acc = multiplyAdd(in.data[r * 7 + k], wd.data[m * 7 + k], acc);
      EXPECT_EQ(denseRef.data[r * 5 + m], acc);
      EXPECT_NEAR(denseRef.data[r * 5 + m], dense.data[r * 5 + m], 1e-5);
    }
}

// The ops without a spiking form that torchvision models need: ONNX's
// semantics in the reference executor.
TEST(Kernels, ReduceMeanSliceAndActivations) {
  Tensor x({2, 3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  Tensor m;
  ASSERT_EQ(reduceMean({1, -1}, true, x, m), "");
  EXPECT_EQ(m.shape, (Shape{2, 1, 1}));
  EXPECT_FLOAT_EQ(m.data[0], 3.5f);
  EXPECT_FLOAT_EQ(m.data[1], 9.5f);
  ASSERT_EQ(reduceMean({0}, false, x, m), "");
  EXPECT_EQ(m.shape, (Shape{3, 2}));
  EXPECT_FLOAT_EQ(m.data[0], 4.0f);
  EXPECT_NE(reduceMean({3}, false, x, m), "");

  Node n;
  n.kind = OpKind::Slice;
  n.axes = {1, 2};
  n.starts = {-1, 0};
  n.ends = {std::numeric_limits<int64_t>::min(), 100};
  n.steps = {-2, 1};
  Tensor s;
  ASSERT_EQ(slice(n, x, s), "");
  // Rows 2 and 0 of each sample, backwards.
  EXPECT_EQ(s.shape, (Shape{2, 2, 2}));
  EXPECT_EQ(std::vector<float>(s.data.begin(), s.data.end()),
            (std::vector<float>{5, 6, 1, 2, 11, 12, 7, 8}));
  EXPECT_EQ(sliceLength(6, 5, -7, -2), 3);
  EXPECT_EQ(sliceLength(6, 5, -1, -2), 0);
  EXPECT_EQ(sliceLength(6, -100, 100, 4), 2);

  Tensor a({3}, std::vector<float>{-3, 0, 3}), out;
  Node act;
  act.kind = OpKind::Sigmoid;
  ASSERT_EQ(unary(act, a, out), "");
  EXPECT_NEAR(out.data[1], 0.5f, 1e-7);
  EXPECT_NEAR(out.data[2], 1.0f / (1.0f + std::exp(-3.0f)), 1e-7);
  act.kind = OpKind::HardSwish;
  ASSERT_EQ(unary(act, a, out), "");
  EXPECT_FLOAT_EQ(out.data[0], 0.0f);
  EXPECT_FLOAT_EQ(out.data[2], 3.0f);
  act.kind = OpKind::HardSigmoid;
  act.alpha = 0.2f;
  act.beta = 0.5f;
  ASSERT_EQ(unary(act, a, out), "");
  EXPECT_FLOAT_EQ(out.data[2], 1.0f);
  act.kind = OpKind::Gelu;
  ASSERT_EQ(unary(act, a, out), "");
  EXPECT_NEAR(out.data[2], 3.0f * 0.5f * (1.0f + std::erf(3.0f / std::sqrt(2.0f))),
              1e-6);
}
