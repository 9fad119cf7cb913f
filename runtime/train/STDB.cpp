//===- STDB.cpp - spike-timing-dependent backpropagation ------------------===//
//
// Values are kept in one of two forms: "per-step" tensors [S·N, ...] (step s
// of sample n at row s·N + n) for the S steps of the current segment, or
// "constant" tensors [N, ...] for values that are the same at every step
// (network input, direct encoding, the synapse fed by it). Gradients use the
// same two forms; linearity lets a synapse whose input or output gradient is
// constant in time sum the other over time first and run at batch N.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/STDB.h"
#include "runtime/ann/Kernels.h"
#include "runtime/sim/Simulator.h"
#include "runtime/tensor/Parallel.h"
#include "runtime/train/GradKernels.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace snnrt {

namespace {

/// Synapses run event-driven (forward and weight gradient) when the share of
/// nonzero inputs is below a threshold. 3×3 stride-1 convolutions with 16·k
/// outputs per group have register-blocked event kernels (Kernels.cpp,
/// GradKernels.cpp); measured on 32→32 channels at 28×28 with uniformly
/// random spikes (2 threads, best of 7): the scatter forward breaks even
/// with Winograd near 18 % (and runs level with it on the VGG-like model's
/// real 17.5 %; 15 % here), the weight gradient takes a third of im2col +
/// GEMM's time at 17.5 % and stays ahead beyond 35 %. Other convolutions
/// (measured on the VGG-like test model with the generic event kernels): 12 %
/// against Winograd and for fewer than 64 outputs per group, 25 % for the
/// weight gradient of wider ones and their non-Winograd forward pass; 20 % for
/// dense layers.
double eventThreshold(const Layer &l, const Tensor &w, bool forward) {
  if (l.kind == LayerKind::Dense)
    return 0.2;
  int64_t perGroup = w.dim(0) / std::max<int64_t>(1, l.op.group);
  bool threeByThree = w.dim(2) == 3 && w.dim(3) == 3 && l.op.strides[0] == 1 &&
                      l.op.strides[1] == 1 && l.op.dilations[0] == 1 &&
                      l.op.dilations[1] == 1;
  if (forward && threeByThree && perGroup % 16 == 0)
    return 0.15; // register-blocked scatter against Winograd
  if (forward && l.op.group == 1 && threeByThree && w.dim(1) >= 8)
    return 0.12; // against Winograd
  if (!forward && threeByThree && perGroup % 16 == 0)
    return 0.6; // register-blocked event kernel against im2col + GEMM
  return perGroup >= 64 ? 0.25 : 0.12;
}

/// The share of nonzero elements of `t` (0 for an empty tensor).
double density(const Tensor &t) {
  int64_t n = t.size();
  if (n == 0)
    return 0.0;
  std::vector<int64_t> counts(size_t(chunkCount(n)), 0);
  parallelChunks(n, [&](int64_t c, int64_t b, int64_t e) {
    int64_t nz = 0;
    for (int64_t i = b; i < e; ++i)
      nz += t.data[size_t(i)] != 0.0f;
    counts[size_t(c)] = nz;
  });
  int64_t nz = 0;
  for (int64_t c : counts)
    nz += c;
  return double(nz) / double(n);
}

/// True when fewer than `threshold` of the elements of `t` are nonzero.
bool useEvents(const Tensor &t, double threshold) {
  return t.size() > 0 && density(t) < threshold;
}

/// "Last spike" of a neuron that has not spiked (first-spike age 0).
constexpr int32_t kNeverSpiked = std::numeric_limits<int32_t>::min();

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

Shape withBatch(Shape s, int64_t batch) {
  s[0] = batch;
  return s;
}

/// [N, ...] repeated for S steps: [S·N, ...].
Tensor repeatSteps(const Tensor &t, int64_t S) {
  Tensor r(withBatch(t.shape, t.dim(0) * S));
  for (int64_t s = 0; s < S; ++s)
    std::copy(t.data.begin(), t.data.end(), r.data.begin() + s * t.size());
  return r;
}

/// Σ over the S steps of a per-step tensor: [N, ...].
Tensor sumSteps(const Tensor &t, int64_t S) {
  Tensor r(withBatch(t.shape, t.dim(0) / S));
  int64_t n = r.size();
  parallelFor(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t s = 0; s < S; ++s) {
      const float *src = t.ptr() + s * n;
      for (int64_t i = b; i < e; ++i)
        r.data[i] += src[i];
    }
  });
  return r;
}

void addInto(Tensor &acc, const Tensor &t, float scale = 1.0f) {
  for (int64_t i = 0; i < acc.size(); ++i)
    acc.data[i] += scale * t.data[i];
}

/// Per-neuron-layer state carried from one step (and segment) to the next.
struct Carry {
  std::vector<std::vector<float>> u;      // membrane potential after reset
  std::vector<std::vector<int32_t>> last; // step of the last spike
  std::vector<Tensor> counts;             // max-pool spike counts
  std::vector<Tensor> accum;              // readouts
};

/// What a segment's backward pass needs beyond the slot values.
struct LayerTape {
  std::vector<int32_t> startLast; // last spike before the segment
  std::vector<uint8_t> fired;     // o per step and neuron
  std::vector<float> potential;   // u before reset (trained threshold/leak)
  std::vector<float> startU;      // u at the segment start (trained leak)
  std::vector<int32_t> argmax;    // max-pool: input forwarded per output
};

/// Surrogates α·exp(−β·Δt)/V_th of one step for a block of n neurons: `e`
/// holds this step's values (Δt since the last spike before step t; 0 for
/// neurons that never spiked). Writes them to `sur` and advances `e` to the
/// next step: α·exp(−β)/V_th (`afterSpike`) where the neuron fires now, else
/// e·exp(−β) (`decay`). A multiply instead of a table lookup, so that the
/// loop vectorises; Δt never reaches the table's end within a run (it is at
/// most T − 1 + first-spike age), so the values are the table's up to
/// rounding.
void surrogateStep(int64_t n, float decay, const float *__restrict afterSpike,
                   const uint8_t *__restrict fired, float *__restrict e,
                   float *__restrict sur) {
  for (int64_t j = 0; j < n; ++j) {
    sur[j] = e[j];
    e[j] = fired[j] ? afterSpike[j] : e[j] * decay;
  }
}

/// One step backwards for a block of n neurons: ∂L/∂u = ∂L/∂o·∂o/∂u plus
/// what flows back through the leak (cut by a zero reset where it fired).
/// The dropout scale and the reset mode are template parameters: run-time
/// tests in the loop make GCC emit masked code several times slower.
template <bool Scale, bool ZeroReset>
void neuronBackLoop(int64_t n, float leak, float kappa,
                    const float *__restrict gy, const float *__restrict scale,
                    const float *__restrict sur,
                    const uint8_t *__restrict fired, float *__restrict g,
                    float *__restrict gi) {
  for (int64_t j = 0; j < n; ++j) {
    float go = Scale ? gy[j] * scale[j] : gy[j];
    // A zero reset cuts the path, except for BPTA's κ·∂o/∂u (κ = 0: none).
    float through = ZeroReset && fired[j] ? kappa * sur[j] * g[j] : g[j];
    float gu = go * sur[j] + through;
    gi[j] = gu;
    g[j] = leak * gu;
  }
}

void neuronBackStep(int64_t n, float leak, float kappa, bool zeroReset,
                    const float *__restrict gy, const float *__restrict scale,
                    const float *__restrict sur,
                    const uint8_t *__restrict fired, float *__restrict g,
                    float *__restrict gi) {
  if (scale)
    return zeroReset ? neuronBackLoop<true, true>(n, leak, kappa, gy, scale,
                                                  sur, fired, g, gi)
                     : neuronBackLoop<true, false>(n, leak, kappa, gy, scale,
                                                   sur, fired, g, gi);
  return zeroReset ? neuronBackLoop<false, true>(n, leak, kappa, gy, scale, sur,
                                                 fired, g, gi)
                   : neuronBackLoop<false, false>(n, leak, kappa, gy, scale,
                                                  sur, fired, g, gi);
}

/// Potential-based surrogates of one step for n neurons: rectangular
/// (1 where |u − V_th| < width) or BPSA's spatial adjustment (1/u where the
/// neuron fired, u ≥ V_th; else 0).
void potentialSurrogate(int64_t n, Surrogate kind, float width,
                        const float *__restrict th, const float *__restrict u,
                        float *__restrict sur) {
  if (kind == Surrogate::Rectangular) {
    for (int64_t j = 0; j < n; ++j)
      sur[j] = std::fabs(u[j] - th[j]) < width ? 1.0f : 0.0f;
    return;
  }
  for (int64_t j = 0; j < n; ++j)
    sur[j] = u[j] >= th[j] ? 1.0f / u[j] : 0.0f;
}

} // namespace

/// Batch-norm of one synapse's output (StdbOptions::batchNorm).
struct SynapseNorm {
  std::vector<float> gamma, beta;    // trained
  std::vector<float> mean, variance; // running statistics
  BatchNormBatch batch;              // the statistics this batch used
  bool batchStatistics = false;      // training: batch's, else running
  Tensor xhat;                       // standardized output, for backward
  bool constForm = false;            // the output is the same at every step
  int gammaParam = -1, betaParam = -1;
};

struct StdbTrainer::Impl {
  Network &net;
  StdbOptions opt;
  std::vector<std::unique_ptr<SynapseNorm>> norm; // per layer, or null
  bool training = false;
  int64_t T = 1;
  std::vector<float> lut; // α·exp(−β·Δt) for Δt = 0 .. T + firstSpikeAge
  std::vector<Parameter> params;
  std::vector<int> paramOfSlot, thresholdParam, leakParam;
  std::vector<char> dependsOnParam; // slot: a gradient must reach it
  int readout = -1;                 // layer index
  float temperature = 1.0f;

  // Per batch.
  int64_t N = 0;
  std::vector<Tensor> val;
  std::vector<char> isConst;
  Carry carry;
  std::vector<LayerTape> tape;
  std::vector<std::vector<float>> mask;      // dropout, per neuron layer
  std::vector<std::vector<float>> carryGrad; // ∂L/∂u(after reset) at t0 − 1
  uint64_t noiseSeed = 0;
  float dropout = 0.0f;
  // SNN_TRAIN_PROFILE=1: forward/backward seconds per layer, printed to
  // stderr when the trainer is destroyed.
  bool profile = std::getenv("SNN_TRAIN_PROFILE") != nullptr;
  std::vector<std::pair<double, double>> profileSeconds;
  std::vector<std::pair<double, double>> profileDensity; // x, gy; summed
  std::vector<int64_t> profileCalls;
  double peakBytes = 0;

  explicit Impl(Network &n)
      : net(n), profileSeconds(n.layers.size(), {0.0, 0.0}),
        profileDensity(n.layers.size(), {0.0, 0.0}),
        profileCalls(n.layers.size(), 0) {}
  ~Impl() {
    if (!profile)
      return;
    std::fprintf(stderr, "STDB time per layer (forward, backward seconds; "
                         "synapses: nonzero share of input and of output "
                         "gradient):\n");
    for (size_t k = 0; k < net.layers.size(); ++k) {
      std::fprintf(stderr, "  %8.3f %8.3f  %s", profileSeconds[k].first,
                   profileSeconds[k].second, net.layers[k].name.c_str());
      if (profileCalls[k])
        std::fprintf(stderr, "  (%.3f, %.3f)",
                     profileDensity[k].first / double(profileCalls[k]),
                     profileDensity[k].second / double(profileCalls[k]));
      std::fprintf(stderr, "\n");
    }
  }

  const Tensor &slot(int i) const {
    return net.constants[i] ? *net.constants[i] : val[i];
  }
  bool constSlot(int i) const {
    return net.constants[i].has_value() || isConst[i];
  }
  bool storeExtras() const {
    return opt.trainThreshold || opt.trainLeak ||
           opt.surrogate != Surrogate::Stdb; // potential-based surrogates
  }

  std::string prepare();
  void resetCarry();
  std::string forward(int64_t t0, int64_t t1, bool store);
  std::string neuronForward(size_t k, int64_t t0, int64_t S, bool store);
  std::string backward(int64_t t0, int64_t t1, const Tensor &gAccum);
  std::string neuronBackward(size_t k, int64_t t0, int64_t S, const Tensor &gy,
                             bool gyConst, Tensor &gIn);
  /// Registers a parameter; its index in `params`.
  int addParam(const std::string &name, float *data, int64_t size, bool decay,
               bool trainable = true) {
    Parameter p;
    p.name = name;
    p.data = data;
    p.size = size;
    p.decay = decay;
    p.trainable = trainable;
    p.grad.assign(size_t(size), 0.0f);
    params.push_back(std::move(p));
    return int(params.size()) - 1;
  }
  std::string prepareBatchNorm();
  std::string normalizeForward(size_t k);
  void normalizeBackward(size_t k, int64_t S, Tensor &gy, bool &gyConst);
  double heldBytes() const;
  /// StdbTrainer::computeGradients without its out-of-memory report.
  std::string batch(const Tensor &input, const std::vector<int> &labels,
                    uint64_t noiseSeed, bool train, BatchResult &result);
};

StdbTrainer::StdbTrainer() = default;
StdbTrainer::~StdbTrainer() = default;

std::vector<Parameter> &StdbTrainer::parameters() { return impl->params; }
int64_t StdbTrainer::timesteps() const { return impl->T; }
bool StdbTrainer::hasBatchNorm() const {
  for (const auto &n : impl->norm)
    if (n)
      return true;
  return false;
}

std::string StdbTrainer::create(Network &net, const StdbOptions &options,
                                std::unique_ptr<StdbTrainer> &out) {
  std::unique_ptr<StdbTrainer> t(new StdbTrainer());
  t->impl = std::make_unique<Impl>(net);
  t->impl->opt = options;
  if (std::string e = t->impl->prepare(); !e.empty())
    return e;
  out = std::move(t);
  return "";
}

std::string StdbTrainer::Impl::prepare() {
  T = opt.timesteps > 0 ? opt.timesteps : net.timesteps;
  if (T < 1)
    return "the number of time steps must be positive";
  if (opt.alpha <= 0 || opt.beta < 0 || opt.firstSpikeAge < 0)
    return "STDB needs alpha > 0, beta >= 0 and first-spike age >= 0";
  if (opt.dropout < 0 || opt.dropout >= 1)
    return "dropout must lie in [0, 1)";
  if (opt.segment < 0)
    return "the recomputation segment must be >= 0";
  if (T > kMaxTimesteps || opt.firstSpikeAge > kMaxTimesteps)
    return "time steps and the first-spike age must be at most " +
           std::to_string(kMaxTimesteps);
  temperature = opt.temperature > 0 ? opt.temperature : float(T);
  lut.resize(size_t(T + opt.firstSpikeAge + 1));
  for (size_t d = 0; d < lut.size(); ++d)
    lut[d] = opt.alpha * std::exp(-opt.beta * float(d));
  if (net.inputs.size() != 1 || net.outputs.size() != 1)
    return "training needs a network with one input and one output";

  size_t slots = net.constants.size();
  paramOfSlot.assign(slots, -1);
  thresholdParam.assign(net.layers.size(), -1);
  leakParam.assign(net.layers.size(), -1);
  dependsOnParam.assign(slots, 0);
  for (size_t k = 0; k < net.layers.size(); ++k) {
    Layer &l = net.layers[k];
    bool fromParam = false;
    for (int in : l.inputs)
      fromParam |= bool(dependsOnParam[in]);
    switch (l.kind) {
    case LayerKind::Conv2D:
    case LayerKind::Dense:
      for (size_t i = 1; i < l.inputs.size(); ++i) {
        int s = l.inputs[i];
        if (!net.constants[s])
          return l.name + ": weights and biases must be constants to train";
        if (paramOfSlot[s] < 0)
          paramOfSlot[s] =
              addParam(l.name + (i == 1 ? " weight" : " bias"),
                       net.constants[s]->ptr(), net.constants[s]->size(), true);
      }
      fromParam = true;
      break;
    case LayerKind::Neuron:
      if (l.refractory > 0)
        return l.name + ": the STDB trainer does not model refractory periods";
      if (opt.trainThreshold) {
        thresholdParam[k] = addParam(l.name + " threshold", l.threshold.data(),
                                     int64_t(l.threshold.size()), false);
        params.back().min = 1e-3f;
        fromParam = true;
      }
      if (opt.trainLeak && l.leaky) {
        leakParam[k] = addParam(l.name + " leak", &l.leak, 1, false);
        params.back().min = 0.0f;
        params.back().max = 1.0f;
        fromParam = true;
      }
      break;
    case LayerKind::EncodePoisson:
    case LayerKind::EncodeDirect:
    case LayerKind::EncodeEvents:
      if (net.constants[l.inputs[0]] || dependsOnParam[l.inputs[0]])
        return l.name + ": encoders must read the network input";
      break;
    default:
      break;
    }
    dependsOnParam[l.output] = fromParam;
    if (l.output == net.outputs[0]) {
      if (l.kind != LayerKind::Accumulate && l.kind != LayerKind::SpikeRate)
        return "the network output must be an accumulate or spike-rate "
               "readout, not " +
               l.name;
      readout = int(k);
    }
  }
  if (readout < 0)
    return "the network output is not computed by a readout";
  if (params.empty())
    return "the network has no trainable weights";
  norm.resize(net.layers.size());
  return opt.batchNorm ? prepareBatchNorm() : "";
}

std::string StdbTrainer::Impl::prepareBatchNorm() {
  if (opt.segment > 0 && opt.segment < T)
    return "batch-norm takes its statistics over all time steps at once and "
           "cannot be combined with recomputation segments";
  if (opt.batchNormMomentum <= 0 || opt.batchNormMomentum > 1 ||
      opt.batchNormEpsilon <= 0)
    return "batch-norm needs a momentum in (0, 1] and epsilon > 0";
  std::vector<int> users(net.constants.size(), 0);
  for (const Layer &l : net.layers)
    for (int in : l.inputs)
      ++users[size_t(in)];
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const Layer &l = net.layers[k];
    if (l.kind != LayerKind::Dense && l.kind != LayerKind::Conv2D)
      continue;
    // Only a synapse whose current goes to one neuron layer alone.
    const Layer *consumer = nullptr;
    for (const Layer &c : net.layers)
      for (int in : c.inputs)
        if (in == l.output)
          consumer = &c;
    if (users[size_t(l.output)] != 1 || !consumer ||
        consumer->kind != LayerKind::Neuron || l.output == net.outputs[0])
      continue;
    if (l.inputs.size() < 3)
      return l.name + ": batch-norm is folded into the synapse's bias, and "
                      "it has none";
    int w = l.inputs[1], b = l.inputs[2];
    if (users[size_t(w)] != 1 || users[size_t(b)] != 1)
      return l.name + ": batch-norm folds into the weights and bias, which "
                      "other layers share";
    if (l.kind == LayerKind::Dense && (l.op.transA || l.op.beta == 0.0f))
      return l.name + ": batch-norm needs a dense synapse y = α·x·W + β·b "
                      "with β ≠ 0 and x not transposed";
    int64_t M = net.constants[size_t(b)]->size();
    const Tensor &wt = *net.constants[size_t(w)];
    int64_t outputs = l.kind == LayerKind::Conv2D ? wt.dim(0)
                      : l.op.transB               ? wt.dim(0)
                                                  : wt.dim(1);
    if (M != outputs)
      return l.name + ": batch-norm needs one bias per output channel";
    auto n = std::make_unique<SynapseNorm>();
    n->gamma.assign(size_t(M), 1.0f);
    n->beta.assign(size_t(M), 0.0f);
    n->mean.assign(size_t(M), 0.0f);
    n->variance.assign(size_t(M), 1.0f);
    auto add = [&](const char *what, std::vector<float> &v, bool trainable) {
      return addParam(l.name + " batch-norm " + what, v.data(), M, false,
                      trainable);
    };
    n->gammaParam = add("scale", n->gamma, true);
    n->betaParam = add("shift", n->beta, true);
    add("running mean", n->mean, false);
    add("running variance", n->variance, false);
    norm[k] = std::move(n);
  }
  for (const auto &n : norm)
    if (n)
      return "";
  return "batch-norm: no dense or conv synapse feeds a neuron layer";
}

std::string StdbTrainer::Impl::normalizeForward(size_t k) {
  SynapseNorm &b = *norm[k];
  const Layer &l = net.layers[k];
  Tensor &out = val[size_t(l.output)];
  b.constForm = isConst[size_t(l.output)];
  b.batchStatistics = training;
  float eps = opt.batchNormEpsilon;
  if (!training) {
    // The running statistics: the same affine map as the folded network.
    b.batch.mean = b.mean;
    b.batch.variance = b.variance;
    b.batch.invStd.resize(b.mean.size());
    for (size_t c = 0; c < b.mean.size(); ++c)
      b.batch.invStd[c] = 1.0f / std::sqrt(b.variance[c] + eps);
    b.xhat = out;
    if (std::string e = batchNormApply(
            b.xhat, std::vector<float>(b.mean.size(), 1.0f),
            std::vector<float>(b.mean.size(), 0.0f), b.mean, b.variance, eps);
        !e.empty())
      return e;
    return batchNormApply(out, b.gamma, b.beta, b.mean, b.variance, eps);
  }
  if (std::string e =
          batchNormTrain(out, b.gamma, b.beta, eps, b.batch, b.xhat);
      !e.empty())
    return e;
  double count = double(out.size()) / double(b.mean.size());
  double unbias = count > 1 ? count / (count - 1) : 1.0;
  float m = opt.batchNormMomentum;
  for (size_t c = 0; c < b.mean.size(); ++c) {
    b.mean[c] = (1 - m) * b.mean[c] + m * b.batch.mean[c];
    b.variance[c] =
        (1 - m) * b.variance[c] + m * float(b.batch.variance[c] * unbias);
  }
  return "";
}

void StdbTrainer::Impl::normalizeBackward(size_t k, int64_t S, Tensor &gy,
                                          bool &gyConst) {
  SynapseNorm &b = *norm[k];
  float *gGamma = params[size_t(b.gammaParam)].grad.data();
  float *gBeta = params[size_t(b.betaParam)].grad.data();
  if (b.constForm) {
    // The output is the same at every step: its gradient is the sum over the
    // steps; handed on in constant form (the same at each step), ÷ S.
    Tensor total;
    if (gyConst) {
      total = std::move(gy);
      for (float &v : total.data)
        v *= float(S);
    } else {
      total = sumSteps(gy, S);
    }
    batchNormBackward(total, b.xhat, b.gamma, b.batch, gGamma, gBeta,
                      b.batchStatistics);
    for (float &v : total.data)
      v /= float(S);
    gy = std::move(total);
    gyConst = true;
    return;
  }
  if (gyConst) {
    gy = repeatSteps(gy, S);
    gyConst = false;
  }
  batchNormBackward(gy, b.xhat, b.gamma, b.batch, gGamma, gBeta,
                    b.batchStatistics);
}

std::string StdbTrainer::foldBatchNorm(Network &target) const {
  const Impl &m = *impl;
  if (&target != &m.net)
    target = m.net;
  for (size_t k = 0; k < m.norm.size(); ++k) {
    if (!m.norm[k])
      continue;
    const SynapseNorm &b = *m.norm[k];
    const Layer &l = target.layers[k];
    Tensor &w = *target.constants[size_t(l.inputs[1])];
    Tensor &bias = *target.constants[size_t(l.inputs[2])];
    int64_t M = int64_t(b.gamma.size());
    if (bias.size() != M)
      return l.name + ": the network does not match the trainer's";
    // Channel of weight element i: rows of M for conv and transposed dense
    // weights (M×…), columns for a dense K×M weight.
    bool columns = l.kind == LayerKind::Dense && !l.op.transB;
    int64_t per = w.size() / M;
    float biasScale = l.kind == LayerKind::Dense ? l.op.beta : 1.0f;
    for (int64_t c = 0; c < M; ++c) {
      float f = b.gamma[size_t(c)] /
                std::sqrt(b.variance[size_t(c)] + m.opt.batchNormEpsilon);
      for (int64_t i = 0; i < per; ++i)
        w.data[size_t(columns ? i * M + c : c * per + i)] *= f;
      // y = β_b·b + …: the folded bias keeps the same β_b.
      float z = biasScale * bias.data[size_t(c)];
      bias.data[size_t(c)] =
          ((z - b.mean[size_t(c)]) * f + b.beta[size_t(c)]) / biasScale;
    }
  }
  return "";
}

void StdbTrainer::Impl::resetCarry() {
  size_t L = net.layers.size();
  carry.u.assign(L, {});
  carry.last.assign(L, {});
  carry.counts.assign(L, Tensor());
  carry.accum.assign(L, Tensor());
}

double StdbTrainer::Impl::heldBytes() const {
  double b = 0;
  for (const Tensor &t : val)
    b += double(t.size()) * 4;
  for (const auto &n : norm)
    if (n)
      b += double(n->xhat.size()) * 4;
  for (const LayerTape &lt : tape)
    b += double(lt.startLast.size() + lt.potential.size()) * 4 +
         double(lt.fired.size()) + double(lt.argmax.size()) * 4;
  return b;
}

std::string StdbTrainer::Impl::neuronForward(size_t k, int64_t t0, int64_t S,
                                             bool store) {
  const Layer &l = net.layers[k];
  const Tensor &in = slot(l.inputs[0]);
  bool inConst = constSlot(l.inputs[0]);
  int64_t NE = inConst ? in.size() : in.size() / S;
  Shape stepShape = withBatch(in.shape, N);
  int64_t channels = stepShape.size() >= 2 ? stepShape[1] : 1;
  int64_t inner = NE / std::max<int64_t>(1, N * channels);
  if (l.threshold.size() > 1 && int64_t(l.threshold.size()) != channels)
    return l.name + ": has " + std::to_string(l.threshold.size()) +
           " thresholds for " + std::to_string(channels) + " channels";
  std::vector<float> &u = carry.u[k];
  std::vector<int32_t> &last = carry.last[k];
  if (int64_t(u.size()) != NE) {
    // u[−1] = v0·V_th: a constant start (its dependence on a trained
    // threshold is not differentiated).
    u.resize(size_t(NE));
    initialPotentials(l, inner, channels, u.data(), NE);
    last.assign(size_t(NE), opt.firstSpikeAge > 0 ? int32_t(-opt.firstSpikeAge)
                                                  : kNeverSpiked);
  }
  std::vector<float> &m = mask[k];
  if (dropout > 0 && int64_t(m.size()) != NE) {
    uint64_t seed = splitmix64(noiseSeed ^ 0xD50F0C7A5EEDull);
    m.resize(size_t(NE));
    for (int64_t i = 0; i < NE; ++i)
      m[i] = counterUniform(seed, uint64_t(k), uint64_t(i)) < dropout
                 ? 0.0f
                 : 1.0f / (1.0f - dropout);
  }
  Tensor &out = val[l.output];
  out = Tensor::uninitialized(withBatch(stepShape, N * S));
  isConst[l.output] = 0;
  LayerTape &tp = tape[k];
  bool extras = store && storeExtras();
  if (store) {
    tp.startLast = last;
    tp.fired.resize(size_t(S * NE));
    if (extras) {
      tp.potential.assign(size_t(S * NE), 0.0f);
      tp.startU = u;
    }
  }
  float leak = l.leak;
  bool subtract = l.reset == Reset::Subtract;
  // Blocks of neurons, time inside: the block's state stays in cache and
  // the inner loop over neurons is contiguous. The surrogate is not stored:
  // the backward pass rebuilds Δt from the spikes (`fired`).
  forEachNeuronBlock(l, NE, inner, channels, 1 << 12,
                     [&](int64_t bb, int64_t n, const float *th) {
                       float *uu = u.data() + bb;
                       int32_t *ll = last.data() + bb;
                       const float *scale = m.empty() ? nullptr : m.data() + bb;
                       for (int64_t s = 0; s < S; ++s) {
                         int32_t t = int32_t(t0 + s);
                         int64_t row = s * NE + bb;
                         const float *cur = in.ptr() + (inConst ? bb : row);
                         float *o = out.ptr() + row;
                         uint8_t *fired =
                             store ? tp.fired.data() + row : nullptr;
                         float *pot =
                             extras ? tp.potential.data() + row : nullptr;
                         neuronStep(n, leak, subtract, t, th, cur, scale, uu,
                                    ll, o, fired, pot);
                       }
                     });
  return "";
}

std::string StdbTrainer::Impl::forward(int64_t t0, int64_t t1, bool store) {
  int64_t S = t1 - t0;
  for (size_t k = 0; k < net.layers.size(); ++k) {
    auto layerStart = std::chrono::steady_clock::now();
    const Layer &l = net.layers[k];
    int x = l.inputs[0];
    const Tensor &in = slot(x);
    bool inConst = constSlot(x);
    Tensor &out = val[l.output];
    char &outConst = isConst[l.output];
    const Tensor *bias = l.inputs.size() > 2 ? &slot(l.inputs[2]) : nullptr;
    std::string err;
    switch (l.kind) {
    case LayerKind::EncodeDirect:
      out = in;
      outConst = 1;
      break;
    case LayerKind::EncodeEvents: {
      // Steps t0 … t1 − 1 of every sample, step-major like the other trains.
      Tensor frame;
      for (int64_t s = 0; s < S; ++s) {
        if (std::string e = eventFrame(in, t0 + s, frame); !e.empty())
          return l.name + ": " + e;
        if (s == 0)
          out = Tensor(withBatch(frame.shape, N * S));
        std::copy(frame.data.begin(), frame.data.end(),
                  out.data.begin() + s * frame.size());
      }
      outConst = 0;
      break;
    }
    case LayerKind::EncodePoisson: {
      out = Tensor(withBatch(in.shape, N * S));
      outConst = 0;
      uint64_t seed = noiseSeed ? splitmix64(l.seed ^ noiseSeed) : l.seed;
      int64_t n = in.size(), perSample = n / std::max<int64_t>(N, 1);
      parallelFor(S * n, 1 << 14, [&](int64_t b, int64_t e) {
        for (int64_t at = b; at < e; ++at) {
          int64_t s = at / n, i = at % n;
          float v = l.scale * in.data[i];
          if (counterUniform(seed, uint64_t(t0 + s), uint64_t(i % perSample)) <
              std::fabs(v))
            out.data[at] = v > 0.0f ? 1.0f : -1.0f;
        }
      });
      break;
    }
    case LayerKind::Conv2D: {
      const Tensor &w = slot(l.inputs[1]);
      err = useEvents(in, eventThreshold(l, w, true))
                ? conv2dEvents(in, transposeConvWeight(w, l.op.group), w.shape,
                               bias, l.op, out)
                : conv2d(in, w, bias, l.op, out);
      outConst = inConst;
      break;
    }
    case LayerKind::Dense: {
      const Tensor &w = slot(l.inputs[1]);
      if (useEvents(in, eventThreshold(l, w, true)) && !l.op.transA &&
          l.op.alpha == 1.0f && l.op.beta == 1.0f &&
          (!bias || bias->rank() == 1)) {
        // denseEvents takes the weight as K×M.
        Tensor wT;
        if (l.op.transB)
          err = transpose({1, 0}, w, wT);
        else
          wT = w;
        if (err.empty())
          err = denseEvents(in, wT, bias, out);
      } else {
        err = gemm(in, w, bias, l.op, out);
      }
      outConst = inConst;
      break;
    }
    case LayerKind::AvgPool:
      err = pool2d(l.op, in, out);
      outConst = inConst;
      break;
    case LayerKind::Flatten:
      err = reshape(l.op, in, out);
      outConst = inConst;
      break;
    case LayerKind::GatherChannels:
      err = gatherChannels(l.op.perm, in, out);
      outConst = inConst;
      break;
    case LayerKind::Concat: {
      // Time-invariant inputs are repeated over the steps when others vary.
      bool allConst = true;
      for (int y : l.inputs)
        allConst = allConst && constSlot(y);
      std::vector<Tensor> repeated(l.inputs.size());
      std::vector<const Tensor *> parts;
      for (size_t i = 0; i < l.inputs.size(); ++i) {
        int y = l.inputs[i];
        if (allConst || !constSlot(y)) {
          parts.push_back(&slot(y));
        } else {
          repeated[i] = repeatSteps(slot(y), S);
          parts.push_back(&repeated[i]);
        }
      }
      err = concat(l.op.axis, parts, out);
      outConst = allConst;
      break;
    }
    case LayerKind::Add: {
      int y = l.inputs[1];
      bool c0 = inConst, c1 = constSlot(y);
      if (c0 == c1)
        err = binary(OpKind::Add, in, slot(y), out);
      else if (c0)
        err = binary(OpKind::Add, repeatSteps(in, S), slot(y), out);
      else
        err = binary(OpKind::Add, in, repeatSteps(slot(y), S), out);
      outConst = c0 && c1;
      break;
    }
    case LayerKind::MaxPool: {
      Tensor expanded = inConst ? repeatSteps(in, S) : Tensor();
      const Tensor &src = inConst ? expanded : in;
      int64_t per = src.size() / S;
      std::vector<int32_t> idx;
      Tensor stepIn(withBatch(src.shape, N)), stepOut;
      for (int64_t s = 0; s < S && err.empty(); ++s) {
        std::copy(src.data.begin() + s * per, src.data.begin() + (s + 1) * per,
                  stepIn.data.begin());
        err = spikeGatedMaxPool(l.op, stepIn, carry.counts[k], stepOut,
                                store ? &idx : nullptr);
        if (!err.empty())
          break;
        if (s == 0) {
          out = Tensor(withBatch(stepOut.shape, N * S));
          if (store)
            tape[k].argmax.assign(size_t(out.size()), -1);
        }
        std::copy(stepOut.data.begin(), stepOut.data.end(),
                  out.data.begin() + s * stepOut.size());
        if (store)
          std::copy(idx.begin(), idx.end(),
                    tape[k].argmax.begin() + s * stepOut.size());
      }
      outConst = 0;
      break;
    }
    case LayerKind::Neuron:
      err = neuronForward(k, t0, S, store);
      break;
    case LayerKind::Accumulate:
    case LayerKind::SpikeRate: {
      Tensor sum = inConst ? in : sumSteps(in, S);
      Tensor &acc = carry.accum[k];
      if (acc.shape != sum.shape)
        acc = Tensor(sum.shape);
      addInto(acc, sum, inConst ? float(S) : 1.0f);
      break;
    }
    }
    if (err.empty() && norm[k])
      err = normalizeForward(k);
    if (!err.empty())
      return l.name + ": " + err;
    if (profile)
      profileSeconds[k].first += secondsSince(layerStart);
  }
  peakBytes = std::max(peakBytes, heldBytes());
  return "";
}

std::string StdbTrainer::Impl::neuronBackward(size_t k, int64_t t0, int64_t S,
                                              const Tensor &gy, bool gyConst,
                                              Tensor &gIn) {
  const Layer &l = net.layers[k];
  const LayerTape &tp = tape[k];
  int64_t NE = int64_t(carry.u[k].size());
  const Tensor &out = val[l.output];
  int64_t channels = out.rank() >= 2 ? out.dim(1) : 1;
  int64_t inner = NE / std::max<int64_t>(1, N * channels);
  gIn = Tensor::uninitialized(out.shape);
  std::vector<float> &gpost = carryGrad[k];
  if (int64_t(gpost.size()) != NE)
    gpost.assign(size_t(NE), 0.0f);
  const std::vector<float> &m = mask[k];
  bool wantTh = thresholdParam[k] >= 0, wantLeak = leakParam[k] >= 0;
  size_t thSize = l.threshold.size();
  // Per-chunk partial sums for the threshold and leak gradients, added in a
  // fixed order afterwards (deterministic for a thread count).
  int64_t chunks = chunkCount(NE);
  std::vector<std::vector<double>> gTh(chunks, std::vector<double>(thSize));
  std::vector<double> gLeak(chunks, 0.0);
  float leak = l.leak;
  bool zeroReset = l.reset == Reset::Zero;
  int64_t maxAge = int64_t(lut.size()) - 1;
  float decay = std::exp(-opt.beta);
  parallelChunks(NE, [&](int64_t c, int64_t cb, int64_t ce) {
    constexpr int64_t kBlock = 512;
    float th[kBlock], e[kBlock], afterSpike[kBlock];
    std::vector<float> surrogate(size_t(S * kBlock));
    for (int64_t bb = cb; bb < ce; bb += kBlock) {
      int64_t n = std::min(kBlock, ce - bb);
      // ∂o/∂u = α/V_th·exp(−β·Δt), Δt from the last spike before the
      // segment and the spikes in it; 0 before a neuron's first spike (with
      // first-spike age 0).
      for (int64_t j = 0; j < n; ++j) {
        th[j] = l.thresholdAt(bb + j, inner, channels);
        float invTh = 1.0f / th[j];
        int32_t last = tp.startLast[size_t(bb + j)];
        e[j] =
            last == kNeverSpiked
                ? 0.0f
                : lut[size_t(std::min<int64_t>(int64_t(t0) - last, maxAge))] *
                      invTh;
        afterSpike[j] = lut[1] * invTh;
      }
      for (int64_t s = 0; s < S; ++s) {
        if (opt.surrogate == Surrogate::Stdb)
          surrogateStep(n, decay, afterSpike, tp.fired.data() + s * NE + bb, e,
                        surrogate.data() + s * kBlock);
        else
          potentialSurrogate(n, opt.surrogate, opt.width, th,
                             tp.potential.data() + s * NE + bb,
                             surrogate.data() + s * kBlock);
      }
      float *g = gpost.data() + bb; // ∂L/∂u after the reset of step s
      const float *scale = m.empty() ? nullptr : m.data() + bb;
      for (int64_t s = S - 1; s >= 0; --s) {
        int64_t row = s * NE + bb;
        const float *gyp = gy.ptr() + (gyConst ? bb : row);
        const float *sur = surrogate.data() + s * kBlock;
        const uint8_t *fired = tp.fired.data() + row;
        float *gi = gIn.ptr() + row;
        neuronBackStep(n, leak, opt.kappa, zeroReset, gyp, scale, sur, fired, g,
                       gi);
        if (!wantTh && !wantLeak)
          continue;
        // Threshold and leak gradients (rarely trained): scalar loop.
        for (int64_t j = 0; j < n; ++j) {
          int64_t i = bb + j, at = row + j;
          float gu = gi[j], go = scale ? gyp[j] * scale[j] : gyp[j];
          // ∂L/∂u(after reset) of step s, what flowed in from s + 1.
          float gpostS = fired[j] && zeroReset ? 0.0f : gu - go * sur[j];
          if (wantTh) {
            size_t thIndex = thSize > 1 ? size_t((i / inner) % channels) : 0;
            // o = H(u/V_th − 1): ∂o/∂V_th = −(u/V_th)·∂o/∂u; the subtract
            // reset u − V_th·o adds −o·∂L/∂u(after reset).
            float v = tp.potential[at];
            gTh[c][thIndex] += double(-go * sur[j] * v / th[j]);
            if (fired[j] && !zeroReset)
              gTh[c][thIndex] -= double(gpostS);
          }
          if (wantLeak) {
            // u[t] = λ·u_after[t−1] + I[t].
            float prev;
            if (s == 0) {
              prev = tp.startU[i];
            } else {
              int64_t pa = at - NE;
              float pv = tp.potential[pa];
              prev = tp.fired[pa] ? (zeroReset ? 0.0f : pv - th[j]) : pv;
            }
            gLeak[c] += double(gu * prev);
          }
        }
      }
    }
  });
  if (wantTh) {
    Parameter &p = params[thresholdParam[k]];
    for (int64_t c = 0; c < chunks; ++c)
      for (size_t j = 0; j < thSize; ++j)
        p.grad[j] += float(gTh[c][j]);
  }
  if (wantLeak) {
    Parameter &p = params[leakParam[k]];
    for (int64_t c = 0; c < chunks; ++c)
      p.grad[0] += float(gLeak[c]);
  }
  return "";
}

std::string StdbTrainer::Impl::backward(int64_t t0, int64_t t1,
                                        const Tensor &gAccum) {
  int64_t S = t1 - t0;
  size_t slots = net.constants.size();
  std::vector<Tensor> g(slots);
  std::vector<char> gConst(slots, 0), has(slots, 0);
  auto addGrad = [&](int s, Tensor &&t, bool c) {
    if (!dependsOnParam[s])
      return;
    if (!has[s]) {
      g[s] = std::move(t);
      gConst[s] = c;
      has[s] = 1;
      return;
    }
    if (gConst[s] && !c) {
      g[s] = repeatSteps(g[s], S);
      gConst[s] = 0;
    }
    if (c && !gConst[s])
      t = repeatSteps(t, S);
    addInto(g[s], t);
  };
  auto paramGrad = [&](int s) -> Tensor {
    return Tensor(net.constants[s]->shape);
  };

  const Layer &ro = net.layers[readout];
  {
    Tensor gr = gAccum;
    // A readout's input adds to the accumulator at every step.
    addGrad(ro.inputs[0], std::move(gr), true);
  }
  for (size_t kk = net.layers.size(); kk-- > 0;) {
    auto layerStart = std::chrono::steady_clock::now();
    const Layer &l = net.layers[kk];
    if (!has[l.output] || int(kk) == readout)
      continue;
    Tensor gy = std::move(g[l.output]);
    bool gc = gConst[l.output];
    has[l.output] = 0;
    int x = l.inputs[0];
    bool xc = constSlot(x);
    bool needX = dependsOnParam[x];
    std::string err;
    switch (l.kind) {
    case LayerKind::Conv2D:
    case LayerKind::Dense: {
      if (norm[kk])
        normalizeBackward(kk, S, gy, gc);
      int wSlot = l.inputs[1];
      int bSlot = l.inputs.size() > 2 ? l.inputs[2] : -1;
      const Tensor &w = slot(wSlot);
      Tensor gw = paramGrad(wSlot);
      Tensor gx;
      // Σ_t gy[t] ⊗ x[t] with either factor constant in time: sum the other
      // over time first (both constant: S times the single product).
      Tensor xr, gyr;
      const Tensor *xe = &slot(x), *gye = &gy;
      float biasScale = 1.0f;
      if (xc && gc) {
        gyr = gy;
        for (float &v : gyr.data)
          v *= float(S);
        gye = &gyr;
      } else if (xc) {
        gyr = sumSteps(gy, S);
        gye = &gyr;
      } else if (gc) {
        xr = sumSteps(slot(x), S);
        xe = &xr;
        biasScale = float(S);
      }
      Tensor gbPart = bSlot >= 0 ? paramGrad(bSlot) : Tensor();
      double xDensity = density(*xe);
      bool sparse = xe->size() > 0 && xDensity < eventThreshold(l, w, false);
      if (profile) {
        profileDensity[kk].first += xDensity;
        profileDensity[kk].second += density(*gye);
        ++profileCalls[kk];
      }
      err = l.kind == LayerKind::Conv2D
                ? conv2dBackward(*xe, w, l.op, *gye, needX ? &gx : nullptr, &gw,
                                 bSlot >= 0 ? &gbPart : nullptr, sparse)
                : gemmBackward(*xe, w, l.op, *gye, needX ? &gx : nullptr, &gw,
                               bSlot >= 0 ? &gbPart : nullptr, sparse);
      if (!err.empty())
        break;
      Parameter &pw = params[paramOfSlot[wSlot]];
      for (int64_t i = 0; i < gw.size(); ++i)
        pw.grad[i] += gw.data[i];
      if (bSlot >= 0) {
        Parameter &pb = params[paramOfSlot[bSlot]];
        for (int64_t i = 0; i < gbPart.size(); ++i)
          pb.grad[i] += biasScale * gbPart.data[i];
      }
      if (needX)
        addGrad(x, std::move(gx), xc || gc);
      break;
    }
    case LayerKind::AvgPool: {
      Tensor gx;
      err = avgPoolBackward(l.op, withBatch(slot(x).shape, gy.dim(0)), gy, gx);
      if (err.empty())
        addGrad(x, std::move(gx), gc);
      break;
    }
    case LayerKind::Flatten: {
      Tensor gx(withBatch(slot(x).shape, gy.dim(0)), std::move(gy.data));
      addGrad(x, std::move(gx), gc);
      break;
    }
    case LayerKind::Add: {
      Tensor copy = gy;
      addGrad(x, std::move(copy), gc);
      addGrad(l.inputs[1], std::move(gy), gc);
      break;
    }
    case LayerKind::GatherChannels: {
      Tensor gx;
      err = scatterChannels(l.op.perm, slot(x).dim(1), gy, gx);
      if (err.empty())
        addGrad(x, std::move(gx), gc);
      break;
    }
    case LayerKind::Concat: {
      // Each input gets its slab of the gradient along the axis.
      int64_t axis = l.op.axis, outer = 1, inner = 1;
      for (int64_t d = 0; d < axis; ++d)
        outer *= gy.dim(d);
      for (int64_t d = axis + 1; d < gy.rank(); ++d)
        inner *= gy.dim(d);
      int64_t total = gy.dim(axis), offset = 0;
      for (int y : l.inputs) {
        int64_t width = slot(y).dim(axis);
        Shape shape = gy.shape;
        shape[size_t(axis)] = width;
        Tensor part = Tensor::uninitialized(shape);
        for (int64_t o = 0; o < outer; ++o)
          std::copy_n(gy.ptr() + (o * total + offset) * inner, width * inner,
                      part.ptr() + o * width * inner);
        offset += width;
        addGrad(y, std::move(part), gc);
      }
      break;
    }
    case LayerKind::MaxPool: {
      Tensor full = gc ? repeatSteps(gy, S) : std::move(gy);
      Shape xs = withBatch(slot(x).shape, N * S);
      Tensor gx(xs);
      int64_t perOut = full.size() / S, perIn = gx.size() / S;
      const std::vector<int32_t> &idx = tape[kk].argmax;
      for (int64_t s = 0; s < S; ++s)
        for (int64_t o = 0; o < perOut; ++o) {
          int32_t i = idx[size_t(s * perOut + o)];
          if (i >= 0)
            gx.data[s * perIn + i] += full.data[s * perOut + o];
        }
      addGrad(x, std::move(gx), false);
      break;
    }
    case LayerKind::Neuron: {
      Tensor gIn;
      err = neuronBackward(kk, t0, S, gy, gc, gIn);
      if (err.empty() && needX)
        addGrad(x, std::move(gIn), false);
      break;
    }
    default:
      break;
    }
    if (!err.empty())
      return l.name + " (backward): " + err;
    if (profile)
      profileSeconds[kk].second += secondsSince(layerStart);
  }
  return "";
}

std::string StdbTrainer::Impl::batch(const Tensor &input,
                                     const std::vector<int> &labels,
                                     uint64_t noiseSeed, bool train,
                                     BatchResult &result) {
  Impl &m = *this;
  Network &net = m.net;
  if (std::string e = checkInputShapes(net.inputShapes, {input}); !e.empty())
    return e;
  m.N = input.dim(0);
  if (int64_t(labels.size()) != m.N)
    return "expected " + std::to_string(m.N) + " labels, got " +
           std::to_string(labels.size());
  for (Parameter &p : m.params)
    std::fill(p.grad.begin(), p.grad.end(), 0.0f);
  size_t L = net.layers.size();
  m.val.assign(net.constants.size(), Tensor());
  m.isConst.assign(net.constants.size(), 0);
  m.val[net.inputs[0]] = input;
  m.isConst[net.inputs[0]] = 1;
  m.tape.assign(L, LayerTape());
  m.carryGrad.assign(L, {});
  m.noiseSeed = noiseSeed;
  m.peakBytes = 0;
  m.resetCarry();

  // Dropout masks (one per sample and neuron, the same at every step) are
  // drawn by neuronForward on first use and kept for all segments.
  m.mask.assign(L, {});
  m.dropout = train ? m.opt.dropout : 0.0f;
  m.training = train;
  int64_t T = m.T, segment = m.opt.segment > 0 ? m.opt.segment : T;
  std::vector<Carry> snapshots;

  // First pass over all segments (storing everything when there is one).
  bool single = segment >= T;
  for (int64_t t0 = 0; t0 < T; t0 += segment) {
    int64_t t1 = std::min(T, t0 + segment);
    if (!single)
      snapshots.push_back(m.carry);
    if (std::string e = m.forward(t0, t1, single); !e.empty())
      return e;
  }

  // Loss: softmax cross-entropy on accumulated readout / temperature.
  const Tensor &acc = m.carry.accum[m.readout];
  if (acc.rank() != 2 || acc.dim(0) != m.N)
    return "the readout must give one row of class scores per image, got " +
           formatShape(acc.shape);
  int64_t classes = acc.dim(1);
  Tensor gAccum(acc.shape);
  result = BatchResult();
  result.count = m.N;
  for (int64_t n = 0; n < m.N; ++n) {
    if (labels[n] < 0 || labels[n] >= classes)
      return "label " + std::to_string(labels[n]) + " is outside the " +
             std::to_string(classes) + " classes of the readout";
    const float *z = acc.ptr() + n * classes;
    int64_t best = std::max_element(z, z + classes) - z;
    result.correct += best == labels[n];
    if (m.opt.loss == LossKind::RateMse) {
      // Rates r = readout / T against the one-hot label, mean over classes.
      double scale = 1.0 / double(T);
      for (int64_t c = 0; c < classes; ++c) {
        double d = double(z[c]) * scale - (c == labels[n] ? 1.0 : 0.0);
        result.loss += d * d / double(classes);
        gAccum.data[n * classes + c] =
            float(2.0 * d * scale / (double(classes) * double(m.N)));
      }
      continue;
    }
    float zmax = *std::max_element(z, z + classes);
    std::vector<double> e(static_cast<size_t>(classes));
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c)
      sum += e[size_t(c)] = std::exp(double((z[c] - zmax) / m.temperature));
    result.loss +=
        -(double((z[labels[n]] - zmax) / m.temperature) - std::log(sum));
    for (int64_t c = 0; c < classes; ++c)
      gAccum.data[n * classes + c] =
          float((e[size_t(c)] / sum - (c == labels[n] ? 1.0 : 0.0)) /
                (double(m.N) * m.temperature));
  }
  result.loss /= double(m.N);

  if (single) {
    if (std::string e = m.backward(0, T, gAccum); !e.empty())
      return e;
  } else {
    for (int64_t k = int64_t(snapshots.size()) - 1; k >= 0; --k) {
      int64_t t0 = k * segment, t1 = std::min(T, t0 + segment);
      m.carry = snapshots[size_t(k)];
      if (std::string e = m.forward(t0, t1, true); !e.empty())
        return e;
      if (std::string e = m.backward(t0, t1, gAccum); !e.empty())
        return e;
    }
  }
  result.peakBytes = m.peakBytes;
  m.val.assign(net.constants.size(), Tensor());
  m.tape.assign(L, LayerTape());
  for (auto &n : m.norm)
    if (n)
      n->xhat = Tensor();
  return "";
}

std::string StdbTrainer::computeGradients(const Tensor &input,
                                          const std::vector<int> &labels,
                                          uint64_t noiseSeed, bool train,
                                          BatchResult &result) {
  // BPTT keeps every step's activations: a request for more memory than
  // the machine has is reported with what asked for it.
  try {
    return impl->batch(input, labels, noiseSeed, train, result);
  } catch (const std::bad_alloc &) {
    impl->val.assign(impl->net.constants.size(), Tensor());
    impl->tape.assign(impl->net.layers.size(), LayerTape());
    // The input's activations alone, kept for every step of a segment.
    int64_t segment = impl->opt.segment > 0
                          ? std::min(impl->opt.segment, impl->T)
                          : impl->T;
    double inputBytes = double(input.size()) * double(segment) * 4.0;
    return "out of memory: BPTT keeps the activations of every one of the " +
           std::to_string(segment) + " time steps" +
           (segment < impl->T ? " of a segment" : "") + " for a batch of " +
           std::to_string(input.rank() ? input.dim(0) : 0) +
           " samples (the input layer's alone take " + formatBytes(inputBytes) +
           "; this machine has " + formatBytes(physicalMemoryBytes()) +
           "): lower --batch or --timesteps, or keep states only every N "
           "steps with --recompute N";
  }
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

Optimizer::Optimizer(const OptimizerOptions &options,
                     std::vector<Parameter> &params)
    : options(options), params(params) {
  for (const Parameter &p : params) {
    first.emplace_back(size_t(p.size), 0.0f);
    second.emplace_back(
        options.kind == OptimizerKind::Adam ? size_t(p.size) : 0, 0.0f);
  }
}

void Optimizer::step(float lr) {
  ++steps;
  const OptimizerOptions &o = options;
  double c1 = 1.0 - std::pow(double(o.beta1), double(steps));
  double c2 = 1.0 - std::pow(double(o.beta2), double(steps));
  for (size_t k = 0; k < params.size(); ++k) {
    Parameter &p = params[k];
    if (!p.trainable)
      continue;
    float wd = p.decay ? o.weightDecay : 0.0f;
    // AdamW: p ← p·(1 − lr·wd) − lr·update; else wd·p joins the gradient.
    float shrink = o.decoupledDecay ? 1.0f - lr * wd : 1.0f;
    float coupled = o.decoupledDecay ? 0.0f : wd;
    std::vector<float> &m = first[k], &v = second[k];
    parallelFor(p.size, 1 << 15, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        float g = p.grad[i] + coupled * p.data[i];
        float update;
        if (o.kind == OptimizerKind::Adam) {
          m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
          v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
          update = float(double(m[i]) / c1 /
                         (std::sqrt(double(v[i]) / c2) + double(o.epsilon)));
        } else {
          m[i] = o.momentum * m[i] + g;
          update = m[i];
        }
        p.data[i] = std::clamp(shrink * p.data[i] - lr * update, p.min, p.max);
      }
    });
  }
}

} // namespace snnrt
