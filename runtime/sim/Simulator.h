//===- Simulator.h - discrete-time simulation of spiking networks -*- C++ -*-//

#ifndef SNN_MLIR_RUNTIME_SIM_SIMULATOR_H
#define SNN_MLIR_RUNTIME_SIM_SIMULATOR_H

#include "runtime/sim/Network.h"

#include <functional>
#include <string>
#include <vector>

namespace snnrt {

/// The SplitMix64 finaliser: a well-mixed 64-bit hash of `x`.
uint64_t splitmix64(uint64_t x);

/// Uniform [0, 1) from a counter-based generator: the same value for a seed,
/// step and element whatever the thread count or the order of evaluation.
float counterUniform(uint64_t seed, uint64_t step, uint64_t element);

/// The most time steps a discrete-time network runs: spike counts are
/// float32 and exact up to 2^24 (the snn dialect's verifier has the same
/// bound on #snn.discrete<timesteps>).
constexpr int64_t kMaxTimesteps = int64_t(1) << 24;

struct SimOptions {
  int64_t timesteps = 0; // 0: the network's own
  /// Steps after which the readouts are also reported (e.g. {8, 16, 32});
  /// the last one must not exceed the number of steps.
  std::vector<int64_t> checkpoints;
  /// When ≥ 0: SimResult::recorded gets, per element, the largest input
  /// current this (neuron) layer receives over all steps.
  int recordInputOf = -1;
  /// Keep each neuron layer's spike count per neuron (SimResult::counts).
  bool recordCounts = false;
  /// Run synapse layers event-driven when their input is sparse.
  bool eventDriven = true;
  /// Compute synapses with the reference kernels (denseEvents,
  /// conv2dReference): slower, but in the one order of operations that the
  /// CPU backend's generated code follows, so spike counts match it exactly.
  bool referenceOrder = false;
  /// Called every 1024 steps with (step, T): progress of long runs.
  std::function<void(int64_t, int64_t)> onStep;
};

struct LayerStats {
  std::string name;
  int64_t neuronsPerSample = 0;
  double spikes = 0;         // total over the batch and all steps
  double synapticEvents = 0; // input spikes (or nonzero inputs) × fan-out
};

struct SimResult {
  /// outputs[k][o]: output o at checkpoint k (readouts as of that step).
  std::vector<std::vector<Tensor>> outputs;
  std::vector<LayerStats> layers; // one per neuron or synapse layer
  Tensor recorded;
  /// counts[k]: spikes per neuron of layer k over the run (neuron layers
  /// only, with recordCounts).
  std::vector<Tensor> counts;
};

/// Frame `t` (N×C×H×W) of event frames N×T×C×H×W (zeros past the end), and
/// the mean frame over T (the rate an ANN view of event input sees).
std::string eventFrame(const Tensor &frames, int64_t t, Tensor &out);
std::string meanFrame(const Tensor &frames, Tensor &out);

/// Runs `net` on `inputs` (one per network input, batch first) for the
/// requested steps. Returns an empty string on success, else an error.
std::string simulate(const Network &net, const std::vector<Tensor> &inputs,
                     const SimOptions &options, SimResult &result);

/// One step of n neurons without refractory periods, the update every
/// simulator and trainer shares: u ← λ·u + I, a spike when u ≥ V_th (then
/// u − V_th with subtract reset, else 0). `out` gets `scale[j]` (1 without
/// scale) for a spike, else 0; `last`, `fired` and `potential` (u before the
/// reset) are written when given. Plain arrays so that it vectorises.
void neuronStep(int64_t n, float leak, bool subtract, int32_t t,
                const float *__restrict th, const float *__restrict cur,
                const float *__restrict scale, float *__restrict u,
                int32_t *__restrict last, float *__restrict out,
                uint8_t *__restrict fired, float *__restrict potential);

/// Calls body(begin, n, th) on blocks of at most 512 of a neuron layer's
/// `count` neurons (spread over the worker threads; `grain` as for
/// parallelFor), with th[j] the threshold of neuron begin + j (tensors of
/// `channels` channels of `inner` elements per sample).
void forEachNeuronBlock(
    const Layer &l, int64_t count, int64_t inner, int64_t channels,
    int64_t grain,
    const std::function<void(int64_t, int64_t, const float *)> &body);

/// u[i] = initial_potential · V_th(i) for the `n` neurons of a neuron layer
/// at the start of a simulation (tensors as for forEachNeuronBlock).
void initialPotentials(const Layer &l, int64_t inner, int64_t channels,
                       float *u, int64_t n);

/// One step of the spike-gated max-pool: each output forwards the spike of
/// the window input with the most spikes so far (ties: one that spikes now,
/// then the first in row-major order). `counts` (shaped like `in`) holds the
/// spikes so far and is updated; `argmax`, when given, receives the flat
/// input index each output forwards (-1: an empty window).
std::string spikeGatedMaxPool(const Node &n, const Tensor &in, Tensor &counts,
                              Tensor &out,
                              std::vector<int32_t> *argmax = nullptr);

/// Runs the network as the ANN it approximates: encoders and readouts pass
/// values through, neurons are ReLUs, the spike-gated max-pool is a max-pool.
/// `values` receives every slot's tensor (neuron outputs are activations).
/// With `rates`, a neuron outputs min(relu(i) / V_th, 1) instead: the firing
/// rate an ideal spiking neuron would have, which is what the next layer of
/// the SNN receives (the "rate ANN" of the spiking network).
std::string annView(const Network &net, const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &values, bool rates = false);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_SIM_SIMULATOR_H
