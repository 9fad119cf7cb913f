//===- Ttfs.h - time-to-first-spike networks: exact times and gradients -*- C++
//-*-===//
//
// The continuous-time TTFS model of the `snn` dialect (snn.encode_ttfs,
// snn.dense, snn.ttfs_neuron, snn.first_spike; docs/ttfs.md): non-leaky
// integrate-and-fire neurons driven by step synaptic currents,
//
//   v_i(t) = Σ_j w_ij · (t − t_j) / τ · 1[t > t_j],
//
// fire once, at the first t ≤ t_max with v_i(t) = V_th:
//
//   t_i = (τ·V_th + Σ_{j∈C} w_ij·t_j) / Σ_{j∈C} w_ij,  C = {j : t_j < t_i}.
//
// The simulation is exact and event-driven: a layer sorts its input spikes
// once per sample and every neuron adds them in that order until the
// closed-form crossing falls before the next input. Gradients of spike times
// with respect to weights and input times are exact:
//
//   ∂t_i/∂w_ij = (t_j − t_i) / W_i,   ∂t_i/∂t_j = w_ij / W_i,  W_i = Σ_C w_ij.
//
// A bias b_i is an input spike at t = 0 with weight b_i. A convolutional
// layer (snn.conv2d) is simulated event-driven: each input spike reaches only
// the neurons of its receptive fields, and a neuron's threshold crossing is
// checked when its next input arrives (and at t_max), which finds the same
// first crossing. Plain C++ and the runtime's thread pool; no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TTFS_TTFS_H
#define SNN_MLIR_RUNTIME_TTFS_TTFS_H

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace snnrt::ttfs {

/// The time of a neuron that does not fire.
constexpr float kNoSpike = std::numeric_limits<float>::infinity();

/// The parameters of a convolutional layer (snn.conv2d, ONNX semantics,
/// inputs and neurons in C×H×W order).
struct Convolution {
  int64_t C = 0, H = 0, W = 0;   // input channels and size
  int64_t M = 0, OH = 0, OW = 0; // output channels and size
  int64_t kH = 1, kW = 1, sH = 1, sW = 1, dH = 1, dW = 1;
  int64_t pT = 0, pL = 0; // padding before the first row and column
  int64_t group = 1;
  std::vector<float> kernel; // M × C/group × kH × kW
  std::vector<float> bias;   // M, or empty
  /// "" or what is wrong with the geometry or the parameters' sizes.
  std::string validate() const;
};

/// Max pooling of a layer's spikes (snn.max_pool after snn.ttfs_neuron):
/// each output passes the earliest spike of its kH×kW window, the largest
/// value that the spike times encode (padding never spikes). Neurons and
/// outputs in C×H×W order.
struct Pooling {
  int64_t C = 0, H = 0, W = 0, OH = 0, OW = 0;
  int64_t kH = 1, kW = 1, sH = 1, sW = 1, pT = 0, pL = 0;
  int64_t size() const { return C * OH * OW; }
  /// "" or what is wrong with the geometry.
  std::string validate() const;
};

/// A layer of TTFS neurons: fully connected (`weight`, `bias`), or
/// convolutional (`conv` set; then `weight` and `bias` stay empty and `in`,
/// `out` are C·H·W and M·OH·OW); its spikes optionally max-pooled (`pool`)
/// before the next layer.
struct Layer {
  std::string name;
  int64_t in = 0, out = 0;
  std::vector<float> weight;    // out × in, row-major (as snn.dense)
  std::vector<float> bias;      // empty, or one per neuron (spike at t = 0)
  std::vector<float> threshold; // one for all, or one per neuron
  float tau = 1.0f;
  std::optional<Convolution> conv;
  std::optional<Pooling> pool;
  /// What the next layer reads: the neurons, or the pooled outputs.
  int64_t outputs() const { return pool ? pool->size() : out; }
  float thresholdOf(int64_t i) const {
    return threshold.size() == 1 ? threshold[0] : threshold[size_t(i)];
  }
  /// The values training updates and writes back: the weight and bias, or
  /// a convolution's kernel and channel bias.
  std::vector<float> &trainedWeight() { return conv ? conv->kernel : weight; }
  std::vector<float> &trainedBias() { return conv ? conv->bias : bias; }
  const std::vector<float> &trainedWeight() const {
    return conv ? conv->kernel : weight;
  }
  const std::vector<float> &trainedBias() const {
    return conv ? conv->bias : bias;
  }
  bool hasBias() const { return !trainedBias().empty(); }
  /// How many values training updates (a convolution's gradients in `run`
  /// have this size).
  int64_t parameterCount() const {
    return int64_t(trainedWeight().size() + trainedBias().size());
  }
};

struct Network {
  float inputTau = 1.0f; // snn.encode_ttfs: t = τ_in · (1 − x)
  float tMax = 1.0f;     // #snn.continuous<t_max>: the end of the window
  std::vector<Layer> layers;
  /// "" or what is wrong (sizes, thresholds ≤ 0, τ ≤ 0, t_max ≤ 0).
  std::string validate() const;
};

/// snn.encode_ttfs: x in [0, 1] fires at τ·(1 − x); x ≤ 0 never; x > 1 at 0.
void encode(const float *x, int64_t n, float tau, float *times);

/// What one layer's forward pass leaves for the backward pass of a sample.
struct LayerTrace {
  std::vector<int32_t> order;      // inputs that fire before t_max, by time;
                                   // index `in` is the bias spike at t = 0
  std::vector<float> times;        // their times, ascending
  std::vector<float> time;         // per neuron: spike time or kNoSpike
  std::vector<int32_t> causal;     // inputs (a prefix of `order`) before the
                                   // spike; all of them without a spike
  std::vector<float> wsum;         // Σ of the causal weights (and bias)
  std::vector<float> pooled;       // with a pooling: the outputs' times
  std::vector<int32_t> pooledFrom; // and the neuron each came from (-1: none)
};

/// Max pooling of spike times: pooled[o] = the earliest time in window o
/// (the first neuron of the window on ties; kNoSpike and -1 when none fires).
void maxPoolTimes(const Pooling &p, const float *times,
                  std::vector<float> &pooled, std::vector<int32_t> &from);

/// Spike times of one layer for one sample. `wT` is the layer's weight
/// transposed to (in + 1) × out with the bias (or zeros) as the last row.
void layerForward(const Layer &l, const float *wT, const float *inTimes,
                  float tMax, LayerTrace &trace);

/// [(in + 1) × out] from the layer's weight and bias; for a convolution its
/// dense form (zero outside the receptive fields, the channel bias on every
/// neuron of the channel), which layerForward simulates exactly like the
/// event-driven convolution (the unit tests' reference).
std::vector<float> transposedWeights(const Layer &l);

/// A convolution's synapses both ways, for the event-driven simulation (and
/// the CPU backend, which compiles the same event loop): for every input
/// (row `in`: the bias spike) the neurons it reaches in ascending order,
/// and for every neuron its inputs in ascending order (the bias spike
/// last). `param` indexes `params`, the kernel followed by the channel bias
/// (the layout of the gradients).
struct Synapses {
  std::vector<float> params;
  std::vector<int64_t> rowStart; // in + 2
  std::vector<int32_t> rowNeuron, rowParam;
  std::vector<int64_t> colStart; // out + 1
  std::vector<int32_t> colInput, colParam;
};

/// The synapse tables of a convolutional layer (`l.conv` set).
Synapses buildSynapses(const Layer &l);

/// Regularizers on hidden and output spike times (docs/ttfs.md derives
/// them). With T = t_max, W_i the causal weight sum and ṽ_i the potential
/// made of the causal inputs only (what the neuron integrates up to its
/// spike, continued without reset):
///   M-SSR:    Σ_fired W_i·(T − t_i)² / (2τ)  = ∫ (ṽ_i − V_th)⁺ dt
///   F-SSR:    Σ_fired W_i·(T − t_i) / τ      = ṽ_i(T) − V_th
///   membrane: Σ_all ∫_0^T (ṽ_i(t) − v̂)⁺ dt   (v̂ = `vhat`·V_th)
///   membrane-full: the same over the full potential v_i(t) (every input
///             before T, also those after the neuron's spike)
enum class Regularizer { None, MSSR, FSSR, Membrane, MembraneFull };

struct LossOptions {
  float sigma = 0.5f; // softmax over −t_k / σ
  /// Weight of max(0, V_th − ṽ_y(T)) when the target output does not fire
  /// (a non-firing neuron has no spike-time gradient).
  float fireWeight = 1.0f;
  Regularizer reg = Regularizer::None;
  float gamma = 0.0f; // strength, per neuron of the regularised layers
  float vhat = 0.5f;  // membrane baseline: v̂ as a fraction of V_th
  bool regularizeOutput = false; // also the output layer (default: hidden)
};

/// Per-sample results, summed over a batch.
struct Stats {
  double loss = 0.0, reg = 0.0;
  int64_t correct = 0, count = 0;
  std::vector<double> spikes; // per layer: fired neurons, summed
  double outputTime = 0.0;    // Σ of the earliest output spike times
  int64_t outputFired = 0;    // samples with an output spike
  void add(const Stats &o);
};

/// Forward (and, with `grads`, backward) over a batch of samples
/// (`x`: n × in of the first layer, values in [0, 1]). Gradients are added
/// to grads[layer]: for a dense layer (in + 1) × out like transposedWeights
/// (the last row is the bias gradient), for a convolution the kernel's
/// gradient followed by the channel bias's (Layer::parameterCount). Returns
/// stats with the loss summed over the batch (cross-entropy + fire term +
/// γ·regularizer). Deterministic for a thread count. `labels` may be null (then
/// no loss, only predictions and spikes).
Stats run(const Network &net, const float *x, const int32_t *labels, int64_t n,
          const LossOptions &opt, std::vector<std::vector<float>> *grads,
          std::vector<int32_t> *predictions = nullptr);

/// The regularizer of one neuron from its trace (value only; for tests and
/// reports): `i` in trace `t` of layer `l`.
double regularizerOf(const Layer &l, const LayerTrace &t, int64_t i, float tMax,
                     Regularizer reg, float vhat);

} // namespace snnrt::ttfs

#endif // SNN_MLIR_RUNTIME_TTFS_TTFS_H
