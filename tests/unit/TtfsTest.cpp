//===- TtfsTest.cpp - the exact TTFS simulator and its gradients ----------===//

#include "runtime/ttfs/Ttfs.h"
#include "runtime/ann/Graph.h"
#include "runtime/ann/Kernels.h"
#include "runtime/tensor/Parallel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

using namespace snnrt;
using namespace snnrt::ttfs;

namespace {

/// One neuron with the given input weights (and optional bias).
Layer neuron(std::vector<float> w, float threshold = 1.0f, float tau = 1.0f,
             std::vector<float> bias = {}) {
  Layer l;
  l.in = int64_t(w.size());
  l.out = 1;
  l.weight = std::move(w);
  l.bias = std::move(bias);
  l.threshold = {threshold};
  l.tau = tau;
  return l;
}

LayerTrace forward(const Layer &l, const std::vector<float> &times,
                   float tMax) {
  LayerTrace tr;
  std::vector<float> wT = transposedWeights(l);
  layerForward(l, wT.data(), times.data(), tMax, tr);
  return tr;
}

/// v(t) of neuron i straight from the definition (all inputs, no cut-off).
double potential(const Layer &l, const std::vector<float> &times, int64_t i,
                 double t) {
  double v = 0.0;
  for (int64_t j = 0; j < l.in; ++j)
    if (times[size_t(j)] < t)
      v += l.weight[size_t(i * l.in + j)] * (t - times[size_t(j)]);
  if (!l.bias.empty() && t > 0)
    v += l.bias[size_t(i)] * t;
  return v / l.tau;
}

} // namespace

// t = (τ·V_th + Σ_C w t_j) / Σ_C w with C the inputs before the spike.
TEST(Ttfs, SpikeTimeMatchesClosedForm) {
  // Inputs at 0.1, 0.3, 0.5 with weights 2, 2, 4: after two inputs
  // W = 4, Σ w t = 0.8 → t = 1.8 / 4 = 0.45, before the third input.
  Layer l = neuron({2, 2, 4});
  LayerTrace tr = forward(l, {0.1f, 0.3f, 0.5f}, 1.0f);
  EXPECT_NEAR(tr.time[0], 0.45, 1e-6);
  EXPECT_EQ(tr.causal[0], 2);
  EXPECT_NEAR(tr.wsum[0], 4.0, 1e-6);
  EXPECT_NEAR(potential(l, {0.1f, 0.3f, 0.5f}, 0, tr.time[0]), 1.0, 1e-6);

  // τ = 2 and V_th = 0.5: the first input alone: t = (2·0.5 + 3·0.2)/3.
  Layer slow = neuron({3, 1}, 0.5f, 2.0f);
  tr = forward(slow, {0.2f, 0.9f}, 2.0f);
  EXPECT_NEAR(tr.time[0], (1.0 + 0.6) / 3.0, 1e-6);
  EXPECT_EQ(tr.causal[0], 1);

  // A bias is a spike at t = 0: w·(t − 0.5) + b·t = 1 with w = 2, b = 1 →
  // t = 2/3 (inputs in time order: bias first).
  Layer biased = neuron({2}, 1.0f, 1.0f, {1.0f});
  tr = forward(biased, {0.5f}, 1.0f);
  EXPECT_NEAR(tr.time[0], 2.0 / 3.0, 1e-6);
  EXPECT_EQ(tr.causal[0], 2);

  // An inhibitory input first: W ≤ 0 until the excitatory ones arrive.
  Layer inhibited = neuron({-1, 3, 3});
  tr = forward(inhibited, {0.0f, 0.2f, 0.4f}, 2.0f);
  // After all three: W = 5, Σ w t = 0.6 + 1.2 = 1.8 → t = 2.8/5 = 0.56 > 0.4.
  EXPECT_NEAR(tr.time[0], 0.56, 1e-6);
  EXPECT_EQ(tr.causal[0], 3);
}

TEST(Ttfs, NoSpikeWhenThresholdNotReachedBeforeTMax) {
  // v(1) = 0.1·0.9 + 0.1·0.7 = 0.16 < 1.
  LayerTrace tr = forward(neuron({0.1f, 0.1f}), {0.1f, 0.3f}, 1.0f);
  EXPECT_EQ(tr.time[0], kNoSpike);
  EXPECT_EQ(tr.causal[0], 2);
  // The crossing exists but falls after t_max: (1 + 0.5)/1 = 1.5 > 1.
  tr = forward(neuron({1.0f}), {0.5f}, 1.0f);
  EXPECT_EQ(tr.time[0], kNoSpike);
  tr = forward(neuron({1.0f}), {0.5f}, 2.0f);
  EXPECT_NEAR(tr.time[0], 1.5, 1e-6);
  // Only inhibition; inputs at or after t_max never count.
  tr = forward(neuron({-2.0f, 5.0f}), {0.1f, 1.0f}, 1.0f);
  EXPECT_EQ(tr.time[0], kNoSpike);
  EXPECT_EQ(tr.causal[0], 1);
  // Inputs that never fire (x ≤ 0) do nothing.
  tr = forward(neuron({5.0f}), {kNoSpike}, 1.0f);
  EXPECT_EQ(tr.time[0], kNoSpike);
  EXPECT_EQ(tr.causal[0], 0);
}

TEST(Ttfs, EncodingBrighterFiresEarlier) {
  float x[5] = {0.0f, -1.0f, 0.25f, 1.0f, 3.0f}, t[5];
  encode(x, 5, 2.0f, t);
  EXPECT_EQ(t[0], kNoSpike);
  EXPECT_EQ(t[1], kNoSpike);
  EXPECT_FLOAT_EQ(t[2], 1.5f);
  EXPECT_FLOAT_EQ(t[3], 0.0f);
  EXPECT_FLOAT_EQ(t[4], 0.0f);
}

// Many inputs in shuffled index order: the spike time does not depend on
// how inputs are numbered, and it is the first crossing of v(t) = V_th
// found by bisection on the exact potential.
TEST(Ttfs, ManyInputsAnyOrderFirstCrossing) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> time(0.0f, 1.0f), weight(-0.5f, 1.0f);
  for (int trial = 0; trial < 50; ++trial) {
    int64_t n = 40;
    std::vector<float> w(static_cast<size_t>(n)), t(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      w[size_t(j)] = weight(rng);
      t[size_t(j)] = time(rng);
    }
    Layer l = neuron(w, 2.0f);
    LayerTrace tr = forward(l, t, 1.5f);
    std::vector<size_t> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<float> w2(static_cast<size_t>(n)), t2(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      w2[size_t(j)] = w[perm[size_t(j)]];
      t2[size_t(j)] = t[perm[size_t(j)]];
    }
    LayerTrace tr2 = forward(neuron(w2, 2.0f), t2, 1.5f);
    EXPECT_EQ(tr.time[0], tr2.time[0]) << "trial " << trial;
    // Reference: scan a fine grid for the first v ≥ V_th, then bisect.
    double found = -1.0;
    for (int s = 1; s <= 150000 && found < 0; ++s) {
      double at = 1.5 * s / 150000.0;
      if (potential(l, t, 0, at) >= 2.0) {
        double lo = at - 1.5 / 150000.0, hi = at;
        for (int it = 0; it < 60; ++it) {
          double mid = 0.5 * (lo + hi);
          (potential(l, t, 0, mid) >= 2.0 ? hi : lo) = mid;
        }
        found = hi;
      }
    }
    if (found < 0)
      EXPECT_EQ(tr.time[0], kNoSpike) << "trial " << trial;
    else
      EXPECT_NEAR(tr.time[0], found, 1e-5) << "trial " << trial;
  }
}

namespace {

/// A 6-5-3 network (biases in the hidden layer) and inputs in which most
/// neurons fire.
Network smallNetwork(std::mt19937 &rng) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  Network net;
  net.tMax = 4.0f;
  Layer h;
  h.in = 6;
  h.out = 5;
  h.tau = 1.0f;
  h.threshold = {1.0f};
  for (int64_t k = 0; k < h.in * h.out; ++k)
    h.weight.push_back(1.2f * u(rng) - 0.2f);
  for (int64_t k = 0; k < h.out; ++k)
    h.bias.push_back(0.3f * u(rng));
  Layer o;
  o.in = 5;
  o.out = 3;
  o.tau = 1.0f;
  o.threshold = {0.8f, 1.0f, 1.2f};
  for (int64_t k = 0; k < o.in * o.out; ++k)
    o.weight.push_back(1.0f * u(rng) - 0.1f);
  net.layers = {h, o};
  return net;
}

/// Four inputs (values in [0.2, 1), so that most pixels fire) and labels.
struct Batch {
  int64_t n = 4;
  std::vector<float> x;
  std::vector<int32_t> y = {0, 1, 2, 1};
  explicit Batch(int64_t in) : x(size_t(n * in)) {
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float &v : x)
      v = 0.2f + 0.8f * u(rng);
  }
};

/// A parameter, its gradient from run() and a name for messages.
struct Probe {
  float *value;
  double analytic;
  std::string label;
};

/// Each probe's analytic gradient against central differences of the loss
/// (`refresh` runs after every change of a parameter). Probes whose
/// perturbation changes which inputs are causal or which neuron a pooling
/// passes (the loss has a kink there: its one-sided slopes differ) are
/// skipped; at most a fifth may be.
void compareWithDifferences(Network &net, const LossOptions &opt,
                            const Batch &b, const std::vector<Probe> &probes,
                            const std::function<void()> &refresh,
                            const char *what, int minChecked) {
  auto lossAt = [&]() {
    refresh();
    return run(net, b.x.data(), b.y.data(), b.n, opt, nullptr);
  };
  Stats base = lossAt();
  int checked = 0, skipped = 0;
  for (const Probe &probe : probes) {
    float &p = *probe.value;
    float keep = p, h = 1e-3f;
    p = keep + h;
    Stats up = lossAt();
    p = keep - h;
    Stats down = lossAt();
    p = keep;
    // A kink: the spike pattern changed.
    if (up.spikes != base.spikes || down.spikes != base.spikes) {
      ++skipped;
      continue;
    }
    double numeric = (up.loss - down.loss) / (2.0 * h);
    // Float spike times make the loss's slopes noisy at about this level.
    double noise = 1e-4 * (1.0 + std::fabs(base.loss));
    // A causal set changed without a spike-count change: the one-sided
    // slopes disagree.
    double ahead = (up.loss - base.loss) / h,
           behind = (base.loss - down.loss) / h;
    if (std::fabs(ahead - behind) > 5e-2 * std::fabs(numeric) + 10 * noise) {
      ++skipped;
      continue;
    }
    EXPECT_NEAR(probe.analytic, numeric, 2e-2 * std::fabs(numeric) + noise)
        << what << ": " << probe.label;
    ++checked;
  }
  refresh();
  EXPECT_GE(checked, minChecked) << what;
  EXPECT_LE(skipped, checked / 5) << what;
}

/// ∂L/∂w from run() against central differences on every weight and bias.
void checkGradients(Network net, const LossOptions &opt, const char *what) {
  Batch b(net.layers[0].in);
  std::vector<std::vector<float>> g;
  run(net, b.x.data(), b.y.data(), b.n, opt, &g);
  std::vector<Probe> probes;
  for (size_t k = 0; k < net.layers.size(); ++k) {
    Layer &l = net.layers[k];
    for (int64_t j = 0; j <= l.in; ++j)
      for (int64_t i = 0; i < l.out; ++i) {
        if (j == l.in && l.bias.empty())
          continue;
        float *p =
            j < l.in ? &l.weight[size_t(i * l.in + j)] : &l.bias[size_t(i)];
        probes.push_back({p, g[k][size_t(j * l.out + i)],
                          "layer " + std::to_string(k) + " input " +
                              std::to_string(j) + " neuron " +
                              std::to_string(i)});
      }
  }
  compareWithDifferences(
      net, opt, b, probes, [] {}, what, 31);
}

} // namespace

TEST(Ttfs, GradientsMatchFiniteDifferences) {
  std::mt19937 rng(5);
  Network net = smallNetwork(rng);
  LossOptions opt;
  opt.sigma = 0.5f;
  checkGradients(net, opt, "cross-entropy");
  opt.reg = Regularizer::MSSR;
  opt.gamma = 0.3f;
  checkGradients(net, opt, "M-SSR");
  opt.reg = Regularizer::FSSR;
  checkGradients(net, opt, "F-SSR");
  opt.reg = Regularizer::Membrane;
  opt.vhat = 0.5f;
  checkGradients(net, opt, "membrane");
  opt.reg = Regularizer::MembraneFull;
  checkGradients(net, opt, "membrane, full potential");
  opt.regularizeOutput = true;
  opt.reg = Regularizer::MSSR;
  checkGradients(net, opt, "M-SSR with the output layer");
}

// A silent target output: the fire term max(0, V_th − ṽ(t_max)) pulls its
// weights up (its gradient is −λ·(T − t_j)/τ on every input weight).
TEST(Ttfs, SilentTargetGetsFireGradient) {
  Network net;
  net.tMax = 1.0f;
  Layer o = neuron({0.1f, 0.2f});
  o.out = 2;
  o.weight = {0.1f, 0.2f, 3.0f, 3.0f};
  o.threshold = {1.0f};
  net.layers = {o};
  float x[2] = {0.5f, 0.25f}; // times 0.5, 0.75
  int32_t y = 0;
  LossOptions opt;
  opt.fireWeight = 2.0f;
  opt.sigma = 0.1f;
  std::vector<std::vector<float>> g;
  Stats st = run(net, x, &y, 1, opt, &g);
  EXPECT_EQ(st.correct, 0);
  // ṽ_0(1) = 0.1·0.5 + 0.2·0.25 = 0.1.
  EXPECT_NEAR(g[0][0 * 2 + 0], -2.0 * 0.5, 1e-6);
  EXPECT_NEAR(g[0][1 * 2 + 0], -2.0 * 0.25, 1e-6);
  // CE: the silent target counts as t_max = 1, the other output fired.
  EXPECT_NEAR(st.loss,
              std::log(1.0 + std::exp((1.0 - st.outputTime) / 0.1)) + 2.0 * 0.9,
              1e-4);
}

// M-SSR is the membrane loss at v̂ = V_th (the integral of the causal
// potential above threshold after the spike); F-SSR is ṽ(t_max) − V_th. The
// membrane loss is the integral of (ṽ − v̂)⁺ (checked by a Riemann sum), and
// its full-potential variant that of (v − v̂)⁺ with every input before T.
TEST(Ttfs, RegularizersMatchTheirDefinitions) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> time(0.0f, 1.0f), weight(-0.3f, 1.0f);
  int tested = 0;
  for (int trial = 0; trial < 40; ++trial) {
    int64_t n = 12;
    std::vector<float> w(static_cast<size_t>(n)), t(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      w[size_t(j)] = weight(rng);
      t[size_t(j)] = time(rng);
    }
    Layer l = neuron(w, 1.5f, 0.7f);
    float T = 2.0f;
    LayerTrace tr = forward(l, t, T);
    // The potential of the first `inputs` sorted inputs at time `at`.
    auto potential = [&](double at, int32_t inputs) {
      double v = 0.0;
      for (int32_t k = 0; k < inputs; ++k)
        if (tr.times[size_t(k)] < at)
          v += l.weight[size_t(tr.order[size_t(k)])] *
               (at - tr.times[size_t(k)]);
      return v / l.tau;
    };
    // ṽ: the causal inputs only; v: every input before T.
    auto causalV = [&](double at) { return potential(at, tr.causal[0]); };
    auto fullV = [&](double at) {
      return potential(at, int32_t(tr.order.size()));
    };
    for (float vhat : {0.3f, 0.8f, 1.0f}) {
      double level = vhat * 1.5, causal = 0.0, full = 0.0;
      int steps = 200000;
      for (int s = 0; s < steps; ++s) {
        double at = T * (s + 0.5) / steps;
        causal += std::max(0.0, causalV(at) - level) * T / steps;
        full += std::max(0.0, fullV(at) - level) * T / steps;
      }
      EXPECT_NEAR(regularizerOf(l, tr, 0, T, Regularizer::Membrane, vhat),
                  causal, 1e-4 * (1 + causal));
      EXPECT_NEAR(regularizerOf(l, tr, 0, T, Regularizer::MembraneFull, vhat),
                  full, 1e-4 * (1 + full));
    }
    if (tr.time[0] == kNoSpike)
      continue;
    ++tested;
    EXPECT_NEAR(regularizerOf(l, tr, 0, T, Regularizer::MSSR, 0),
                regularizerOf(l, tr, 0, T, Regularizer::Membrane, 1.0f), 1e-5);
    EXPECT_NEAR(regularizerOf(l, tr, 0, T, Regularizer::FSSR, 0),
                causalV(T) - 1.5, 1e-5);
  }
  EXPECT_GT(tested, 10);
}

TEST(Ttfs, RunIsDeterministicAndValidates) {
  std::mt19937 rng(5);
  Network net = smallNetwork(rng);
  EXPECT_EQ(net.validate(), "");
  std::vector<float> x(size_t(40 * 6));
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float &v : x)
    v = u(rng);
  std::vector<int32_t> y(40);
  for (int32_t &v : y)
    v = int32_t(rng() % 3);
  LossOptions opt;
  opt.reg = Regularizer::MSSR;
  opt.gamma = 0.1f;
  std::vector<std::vector<float>> g1, g2;
  Stats a = run(net, x.data(), y.data(), 40, opt, &g1);
  Stats b = run(net, x.data(), y.data(), 40, opt, &g2);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(g1, g2);
  EXPECT_EQ(a.count, 40);

  Network bad = net;
  bad.layers[1].in = 4;
  EXPECT_NE(bad.validate().find("layer 1"), std::string::npos);
  bad = net;
  bad.layers[0].threshold = {0.0f};
  EXPECT_NE(bad.validate().find("positive"), std::string::npos);
}

namespace {

/// A convolutional layer of random kernel and channel bias.
Layer convLayer(Convolution c, std::mt19937 &rng, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  c.kernel.resize(size_t(c.M * (c.C / c.group) * c.kH * c.kW));
  for (float &w : c.kernel)
    w = u(rng);
  c.bias.resize(size_t(c.M));
  for (float &w : c.bias)
    w = 0.2f * u(rng);
  Layer l;
  l.name = "conv";
  l.threshold = {1.0f};
  l.in = c.C * c.H * c.W;
  l.out = c.M * c.OH * c.OW;
  l.conv = std::move(c);
  return l;
}

/// A dense layer (no bias) of weights uniform in [lo, hi).
Layer denseLayer(int64_t in, int64_t out, std::mt19937 &rng, float lo,
                 float hi) {
  Layer o;
  o.in = in;
  o.out = out;
  o.threshold = {1.0f};
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t k = 0; k < in * out; ++k)
    o.weight.push_back(u(rng));
  return o;
}

/// The dense layer a convolution expands to (transposedWeights).
Layer denseForm(const Layer &conv) {
  Layer d = conv;
  d.conv.reset();
  std::vector<float> wT = transposedWeights(conv);
  d.weight.resize(size_t(d.in * d.out));
  for (int64_t i = 0; i < d.out; ++i)
    for (int64_t j = 0; j < d.in; ++j)
      d.weight[size_t(i * d.in + j)] = wT[size_t(j * d.out + i)];
  if (conv.hasBias())
    d.bias.assign(wT.begin() + d.in * d.out, wT.end());
  return d;
}

/// Convolution test geometries: 2×7×6 → 3×4×3 (3×3 kernel, stride 2,
/// pads 1 on every side) and 4×6×7 → 4×4×3 (groups 2, dilation 2, 2×3
/// kernel, no padding).
Convolution stridedPadded() {
  Convolution a;
  a.C = 2, a.H = 7, a.W = 6, a.M = 3, a.OH = 4, a.OW = 3;
  a.kH = a.kW = 3, a.sH = a.sW = 2, a.pT = a.pL = 1;
  return a;
}
Convolution groupedDilated() {
  Convolution b;
  b.C = 4, b.H = 6, b.W = 7, b.M = 4, b.group = 2;
  b.kH = 2, b.kW = 3, b.dH = b.dW = 2, b.OH = 4, b.OW = 3;
  return b;
}

} // namespace

// The dense form of a convolution computes what the ANN's convolution kernel
// (im2col / Winograd, runtime/ann) computes: strides, padding, dilation and
// groups included.
TEST(Ttfs, ConvolutionDenseFormIsTheAnnConvolution) {
  std::mt19937 rng(3);
  std::vector<std::pair<Convolution, std::vector<int64_t>>> cases = {
      {stridedPadded(), {1, 1}}, {groupedDilated(), {0, 0}}};
  for (const auto &[geometry, padsBottomRight] : cases) {
    Layer l = convLayer(geometry, rng, -1.0f, 1.0f);
    ASSERT_EQ(l.conv->validate(), "");
    Layer d = denseForm(l);
    const Convolution &c = *l.conv;
    Tensor x({1, c.C, c.H, c.W});
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float &v : x.data)
      v = u(rng);
    Node n;
    n.kind = OpKind::Conv2D;
    n.strides = {c.sH, c.sW};
    n.pads = {c.pT, c.pL, padsBottomRight[0], padsBottomRight[1]};
    n.dilations = {c.dH, c.dW};
    n.group = c.group;
    Tensor w({c.M, c.C / c.group, c.kH, c.kW}, c.kernel), bias({c.M}, c.bias);
    Tensor ann;
    ASSERT_EQ(conv2d(x, w, &bias, n, ann), "");
    ASSERT_EQ(ann.size(), l.out);
    for (int64_t i = 0; i < l.out; ++i) {
      double v = d.bias[size_t(i)];
      for (int64_t j = 0; j < l.in; ++j)
        v += double(d.weight[size_t(i * l.in + j)]) * x.data[size_t(j)];
      EXPECT_NEAR(v, ann.data[size_t(i)], 1e-5) << "neuron " << i;
    }
  }
  Layer bad = convLayer(stridedPadded(), rng, -1.0f, 1.0f);
  bad.conv->kernel.pop_back();
  EXPECT_NE(bad.conv->validate().find("kernel has"), std::string::npos);
  Network net;
  net.layers = {convLayer(stridedPadded(), rng, -1.0f, 1.0f)};
  net.layers[0].conv->OW = 2;
  EXPECT_NE(net.validate().find("the convolution maps 84 inputs to 24"),
            std::string::npos)
      << net.validate();
  net.layers = {convLayer(stridedPadded(), rng, -1.0f, 1.0f)};
  net.layers[0].weight = {1.0f};
  EXPECT_NE(net.validate().find("kernel and channel bias"), std::string::npos);
}

namespace {

/// conv (2×7×6 → 3×4×3) → conv (3×4×3 → 2×2×1, 2×2 kernel, stride 2) →
/// dense 4 → 3 outputs, with weights that make most neurons fire.
Network convNetwork(std::mt19937 &rng) {
  Network net;
  net.tMax = 4.0f;
  net.layers.push_back(convLayer(stridedPadded(), rng, -0.1f, 0.5f));
  Convolution c2;
  c2.C = 3, c2.H = 4, c2.W = 3, c2.M = 2, c2.OH = 2, c2.OW = 1;
  c2.kH = c2.kW = 2, c2.sH = c2.sW = 2;
  net.layers.push_back(convLayer(c2, rng, -0.1f, 0.6f));
  net.layers.push_back(denseLayer(4, 3, rng, -0.1f, 0.9f));
  return net;
}

} // namespace

// The event-driven convolution is its dense form, simulated differently:
// identical spike times (the same sums in the same order), the same loss,
// regularizer and predictions, and kernel gradients equal to the dense
// gradients summed over the positions that share each kernel entry.
TEST(Ttfs, ConvolutionMatchesItsDenseForm) {
  std::mt19937 rng(23);
  Network conv = convNetwork(rng);
  ASSERT_EQ(conv.validate(), "");
  Network dense = conv;
  for (Layer &l : dense.layers)
    if (l.conv)
      l = denseForm(l);
  ASSERT_EQ(dense.validate(), "");
  int64_t n = 64;
  std::vector<float> x(size_t(n * conv.layers[0].in));
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float &v : x)
    v = u(rng) < 0.3f ? 0.0f : u(rng); // some inputs never fire
  std::vector<int32_t> y(static_cast<size_t>(n));
  for (int32_t &v : y)
    v = int32_t(rng() % 3);
  for (Regularizer reg :
       {Regularizer::None, Regularizer::MSSR, Regularizer::FSSR,
        Regularizer::Membrane, Regularizer::MembraneFull}) {
    LossOptions opt;
    opt.reg = reg;
    opt.gamma = 0.1f;
    std::vector<std::vector<float>> gc, gd;
    std::vector<int32_t> pc, pd;
    Stats a = run(conv, x.data(), y.data(), n, opt, &gc, &pc);
    Stats b = run(dense, x.data(), y.data(), n, opt, &gd, &pd);
    EXPECT_EQ(a.spikes, b.spikes) << int(reg);
    EXPECT_GT(a.spikes[0], 0.2 * double(n * conv.layers[0].out));
    EXPECT_GT(a.spikes[1], 0.0);
    EXPECT_EQ(pc, pd);
    EXPECT_EQ(a.outputTime, b.outputTime);
    EXPECT_NEAR(a.loss, b.loss, 1e-9 * std::fabs(b.loss)) << int(reg);
    EXPECT_NEAR(a.reg, b.reg, 1e-9 * std::fabs(b.reg) + 1e-12) << int(reg);
    for (size_t k = 0; k < 2; ++k) {
      // Each dense position's kernel index: the dense form of a kernel that
      // holds its own indices + 1 (0: no synapse).
      Layer index = conv.layers[k];
      for (size_t e = 0; e < index.conv->kernel.size(); ++e)
        index.conv->kernel[e] = float(e + 1);
      index.conv->bias.assign(index.conv->bias.size(), 0.0f);
      std::vector<float> map = transposedWeights(index);
      const Layer &l = conv.layers[k];
      size_t kernel = l.conv->kernel.size(),
             plane = size_t(l.conv->OH * l.conv->OW);
      std::vector<double> folded(size_t(l.parameterCount()), 0.0);
      for (int64_t j = 0; j < l.in; ++j)
        for (int64_t i = 0; i < l.out; ++i)
          if (float m = map[size_t(j * l.out + i)]; m > 0)
            folded[size_t(m) - 1] += gd[k][size_t(j * l.out + i)];
      for (int64_t i = 0; i < l.out; ++i)
        folded[kernel + size_t(i) / plane] += gd[k][size_t(l.in * l.out + i)];
      ASSERT_EQ(gc[k].size(), folded.size());
      for (size_t p = 0; p < folded.size(); ++p)
        EXPECT_NEAR(gc[k][p], folded[p], 1e-4 * (1.0 + std::fabs(folded[p])))
            << "regularizer " << int(reg) << " layer " << k << " parameter "
            << p;
    }
    EXPECT_EQ(gc[2].size(), gd[2].size());
    for (size_t p = 0; p < gc[2].size(); ++p)
      EXPECT_NEAR(gc[2][p], gd[2][p], 1e-4 * (1.0 + std::fabs(gd[2][p])));
  }
}

namespace {

/// Central differences on a network whose first layer is a convolution of
/// 1×6×6 inputs: its kernel and channel bias and, with `dense`, the weights
/// of layer 1, for each regularizer (γ = 0.2).
void checkConvGradients(Network &net, std::initializer_list<Regularizer> regs,
                        bool dense, const char *what, int minChecked) {
  Batch b(36);
  for (Regularizer reg : regs) {
    LossOptions opt;
    opt.reg = reg;
    opt.gamma = reg == Regularizer::None ? 0.0f : 0.2f;
    std::vector<std::vector<float>> g;
    Stats st = run(net, b.x.data(), b.y.data(), b.n, opt, &g);
    ASSERT_GT(st.spikes[0], 0.0);
    Layer &l = net.layers[0];
    std::vector<Probe> probes;
    size_t kernel = l.conv->kernel.size();
    for (size_t k = 0; k < kernel; ++k)
      probes.push_back(
          {&l.conv->kernel[k], g[0][k], "kernel " + std::to_string(k)});
    for (size_t m = 0; m < l.conv->bias.size(); ++m)
      probes.push_back(
          {&l.conv->bias[m], g[0][kernel + m], "bias " + std::to_string(m)});
    Layer &o = net.layers[1];
    for (int64_t j = 0; dense && j < o.in; ++j)
      for (int64_t i = 0; i < o.out; ++i)
        probes.push_back(
            {&o.weight[size_t(i * o.in + j)], g[1][size_t(j * o.out + i)],
             "dense " + std::to_string(j) + "→" + std::to_string(i)});
    compareWithDifferences(
        net, opt, b, probes, [] {},
        (std::string(what) + ", regularizer " + std::to_string(int(reg)))
            .c_str(),
        minChecked);
  }
}

} // namespace

// A convolution's kernel and channel bias gradients against central
// differences of the loss of a conv → dense network under every regularizer.
TEST(Ttfs, ConvolutionKernelGradientsMatchFiniteDifferences) {
  std::mt19937 rng(11);
  Convolution c; // 1×6×6 → 2×3×3, 3×3 kernel, stride 2, pads 1
  c.C = 1, c.H = c.W = 6, c.M = 2, c.OH = c.OW = 3;
  c.kH = c.kW = 3, c.sH = c.sW = 2, c.pT = c.pL = 1;
  Network net;
  net.tMax = 4.0f;
  net.layers.push_back(convLayer(c, rng, -0.1f, 0.9f));
  net.layers.push_back(denseLayer(18, 3, rng, -0.05f, 0.35f));
  ASSERT_EQ(net.validate(), "");
  checkConvGradients(net,
                     {Regularizer::None, Regularizer::MSSR,
                      Regularizer::Membrane, Regularizer::MembraneFull},
                     false, "conv", 15);
}

// Max pooling passes each window's earliest spike (the first neuron on ties,
// none when the window is silent or all padding) and routes the gradient to
// that neuron: conv → max pool → dense, kernel and dense gradients against
// central differences.
TEST(Ttfs, MaxPoolingPassesTheEarliestSpike) {
  Pooling p; // 1×3×4 → 1×2×2, 2×2 windows, stride 2, one row of top padding
  p.C = 1, p.H = 3, p.W = 4, p.OH = 2, p.OW = 2, p.kH = p.kW = 2;
  p.sH = p.sW = 2, p.pT = 1;
  ASSERT_EQ(p.validate(), "");
  // Window (0,0) sees row 0 cols 0–1 (row −1 is padding), (0,1) row 0
  // cols 2–3, (1,0) rows 1–2 cols 0–1, (1,1) rows 1–2 cols 2–3.
  std::vector<float> t = {0.5f,     kNoSpike, kNoSpike, kNoSpike, //
                          2.0f,     1.0f,     3.0f,     kNoSpike, //
                          kNoSpike, 1.0f,     kNoSpike, 3.0f};
  std::vector<float> pooled;
  std::vector<int32_t> from;
  maxPoolTimes(p, t.data(), pooled, from);
  EXPECT_EQ(pooled, (std::vector<float>{0.5f, kNoSpike, 1.0f, 3.0f}));
  EXPECT_EQ(from, (std::vector<int32_t>{0, -1, 5, 6}));

  std::mt19937 rng(29);
  Convolution c; // 1×6×6 → 2×6×6 (3×3, pads 1), pooled 2×3×3
  c.C = 1, c.H = c.W = 6, c.M = 2, c.OH = c.OW = 6;
  c.kH = c.kW = 3, c.pT = c.pL = 1;
  Network net;
  net.tMax = 4.0f;
  net.layers.push_back(convLayer(c, rng, -0.1f, 0.7f));
  Pooling q;
  q.C = 2, q.H = q.W = 6, q.OH = q.OW = 3, q.kH = q.kW = 2, q.sH = q.sW = 2;
  net.layers[0].pool = q;
  net.layers.push_back(denseLayer(18, 3, rng, -0.05f, 0.35f));
  ASSERT_EQ(net.validate(), "");
  Network bad = net;
  bad.layers[1].pool = q;
  EXPECT_NE(bad.validate().find("output layer cannot be pooled"),
            std::string::npos);
  bad = net;
  bad.layers[1] = denseLayer(72, 3, rng, 0.0f, 1.0f);
  EXPECT_NE(bad.validate().find("18 pooled outputs"), std::string::npos);

  checkConvGradients(net, {Regularizer::None, Regularizer::MSSR}, true,
                     "pooled", 40);
}
