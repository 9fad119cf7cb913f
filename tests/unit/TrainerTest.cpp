//===- TrainerTest.cpp - STDB backpropagation: kernels, BPTT, determinism -===//

#include "runtime/ann/Kernels.h"
#include "runtime/sim/Simulator.h"
#include "runtime/tensor/Parallel.h"
#include "runtime/train/GradKernels.h"
#include "runtime/train/STDB.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

using namespace snnrt;

namespace {

Tensor randomTensor(Shape shape, std::mt19937 &rng, float lo = -1.0f,
                    float hi = 1.0f) {
  Tensor t(std::move(shape));
  std::uniform_real_distribution<float> d(lo, hi);
  for (float &v : t.data)
    v = d(rng);
  return t;
}

double dot(const Tensor &a, const Tensor &b) {
  double s = 0;
  for (int64_t i = 0; i < a.size(); ++i)
    s += double(a.data[i]) * double(b.data[i]);
  return s;
}

/// Checks analytic ∂L/∂p against central differences of L(p) = Σ r·f(p) for
/// every element of `p` (f linear in p, so the difference is exact up to
/// rounding).
void expectGradientMatches(Tensor &p, const Tensor &analytic,
                           const std::function<double()> &loss,
                           const char *what) {
  ASSERT_EQ(p.size(), analytic.size()) << what;
  for (int64_t i = 0; i < p.size(); ++i) {
    float keep = p.data[i], h = 1e-2f;
    p.data[i] = keep + h;
    double up = loss();
    p.data[i] = keep - h;
    double down = loss();
    p.data[i] = keep;
    double numeric = (up - down) / (2.0 * double(h));
    EXPECT_NEAR(analytic.data[i], numeric, 2e-3 * (1.0 + std::fabs(numeric)))
        << what << " element " << i;
  }
}

void checkConv(const Node &n, Shape xs, Shape ws, bool bias) {
  std::mt19937 rng(7);
  Tensor x = randomTensor(xs, rng), w = randomTensor(ws, rng);
  Tensor b = randomTensor({ws[0]}, rng), y;
  ASSERT_EQ(conv2d(x, w, bias ? &b : nullptr, n, y), "");
  Tensor r = randomTensor(y.shape, rng);
  auto loss = [&]() {
    Tensor out;
    EXPECT_EQ(conv2d(x, w, bias ? &b : nullptr, n, out), "");
    return dot(out, r);
  };
  for (bool sparse : {false, true}) {
    // The event-driven weight gradient sees only nonzero inputs: zero some.
    if (sparse)
      for (int64_t i = 0; i < x.size(); i += 3)
        x.data[i] = 0.0f;
    Tensor gx, gw, gb;
    ASSERT_EQ(
        conv2dBackward(x, w, n, r, &gx, &gw, bias ? &gb : nullptr, sparse), "");
    expectGradientMatches(x, gx, loss, "conv input");
    expectGradientMatches(w, gw, loss,
                          sparse ? "conv weight (events)" : "conv weight");
    if (bias)
      expectGradientMatches(b, gb, loss, "conv bias");
  }
}

Node convNode(std::vector<int64_t> strides, std::vector<int64_t> pads,
              int64_t group, std::vector<int64_t> dil = {1, 1}) {
  Node n;
  n.kind = OpKind::Conv2D;
  n.strides = strides;
  n.pads = pads;
  n.dilations = dil;
  n.group = group;
  return n;
}

TEST(GradKernels, Conv2DMatchesFiniteDifferences) {
  checkConv(convNode({1, 1}, {1, 1, 1, 1}, 1), {2, 3, 5, 5}, {4, 3, 3, 3},
            true);
  checkConv(convNode({2, 1}, {0, 1, 1, 0}, 2), {2, 4, 6, 5}, {4, 2, 3, 2},
            true);
  checkConv(convNode({1, 1}, {2, 2, 2, 2}, 1, {2, 2}), {1, 2, 5, 5},
            {3, 2, 3, 3}, false);
  checkConv(convNode({1, 1}, {0, 0, 0, 0}, 1), {3, 4, 3, 3}, {5, 4, 1, 1},
            true);
  // Eight or more channels: the Winograd forward pass and input gradient
  // (odd output sizes, asymmetric padding).
  checkConv(convNode({1, 1}, {1, 1, 1, 1}, 1), {2, 8, 5, 5}, {8, 8, 3, 3},
            true);
  checkConv(convNode({1, 1}, {0, 1, 1, 0}, 1), {1, 9, 6, 7}, {10, 9, 3, 3},
            false);
}

// 3×3 stride-1 convolutions with 16·k outputs per group take the
// register-blocked event kernel for ∂L/∂w: against the dense gradient (itself
// checked above) for blocks of 16 and 32 channels, groups, asymmetric and
// wide padding, rows wider than one 64-bit spike mask, spike values ≠ 1.
TEST(GradKernels, BlockedEventConvWeightGradientMatchesDense) {
  struct Case {
    Shape xs, ws;
    std::vector<int64_t> pads;
    int64_t group;
  };
  for (const Case &k : {Case{{2, 3, 6, 5}, {16, 3, 3, 3}, {1, 1, 1, 1}, 1},
                        Case{{1, 2, 7, 70}, {48, 2, 3, 3}, {0, 1, 2, 0}, 1},
                        Case{{2, 4, 5, 6}, {32, 2, 3, 3}, {2, 2, 0, 1}, 2},
                        Case{{1, 3, 4, 4}, {64, 3, 3, 3}, {0, 0, 0, 0}, 1}}) {
    std::mt19937 rng(5);
    Tensor x = randomTensor(k.xs, rng), w = randomTensor(k.ws, rng);
    std::bernoulli_distribution spike(0.3);
    for (float &v : x.data)
      v = spike(rng) ? (v > 0 ? 1.0f : 1.25f) : 0.0f;
    Node n = convNode({1, 1}, k.pads, k.group);
    Tensor y;
    ASSERT_EQ(conv2d(x, w, nullptr, n, y), "");
    Tensor r = randomTensor(y.shape, rng), dense, events;
    ASSERT_EQ(conv2dBackward(x, w, n, r, nullptr, &dense, nullptr, false), "");
    ASSERT_EQ(conv2dBackward(x, w, n, r, nullptr, &events, nullptr, true), "");
    ASSERT_EQ(dense.shape, events.shape);
    for (int64_t i = 0; i < dense.size(); ++i)
      ASSERT_NEAR(events.data[i], dense.data[i],
                  1e-4 * (1 + std::fabs(dense.data[i])))
          << formatShape(k.ws) << " element " << i;
  }
}

TEST(GradKernels, GemmMatchesFiniteDifferences) {
  for (bool transB : {true, false}) {
    std::mt19937 rng(3);
    Node n;
    n.kind = OpKind::Gemm;
    n.transB = transB;
    n.alpha = 0.7f;
    n.beta = 1.5f;
    Tensor a = randomTensor({4, 5}, rng);
    Tensor b = randomTensor(transB ? Shape{3, 5} : Shape{5, 3}, rng);
    Tensor c = randomTensor({3}, rng), y;
    ASSERT_EQ(gemm(a, b, &c, n, y), "");
    Tensor r = randomTensor(y.shape, rng);
    auto loss = [&]() {
      Tensor out;
      EXPECT_EQ(gemm(a, b, &c, n, out), "");
      return dot(out, r);
    };
    for (bool sparse : {false, true}) {
      if (sparse)
        for (int64_t i = 0; i < a.size(); i += 2)
          a.data[i] = 0.0f;
      Tensor ga, gb, gc({3});
      ASSERT_EQ(gemmBackward(a, b, n, r, &ga, &gb, &gc, sparse), "");
      expectGradientMatches(a, ga, loss, "gemm A");
      expectGradientMatches(b, gb, loss, sparse ? "gemm B (events)" : "gemm B");
      expectGradientMatches(c, gc, loss, "gemm C");
    }
  }
}

TEST(GradKernels, AvgPoolMatchesFiniteDifferences) {
  // 3×3 windows with padding (the general path) and 2×2 without (the
  // fixed-divisor fast path).
  for (int64_t k : {3, 2})
    for (bool includePad : {false, true})
      for (bool ceil : {false, true}) {
        std::mt19937 rng(5);
        Node n;
        n.kind = OpKind::AvgPool;
        n.kernel = {k, k};
        n.strides = {2, 2};
        n.pads = k == 3 ? std::vector<int64_t>{1, 1, 1, 1}
                        : std::vector<int64_t>{0, 0, 0, 0};
        n.countIncludePad = includePad;
        n.ceilMode = ceil;
        Tensor x = randomTensor({2, 2, 6, 5}, rng), y;
        ASSERT_EQ(pool2d(n, x, y), "");
        Tensor r = randomTensor(y.shape, rng);
        auto loss = [&]() {
          Tensor out;
          EXPECT_EQ(pool2d(n, x, out), "");
          return dot(out, r);
        };
        Tensor gx;
        ASSERT_EQ(avgPoolBackward(n, x.shape, r, gx), "");
        expectGradientMatches(x, gx, loss, "avgpool input");
      }
}

TEST(GradKernels, BatchNormMatchesFiniteDifferences) {
  // Rows × channels × positions, and a dense layout (no positions).
  for (Shape xs : {Shape{3, 2, 2, 2}, Shape{5, 3}}) {
    std::mt19937 rng(9);
    Tensor x = randomTensor(xs, rng, -1.0f, 2.0f);
    int64_t C = xs[1];
    Tensor gamma = randomTensor({C}, rng, 0.5f, 1.5f),
           beta = randomTensor({C}, rng);
    auto vec = [](const Tensor &t) {
      return std::vector<float>(t.data.begin(), t.data.end());
    };
    auto forward = [&](Tensor in, BatchNormBatch &stats, Tensor &xhat) {
      EXPECT_EQ(batchNormTrain(in, vec(gamma), vec(beta), 1e-5f, stats, xhat),
                "");
      return in;
    };
    BatchNormBatch stats;
    Tensor xhat, y = forward(x, stats, xhat);
    // Standardized per channel: mean 0, variance 1 before γ, β.
    int64_t inner = x.size() / (xs[0] * C);
    for (int64_t c = 0; c < C; ++c) {
      double m = 0, v = 0;
      for (int64_t r = 0; r < xs[0]; ++r)
        for (int64_t i = 0; i < inner; ++i) {
          float h = xhat.data[size_t((r * C + c) * inner + i)];
          m += h;
          v += double(h) * h;
        }
      double n = double(xs[0] * inner);
      EXPECT_NEAR(m / n, 0.0, 1e-5);
      EXPECT_NEAR(v / n, 1.0, 1e-3);
    }
    Tensor r = randomTensor(y.shape, rng);
    auto loss = [&]() {
      BatchNormBatch s;
      Tensor h;
      return dot(forward(x, s, h), r);
    };
    Tensor gx = r, gGamma({C}), gBeta({C});
    batchNormBackward(gx, xhat, vec(gamma), stats, gGamma.ptr(), gBeta.ptr());
    // Not linear in x: a smaller step than expectGradientMatches takes.
    for (int64_t i = 0; i < x.size(); ++i) {
      float keep = x.data[size_t(i)], h = 1e-3f;
      x.data[size_t(i)] = keep + h;
      double up = loss();
      x.data[size_t(i)] = keep - h;
      double down = loss();
      x.data[size_t(i)] = keep;
      double numeric = (up - down) / (2.0 * double(h));
      EXPECT_NEAR(gx.data[size_t(i)], numeric,
                  1e-2 * (1.0 + std::fabs(numeric)))
          << "batch-norm input element " << i;
    }
    // Linear in γ and β.
    expectGradientMatches(gamma, gGamma, loss, "batch-norm scale");
    expectGradientMatches(beta, gBeta, loss, "batch-norm shift");
    // With fixed statistics the map is affine: ∂L/∂x = γ/σ·g.
    Tensor gFixed = r, unused({C}), unused2({C});
    batchNormBackward(gFixed, xhat, vec(gamma), stats, unused.ptr(),
                      unused2.ptr(), /*throughStatistics=*/false);
    for (int64_t i = 0; i < x.size(); ++i) {
      size_t c = size_t((i / inner) % C);
      EXPECT_NEAR(gFixed.data[size_t(i)],
                  r.data[size_t(i)] * gamma.data[c] * stats.invStd[c], 1e-5);
    }
    // The inference form with the batch's statistics gives the same output.
    Tensor z = x;
    ASSERT_EQ(batchNormApply(z, vec(gamma), vec(beta), stats.mean,
                             stats.variance, 1e-5f),
              "");
    for (int64_t i = 0; i < x.size(); ++i)
      EXPECT_NEAR(z.data[size_t(i)], y.data[size_t(i)], 1e-5);
  }
}

TEST(GradKernels, SpikeGatedMaxPoolReportsTheForwardedInput) {
  Node n;
  n.kernel = {2, 2};
  n.strides = {2, 2};
  n.pads = {0, 0, 0, 0};
  Tensor counts, out;
  std::vector<int32_t> idx;
  // Step 1: inputs 1 and 3 spike; the first in row-major order wins.
  Tensor a({1, 1, 2, 2}, std::vector<float>{0, 1, 0, 1});
  ASSERT_EQ(spikeGatedMaxPool(n, a, counts, out, &idx), "");
  EXPECT_EQ(idx, std::vector<int32_t>{1});
  // Step 2: inputs 1 and 3 have one spike each so far (a tie); input 3
  // spikes now and wins.
  Tensor b({1, 1, 2, 2}, std::vector<float>{0, 0, 0, 1});
  ASSERT_EQ(spikeGatedMaxPool(n, b, counts, out, &idx), "");
  EXPECT_EQ(idx, std::vector<int32_t>{3});
  EXPECT_EQ(out.data[0], 1.0f);
}

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

struct NetBuilder {
  Network net;
  int current = -1;
  explicit NetBuilder(Shape input, int64_t T) {
    current = net.addSlot();
    net.inputs = {current};
    net.inputShapes = {input};
    net.timesteps = T;
  }
  Layer &add(LayerKind kind, std::vector<int> extra = {}) {
    Layer l;
    l.kind = kind;
    l.name = "layer" + std::to_string(net.layers.size());
    l.inputs = {current};
    l.inputs.insert(l.inputs.end(), extra.begin(), extra.end());
    l.output = net.addSlot();
    current = l.output;
    net.layers.push_back(l);
    return net.layers.back();
  }
  void dense(Tensor w, std::optional<Tensor> b = std::nullopt) {
    std::vector<int> extra = {net.addConstant(std::move(w))};
    if (b)
      extra.push_back(net.addConstant(std::move(*b)));
    Layer &l = add(LayerKind::Dense, extra);
    l.op.kind = OpKind::Gemm;
    l.op.transB = true;
  }
  void neuron(float th, float leak, Reset reset) {
    Layer &l = add(LayerKind::Neuron);
    l.threshold = {th};
    l.leak = leak;
    l.leaky = leak != 1.0f;
    l.reset = reset;
  }
  void finish() {
    add(LayerKind::Accumulate);
    net.outputs = {current};
  }
};

/// The hand-computed example: x = [1, 0.5] (direct) → dense W1 → IF (V_th 1,
/// subtract) → dense W2 → accumulate, T = 3, label 0.
TEST(STDB, OneStepOnTwoLayersMatchesHandComputation) {
  NetBuilder b({1, 2}, 3);
  b.add(LayerKind::EncodeDirect);
  b.dense(Tensor({2, 2}, std::vector<float>{0.6f, 0.2f, 0.1f, 0.3f}));
  b.neuron(1.0f, 1.0f, Reset::Subtract);
  b.dense(Tensor({2, 2}, std::vector<float>{1.0f, -1.0f, 0.5f, 0.5f}));
  b.finish();
  StdbOptions o;
  o.alpha = 0.3f;
  o.beta = 0.01f;
  o.firstSpikeAge = 2;
  std::unique_ptr<StdbTrainer> trainer;
  ASSERT_EQ(StdbTrainer::create(b.net, o, trainer), "");
  BatchResult r;
  ASSERT_EQ(
      trainer->computeGradients(Tensor({1, 2}, std::vector<float>{1.0f, 0.5f}),
                                {0}, 0, true, r),
      "");
  // Currents 0.7 and 0.25. Neuron 0: u = 0.7, 1.4 → spike (0.4), 1.1 →
  // spike (0.1): spikes at steps 1, 2; neuron 1 never reaches 1.
  // Readout: 2·W2[:, 0] = [2, 1]; logits / T = [2/3, 1/3].
  double p0 = 1.0 / (1.0 + std::exp(-1.0 / 3.0)), p1 = 1.0 - p0;
  EXPECT_NEAR(r.loss, -std::log(p0), 1e-6);
  EXPECT_EQ(r.correct, 1);
  double g0 = (p0 - 1.0) / 3.0, g1 = p1 / 3.0; // ∂L/∂accumulator
  auto &params = trainer->parameters();
  ASSERT_EQ(params.size(), 2u);
  // ∂L/∂W2[j][i] = g_j · (spike count of i) = g_j · [2, 0].
  std::vector<double> gW2 = {2 * g0, 0, 2 * g1, 0};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(params[1].grad[i], gW2[i], 1e-6) << "W2 " << i;
  // ∂L/∂o_i = Σ_j W2[j][i]·g_j at every step; surrogate α·exp(−β·Δt) with
  // Δt = steps since the last spike (2 before any: firstSpikeAge), V_th = 1.
  auto s = [](double age) { return 0.3 * std::exp(-0.01 * age); };
  double go0 = 1.0 * g0 + 0.5 * g1, go1 = -1.0 * g0 + 0.5 * g1;
  // BPTT with λ = 1: ∂L/∂I[t] = Σ_{t' ≥ t} ∂L/∂o[t']·s(Δt[t']), so
  // Σ_t ∂L/∂I[t] = Σ_t' (t' + 1)·∂L/∂o[t']·s(Δt[t']).
  double sum0 = go0 * (1 * s(2) + 2 * s(3) + 3 * s(1)); // ages 2, 3, 1
  double sum1 = go1 * (1 * s(2) + 2 * s(3) + 3 * s(4)); // ages 2, 3, 4
  std::vector<double> gW1 = {sum0 * 1.0, sum0 * 0.5, sum1 * 1.0, sum1 * 0.5};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(params[0].grad[i], gW1[i], 1e-6) << "W1 " << i;

  // First-spike age 0: no gradient before a neuron's first spike. Neuron 1
  // never spikes; neuron 0's only surrogate is at step 2 (Δt = 1).
  {
    StdbOptions o0 = o;
    o0.firstSpikeAge = 0;
    Network net0 = b.net;
    std::unique_ptr<StdbTrainer> t0;
    ASSERT_EQ(StdbTrainer::create(net0, o0, t0), "");
    BatchResult r0;
    ASSERT_EQ(
        t0->computeGradients(Tensor({1, 2}, std::vector<float>{1.0f, 0.5f}),
                             {0}, 0, true, r0),
        "");
    double only0 = go0 * 3 * s(1);
    std::vector<double> want = {only0, only0 * 0.5, 0.0, 0.0};
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(t0->parameters()[0].grad[i], want[i], 1e-6) << "W1 " << i;
  }

  // One SGD step without momentum or decay: W ← W − 0.1·∂L/∂W.
  OptimizerOptions so;
  so.kind = OptimizerKind::SGD;
  so.momentum = 0.0f;
  so.weightDecay = 0.0f;
  Optimizer opt(so, params);
  opt.step(0.1f);
  std::vector<double> w1 = {0.6, 0.2, 0.1, 0.3};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(params[0].data[i], w1[i] - 0.1 * gW1[i], 1e-6);
}

/// Poisson input → dense → LIF (zero reset) → dense → IF (subtract) →
/// residual add with the LIF spikes → dense → accumulate.
NetBuilder residualNet(std::mt19937 &rng, int64_t T) {
  NetBuilder b({-1, 6}, T);
  Layer &enc = b.add(LayerKind::EncodePoisson);
  enc.seed = 11;
  b.dense(randomTensor({5, 6}, rng, -0.3f, 1.0f),
          randomTensor({5}, rng, 0, 0.2f));
  b.neuron(0.8f, 0.9f, Reset::Zero);
  int skip = b.current;
  b.dense(randomTensor({5, 5}, rng, -0.3f, 1.0f));
  b.neuron(1.0f, 1.0f, Reset::Subtract);
  b.add(LayerKind::Add, {skip});
  b.dense(randomTensor({3, 5}, rng), randomTensor({3}, rng));
  b.finish();
  return b;
}

/// Textbook BPTT written step by step with scalar loops, for residualNet.
struct ReferenceBPTT {
  int64_t T, N;
  float alpha = 0.3f, beta = 0.01f;
  int64_t firstAge = 1000;
  Surrogate surrogate = Surrogate::Stdb;
  float width = 0.5f, kappa = 0.0f;
  bool mse = false;
  std::vector<float> W1, b1, W2, W3, b3;

  /// ∂o/∂u of a neuron with potential u (before reset), threshold th and
  /// `age` steps since its last spike.
  float sur(float u, float th, int64_t age) const {
    switch (surrogate) {
    case Surrogate::Rectangular:
      return std::fabs(u - th) < width ? 1.0f : 0.0f;
    case Surrogate::Spatial:
      return u >= th ? 1.0f / u : 0.0f;
    default:
      return alpha * std::exp(-beta * float(age)) / th;
    }
  }
  uint64_t seed;
  std::vector<double> gW1, gb1, gW2, gW3, gb3;
  double loss = 0;

  void run(const Tensor &x, const std::vector<int> &labels) {
    const int I = 6, H = 5, C = 3;
    gW1.assign(W1.size(), 0);
    gb1.assign(b1.size(), 0);
    gW2.assign(W2.size(), 0);
    gW3.assign(W3.size(), 0);
    gb3.assign(b3.size(), 0);
    loss = 0;
    for (int64_t n = 0; n < N; ++n) {
      // Forward, keeping every step.
      std::vector<std::vector<float>> in(T, std::vector<float>(I)),
          o1(T, std::vector<float>(H)), o2(T, std::vector<float>(H)),
          s1(T, std::vector<float>(H)), s2(T, std::vector<float>(H)),
          res(T, std::vector<float>(H));
      std::vector<float> u1(H, 0), u2(H, 0), acc(C, 0);
      std::vector<int64_t> last1(H, -firstAge), last2(H, -firstAge);
      for (int64_t t = 0; t < T; ++t) {
        for (int i = 0; i < I; ++i) {
          float v = x.data[n * I + i];
          if (counterUniform(seed, uint64_t(t), uint64_t(i)) < std::fabs(v))
            in[t][i] = v > 0 ? 1.0f : -1.0f;
        }
        for (int h = 0; h < H; ++h) {
          float cur = b1[h];
          for (int i = 0; i < I; ++i)
            cur += W1[h * I + i] * in[t][i];
          u1[h] = 0.9f * u1[h] + cur;
          s1[t][h] = sur(u1[h], 0.8f, t - last1[h]);
          if (u1[h] >= 0.8f) {
            o1[t][h] = 1;
            u1[h] = 0;
            last1[h] = t;
          }
        }
        for (int h = 0; h < H; ++h) {
          float cur = 0;
          for (int k = 0; k < H; ++k)
            cur += W2[h * H + k] * o1[t][k];
          u2[h] = u2[h] + cur;
          s2[t][h] = sur(u2[h], 1.0f, t - last2[h]);
          if (u2[h] >= 1.0f) {
            o2[t][h] = 1;
            u2[h] -= 1.0f;
            last2[h] = t;
          }
          res[t][h] = o1[t][h] + o2[t][h];
        }
        for (int c = 0; c < C; ++c) {
          float cur = b3[c];
          for (int h = 0; h < H; ++h)
            cur += W3[c * H + h] * res[t][h];
          acc[c] += cur;
        }
      }
      std::vector<double> ga(C);
      if (mse) { // rates against the one-hot label
        for (int c = 0; c < C; ++c) {
          double d = acc[c] / double(T) - (c == labels[n]);
          loss += d * d / double(C * N);
          ga[c] = 2.0 * d / (double(T) * double(C) * double(N));
        }
      }
      // Loss and ∂L/∂accumulator.
      double zmax = *std::max_element(acc.begin(), acc.end()) / double(T);
      double sum = 0;
      for (int c = 0; c < C; ++c)
        sum += std::exp(acc[c] / double(T) - zmax);
      if (!mse) {
        loss +=
            -(acc[labels[n]] / double(T) - zmax - std::log(sum)) / double(N);
        for (int c = 0; c < C; ++c)
          ga[c] =
              (std::exp(acc[c] / double(T) - zmax) / sum - (c == labels[n])) /
              (double(N) * double(T));
      }
      // Backward through time.
      std::vector<double> g1next(H, 0), g2next(H, 0);
      for (int64_t t = T - 1; t >= 0; --t) {
        std::vector<double> gres(H, 0);
        for (int c = 0; c < C; ++c) {
          gb3[c] += ga[c];
          for (int h = 0; h < H; ++h) {
            gW3[c * H + h] += ga[c] * res[t][h];
            gres[h] += ga[c] * W3[c * H + h];
          }
        }
        std::vector<double> gu2(H), go1(gres);
        for (int h = 0; h < H; ++h) {
          // u2 after reset = u2 − o2 (reset carries no gradient): ∂ = 1.
          gu2[h] = gres[h] * s2[t][h] + g2next[h];
          g2next[h] = 1.0 * gu2[h];
        }
        for (int h = 0; h < H; ++h)
          for (int k = 0; k < H; ++k) {
            gW2[h * H + k] += gu2[h] * o1[t][k];
            go1[k] += gu2[h] * W2[h * H + k];
          }
        for (int h = 0; h < H; ++h) {
          // Zero reset: no gradient through a reset potential, except
          // BPTA's κ·∂o/∂u.
          double gu1 = go1[h] * s1[t][h] +
                       (o1[t][h] ? kappa * s1[t][h] * g1next[h] : g1next[h]);
          g1next[h] = 0.9 * gu1;
          gb1[h] += gu1;
          for (int i = 0; i < I; ++i)
            gW1[h * I + i] += gu1 * in[t][i];
        }
      }
    }
  }
};

/// The reference for a trainer's network built by residualNet: its weights
/// and the Poisson seed the trainer derives from `noise`.
ReferenceBPTT referenceFor(const Network &net, int64_t T, int64_t N,
                           uint64_t noise) {
  ReferenceBPTT ref;
  ref.T = T;
  ref.N = N;
  ref.seed = splitmix64(11 ^ noise);
  auto c = [&](int slot) {
    const FloatBuffer &d = net.constants[slot]->data;
    return std::vector<float>(d.begin(), d.end());
  };
  const auto &L = net.layers;
  ref.W1 = c(L[1].inputs[1]);
  ref.b1 = c(L[1].inputs[2]);
  ref.W2 = c(L[3].inputs[1]);
  ref.W3 = c(L[6].inputs[1]);
  ref.b3 = c(L[6].inputs[2]);
  return ref;
}

void expectClose(const std::vector<float> &got, const std::vector<double> &want,
                 const char *what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5 + 1e-4 * std::fabs(want[i]))
        << what << " element " << i;
}

TEST(STDB, ResidualLIFNetworkMatchesReferenceBPTT) {
  std::mt19937 rng(21);
  int64_t T = 7, N = 4;
  NetBuilder b = residualNet(rng, T);
  Tensor x = randomTensor({N, 6}, rng, -1.0f, 1.0f);
  std::vector<int> labels = {0, 2, 1, 2};
  for (int64_t segment : {0, 3}) {
    StdbOptions o;
    o.segment = segment;
    std::unique_ptr<StdbTrainer> trainer;
    Network net = b.net;
    ASSERT_EQ(StdbTrainer::create(net, o, trainer), "");
    BatchResult r;
    uint64_t noise = 99;
    ASSERT_EQ(trainer->computeGradients(x, labels, noise, true, r), "");
    ReferenceBPTT ref = referenceFor(net, T, N, noise);
    ref.run(x, labels);
    EXPECT_NEAR(r.loss, ref.loss, 1e-5);
    auto &p = trainer->parameters();
    ASSERT_EQ(p.size(), 5u);
    expectClose(p[0].grad, ref.gW1, "W1");
    expectClose(p[1].grad, ref.gb1, "b1");
    expectClose(p[2].grad, ref.gW2, "W2");
    expectClose(p[3].grad, ref.gW3, "W3");
    expectClose(p[4].grad, ref.gb3, "b3");
  }
}

// A concat of the two spike trains followed by dense [W3 | W3] computes
// W3·(o1 + o2): the residual network's forward. Its gradients must be the
// reference's, with ∂L/∂[W3 | W3] split in two halves that add up to ∂L/∂W3;
// the simulator must give the same logits.
TEST(STDB, ConcatMatchesTheResidualReference) {
  // Also with the concatenation's 10 channels reversed by a channel gather
  // (and W3's columns with them).
  for (bool permuted : {false, true}) {
  std::mt19937 rng(21);
  int64_t T = 7, N = 4;
  NetBuilder res = residualNet(rng, T);
  Tensor x = randomTensor({N, 6}, rng, -1.0f, 1.0f);
  std::vector<int> labels = {0, 2, 1, 2};
  // The same network with Add replaced by Concat and W3 doubled.
  std::vector<int64_t> order(10);
  for (int64_t k = 0; k < 10; ++k)
    order[size_t(k)] = permuted ? 9 - k : k;
  NetBuilder cat({-1, 6}, T);
  {
    const auto &L = res.net.layers;
    Layer &enc = cat.add(LayerKind::EncodePoisson);
    enc.seed = 11;
    cat.dense(*res.net.constants[L[1].inputs[1]],
              *res.net.constants[L[1].inputs[2]]);
    cat.neuron(0.8f, 0.9f, Reset::Zero);
    int skip = cat.current;
    cat.dense(*res.net.constants[L[3].inputs[1]]);
    cat.neuron(1.0f, 1.0f, Reset::Subtract);
    Layer &join = cat.add(LayerKind::Concat, {skip});
    join.op.kind = OpKind::Concat;
    join.op.axis = 1;
    if (permuted) {
      Layer &gather = cat.add(LayerKind::GatherChannels);
      gather.op.perm = order;
    }
    const Tensor &w3 = *res.net.constants[L[6].inputs[1]];
    Tensor wide({3, 10});
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 10; ++k) // column k reads concat channel order[k]
        wide.data[c * 10 + k] = w3.data[c * 5 + order[size_t(k)] % 5];
    cat.dense(wide, *res.net.constants[L[6].inputs[2]]);
    cat.finish();
  }
  StdbOptions o;
  std::unique_ptr<StdbTrainer> trainer;
  Network net = cat.net;
  ASSERT_EQ(StdbTrainer::create(net, o, trainer), "");
  BatchResult r;
  uint64_t noise = 99;
  ASSERT_EQ(trainer->computeGradients(x, labels, noise, true, r), "");
  ReferenceBPTT ref = referenceFor(res.net, T, N, noise);
  ref.run(x, labels);
  EXPECT_NEAR(r.loss, ref.loss, 1e-5);
  auto &p = trainer->parameters();
  ASSERT_EQ(p.size(), 5u);
  expectClose(p[0].grad, ref.gW1, "W1");
  expectClose(p[1].grad, ref.gb1, "b1");
  expectClose(p[2].grad, ref.gW2, "W2");
  std::vector<float> folded(15, 0.0f);
  for (int c = 0; c < 3; ++c)
    for (int k = 0; k < 10; ++k)
      folded[c * 5 + order[size_t(k)] % 5] += p[3].grad[c * 10 + k];
  expectClose(folded, ref.gW3, "W3 halves");
  expectClose(p[4].grad, ref.gb3, "b3");

  SimOptions so;
  so.timesteps = T;
  SimResult a, bres;
  ASSERT_EQ(simulate(cat.net, {x}, so, a), "");
  ASSERT_EQ(simulate(res.net, {x}, so, bres), "");
  for (int64_t i = 0; i < a.outputs.back()[0].size(); ++i)
    EXPECT_NEAR(a.outputs.back()[0].data[i], bres.outputs.back()[0].data[i],
                1e-4);
  }
}

// The surrogates and loss of the BPSTA study (seed 001) against the same
// reference: rectangular and spatial (BPSA) surrogates, the temporal
// adjustment κ across the zero reset (BPTA), and the rate MSE loss.
TEST(STDB, BpstaVariantsMatchReferenceBPTT) {
  struct Case {
    Surrogate surrogate;
    float kappa;
    bool mse;
  };
  for (Case k : {Case{Surrogate::Rectangular, 0.0f, true},
                 Case{Surrogate::Spatial, 0.0f, true},
                 Case{Surrogate::Spatial, 0.2f, true},
                 Case{Surrogate::Rectangular, 0.2f, false},
                 Case{Surrogate::Stdb, 0.2f, false}}) {
    std::mt19937 rng(23);
    int64_t T = 8, N = 5;
    NetBuilder b = residualNet(rng, T);
    Tensor x = randomTensor({N, 6}, rng, -1.0f, 1.0f);
    std::vector<int> labels = {0, 2, 1, 2, 1};
    StdbOptions o;
    o.surrogate = k.surrogate;
    o.kappa = k.kappa;
    o.loss = k.mse ? LossKind::RateMse : LossKind::CrossEntropy;
    std::unique_ptr<StdbTrainer> trainer;
    Network net = b.net;
    ASSERT_EQ(StdbTrainer::create(net, o, trainer), "");
    BatchResult r;
    ASSERT_EQ(trainer->computeGradients(x, labels, 7, true, r), "");
    ReferenceBPTT ref = referenceFor(net, T, N, 7);
    ref.surrogate = k.surrogate;
    ref.kappa = k.kappa;
    ref.mse = k.mse;
    ref.run(x, labels);
    SCOPED_TRACE(::testing::Message()
                 << "surrogate " << int(k.surrogate) << " kappa " << k.kappa
                 << " mse " << k.mse);
    EXPECT_NEAR(r.loss, ref.loss, 1e-5);
    auto &p = trainer->parameters();
    expectClose(p[0].grad, ref.gW1, "W1");
    expectClose(p[1].grad, ref.gb1, "b1");
    expectClose(p[2].grad, ref.gW2, "W2");
    expectClose(p[3].grad, ref.gW3, "W3");
    // A variant that changes nothing would not be tested: the first-layer
    // gradient must be nonzero.
    double norm = 0;
    for (float g : p[0].grad)
      norm += std::fabs(g);
    EXPECT_GT(norm, 1e-6);
  }
}

/// A small convolutional network with every trainable layer kind.
Network convNet(std::mt19937 &rng, bool maxPool) {
  NetBuilder b({-1, 1, 6, 6}, 6);
  b.add(LayerKind::EncodeDirect);
  auto conv = [&](Tensor w, Tensor bias) {
    std::vector<int> extra = {b.net.addConstant(std::move(w)),
                              b.net.addConstant(std::move(bias))};
    Layer &l = b.add(LayerKind::Conv2D, extra);
    l.op = convNode({1, 1}, {1, 1, 1, 1}, 1);
  };
  conv(randomTensor({3, 1, 3, 3}, rng, -0.2f, 0.8f), randomTensor({3}, rng));
  b.neuron(0.7f, 1.0f, Reset::Subtract);
  conv(randomTensor({4, 3, 3, 3}, rng, -0.2f, 0.6f), randomTensor({4}, rng));
  b.neuron(1.0f, 0.95f, Reset::Subtract);
  Layer &pool = b.add(maxPool ? LayerKind::MaxPool : LayerKind::AvgPool);
  pool.op.kind = maxPool ? OpKind::MaxPool : OpKind::AvgPool;
  pool.op.kernel = {2, 2};
  pool.op.strides = {2, 2};
  pool.op.pads = {0, 0, 0, 0};
  Layer &flat = b.add(LayerKind::Flatten);
  flat.op.kind = OpKind::Flatten;
  flat.op.axis = 1;
  b.dense(randomTensor({4, 36}, rng), randomTensor({4}, rng));
  b.finish();
  return b.net;
}

TEST(STDB, RecomputationGivesTheSameGradients) {
  for (bool maxPool : {false, true}) {
    std::mt19937 rng(4);
    Network base = convNet(rng, maxPool);
    Tensor x = randomTensor({3, 1, 6, 6}, rng, 0.0f, 1.0f);
    std::vector<std::vector<float>> grads[2];
    for (int mode = 0; mode < 2; ++mode) {
      Network net = base;
      StdbOptions o;
      o.segment = mode == 0 ? 0 : 4; // 6 steps: segments of 4 and 2
      o.dropout = 0.2f;
      o.trainThreshold = true;
      o.trainLeak = true;
      std::unique_ptr<StdbTrainer> trainer;
      ASSERT_EQ(StdbTrainer::create(net, o, trainer), "");
      BatchResult r;
      ASSERT_EQ(trainer->computeGradients(x, {1, 3, 0}, 5, true, r), "");
      for (auto &p : trainer->parameters())
        grads[mode].push_back(p.grad);
    }
    ASSERT_EQ(grads[0].size(), grads[1].size());
    for (size_t k = 0; k < grads[0].size(); ++k)
      for (size_t i = 0; i < grads[0][k].size(); ++i)
        EXPECT_NEAR(grads[0][k][i], grads[1][k][i],
                    1e-5 + 1e-4 * std::fabs(grads[0][k][i]))
            << "parameter " << k << " element " << i;
  }
}

TEST(STDB, TrainingIsDeterministicForASeed) {
  auto train = [](int threads) {
    setNumThreads(threads);
    std::mt19937 rng(8);
    Network net = convNet(rng, true);
    Tensor x = randomTensor({5, 1, 6, 6}, rng, 0.0f, 1.0f);
    StdbOptions o;
    o.dropout = 0.1f;
    std::unique_ptr<StdbTrainer> trainer;
    EXPECT_EQ(StdbTrainer::create(net, o, trainer), "");
    OptimizerOptions oo;
    oo.learningRate = 1e-2f;
    Optimizer opt(oo, trainer->parameters());
    for (int step = 0; step < 4; ++step) {
      BatchResult r;
      EXPECT_EQ(
          trainer->computeGradients(x, {0, 1, 2, 3, 0}, step + 1, true, r), "");
      opt.step(1e-2f);
    }
    std::vector<float> all;
    for (auto &p : trainer->parameters())
      all.insert(all.end(), p.data, p.data + p.size);
    setNumThreads(0);
    return all;
  };
  for (int threads : {1, 2}) {
    std::vector<float> a = train(threads), b = train(threads);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_EQ(a[i], b[i]) << threads << " threads, element " << i;
  }
}

TEST(STDB, TrainingLowersTheLoss) {
  std::mt19937 rng(12);
  Network net = convNet(rng, false);
  Tensor x = randomTensor({8, 1, 6, 6}, rng, 0.0f, 1.0f);
  std::vector<int> labels = {0, 1, 2, 3, 0, 1, 2, 3};
  StdbOptions o;
  std::unique_ptr<StdbTrainer> trainer;
  ASSERT_EQ(StdbTrainer::create(net, o, trainer), "");
  OptimizerOptions oo;
  Optimizer opt(oo, trainer->parameters());
  BatchResult first, r;
  ASSERT_EQ(trainer->computeGradients(x, labels, 0, false, first), "");
  for (int step = 0; step < 60; ++step) {
    ASSERT_EQ(trainer->computeGradients(x, labels, 0, false, r), "");
    opt.step(3e-2f);
  }
  ASSERT_EQ(trainer->computeGradients(x, labels, 0, false, r), "");
  EXPECT_LT(r.loss, 0.5 * first.loss);
}

/// convNet with event-frame input: every sample's T frames are its image.
Network eventConvNet(Network net, Tensor &x, int64_t T) {
  Shape s = net.inputShapes[0];
  net.inputShapes[0] = {s[0], T, s[1], s[2], s[3]};
  net.layers[0].kind = LayerKind::EncodeEvents;
  Tensor frames({x.dim(0), T, x.dim(1), x.dim(2), x.dim(3)});
  int64_t per = x.size() / x.dim(0);
  for (int64_t n = 0; n < x.dim(0); ++n)
    for (int64_t t = 0; t < T; ++t)
      std::copy_n(x.ptr() + n * per, per, frames.ptr() + (n * T + t) * per);
  x = std::move(frames);
  return net;
}

// Batch-norm (BPSTA's networks): the first convolution's current is the
// same at every step with direct input and is normalized in constant form;
// with event frames that repeat the image it is normalized per step. Both
// must give the same gradients.
TEST(STDB, BatchNormGivesTheSameGradientsInConstantAndPerStepForm) {
  std::mt19937 rng(31);
  Network direct = convNet(rng, false);
  Tensor x = randomTensor({4, 1, 6, 6}, rng, 0.0f, 1.0f), frames = x;
  Network events = eventConvNet(direct, frames, direct.timesteps);
  std::vector<std::vector<float>> grads[2];
  for (int form = 0; form < 2; ++form) {
    Network net = form == 0 ? direct : events;
    StdbOptions o;
    o.batchNorm = true;
    o.surrogate = Surrogate::Spatial;
    o.kappa = 0.2f;
    std::unique_ptr<StdbTrainer> trainer;
    ASSERT_EQ(StdbTrainer::create(net, o, trainer), "");
    EXPECT_TRUE(trainer->hasBatchNorm());
    BatchResult r;
    ASSERT_EQ(trainer->computeGradients(form == 0 ? x : frames, {0, 1, 2, 3}, 3,
                                        true, r),
              "");
    for (auto &p : trainer->parameters())
      grads[form].push_back(p.grad);
  }
  ASSERT_EQ(grads[0].size(), grads[1].size());
  // conv, conv, dense weights and biases, γ, β and running statistics of
  // the two normalized convolutions.
  EXPECT_EQ(grads[0].size(), 6u + 8u);
  double norm = 0;
  for (size_t k = 0; k < grads[0].size(); ++k)
    for (size_t i = 0; i < grads[0][k].size(); ++i) {
      norm += std::fabs(grads[0][k][i]);
      EXPECT_NEAR(grads[0][k][i], grads[1][k][i],
                  1e-5 + 1e-3 * std::fabs(grads[0][k][i]))
          << "parameter " << k << " element " << i;
    }
  EXPECT_GT(norm, 1e-4);
}

// After training with batch-norm, the inference pass (running statistics)
// and the network with batch-norm folded into its weights and biases give
// the same outputs; the running statistics have moved from their start.
TEST(STDB, BatchNormFoldsIntoTheSynapses) {
  std::mt19937 rng(17);
  Network net = convNet(rng, false);
  Tensor x = randomTensor({6, 1, 6, 6}, rng, 0.0f, 1.0f);
  std::vector<int> labels = {0, 1, 2, 3, 0, 1};
  StdbOptions o;
  o.batchNorm = true;
  o.loss = LossKind::RateMse;
  std::unique_ptr<StdbTrainer> trainer;
  ASSERT_EQ(StdbTrainer::create(net, o, trainer), "");
  OptimizerOptions oo;
  oo.learningRate = 1e-2f;
  oo.decoupledDecay = true;
  Optimizer opt(oo, trainer->parameters());
  BatchResult r;
  for (int step = 0; step < 5; ++step) {
    ASSERT_EQ(trainer->computeGradients(x, labels, 0, true, r), "");
    opt.step(1e-2f);
  }
  bool moved = false;
  for (const Parameter &p : trainer->parameters())
    if (p.name.find("running variance") != std::string::npos)
      for (int64_t i = 0; i < p.size; ++i)
        moved |= p.data[i] != 1.0f;
  EXPECT_TRUE(moved);
  BatchResult inference, folded;
  ASSERT_EQ(trainer->computeGradients(x, labels, 0, false, inference), "");
  Network plain;
  ASSERT_EQ(trainer->foldBatchNorm(plain), "");
  std::unique_ptr<StdbTrainer> check;
  StdbOptions po = o;
  po.batchNorm = false;
  ASSERT_EQ(StdbTrainer::create(plain, po, check), "");
  ASSERT_EQ(check->computeGradients(x, labels, 0, false, folded), "");
  EXPECT_NEAR(inference.loss, folded.loss, 1e-5);
  EXPECT_EQ(inference.correct, folded.correct);
  // The simulator on the folded network agrees with the trainer.
  SimResult sim;
  SimOptions so;
  ASSERT_EQ(simulate(plain, {x}, so, sim), "");
  int64_t correct = 0;
  const Tensor &out = sim.outputs.back()[0];
  for (int64_t n = 0; n < 6; ++n) {
    const float *z = out.ptr() + n * out.dim(1);
    correct += std::max_element(z, z + out.dim(1)) - z == labels[size_t(n)];
  }
  EXPECT_EQ(correct, folded.correct);
}

TEST(STDB, BatchNormRefusesWhatItCannotFold) {
  std::mt19937 rng(2);
  StdbOptions o;
  o.batchNorm = true;
  std::unique_ptr<StdbTrainer> trainer;
  // residualNet's second synapse has no bias.
  Network res = residualNet(rng, 4).net;
  EXPECT_NE(StdbTrainer::create(res, o, trainer).find("has none"),
            std::string::npos);
  Network net = convNet(rng, false);
  o.segment = 2;
  EXPECT_NE(StdbTrainer::create(net, o, trainer).find("segments"),
            std::string::npos);
}

// AdamW shrinks the weights by lr·wd, Adam adds wd·w to the gradient.
TEST(Optimizer, DecoupledWeightDecay) {
  for (bool decoupled : {false, true}) {
    std::vector<float> w = {1.0f};
    Parameter p;
    p.name = "w";
    p.data = w.data();
    p.size = 1;
    p.grad = {0.0f};
    std::vector<Parameter> params = {p};
    OptimizerOptions oo;
    oo.weightDecay = 0.5f;
    oo.decoupledDecay = decoupled;
    Optimizer opt(oo, params);
    opt.step(0.1f);
    // Adam's first step moves by lr (the normalized gradient is ±1).
    EXPECT_NEAR(w[0], decoupled ? 0.95f : 0.9f, 1e-5) << decoupled;
  }
}

TEST(STDB, RefusesWhatItCannotTrain) {
  std::mt19937 rng(1);
  Network net = convNet(rng, false);
  net.layers[2].refractory = 2;
  std::unique_ptr<StdbTrainer> trainer;
  EXPECT_NE(StdbTrainer::create(net, StdbOptions(), trainer)
                .find("does not model refractory"),
            std::string::npos);
  Network net2 = convNet(rng, false);
  StdbOptions o;
  o.dropout = 1.0f;
  EXPECT_NE(StdbTrainer::create(net2, o, trainer).find("dropout"),
            std::string::npos);
}

} // namespace
