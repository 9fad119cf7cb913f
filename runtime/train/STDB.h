//===- STDB.h - spike-timing-dependent backpropagation ----------*- C++ -*-===//
//
// Backpropagation through time over a discrete-time spiking network (seed 000,
// Rathi et al. 2020): the forward pass is the simulator's (IF/LIF neurons with
// subtract or zero reset, Poisson or direct input, accumulating readout); the
// spike's derivative is the STDB surrogate
//
//   ∂o/∂u = α/V_th · exp(−β·Δt),  Δt = steps since the neuron's last spike,
//
// read from a lookup table, and the loss is softmax cross-entropy on the
// readout's accumulated potential divided by a temperature (default T).
//
// The network is run layer by layer over all time steps at once (a
// feed-forward SNN has no recurrence between layers), so every synapse is one
// large GEMM over T·N samples, and a synapse whose input is the same at every
// step (direct input) is computed once.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TRAIN_STDB_H
#define SNN_MLIR_RUNTIME_TRAIN_STDB_H

#include "runtime/sim/Network.h"

#include <memory>
#include <string>
#include <vector>

namespace snnrt {

/// The derivative the backward pass gives a spike, ∂o/∂u.
enum class Surrogate {
  Stdb,        // α/V_th·exp(−β·Δt) (seed 000)
  Rectangular, // 1 where |u − V_th| < `width` (the usual BPTT baseline)
  Spatial,     // 1[u ≥ V_th]/u: BPSA, the spatial adjustment of seed 001
};

/// What the loss compares.
enum class LossKind {
  CrossEntropy, // softmax over the accumulated readout / temperature
  RateMse,      // mean squared error of the output rates (readout / T) to
                // the one-hot label, as BPSTA trains (seed 001)
};

struct StdbOptions {
  int64_t timesteps = 0; // 0: the network's T
  Surrogate surrogate = Surrogate::Stdb;
  float width = 0.5f; // rectangular surrogate: half width around V_th
  /// BPTA, the temporal adjustment of seed 001: a neuron that fired and was
  /// reset to zero still passes κ·∂o/∂u of the gradient that reaches its
  /// reset potential (a plain hard reset passes none). 0: off.
  float kappa = 0.0f;
  LossKind loss = LossKind::CrossEntropy;
  float alpha = 0.3f, beta = 0.01f;
  /// Δt before a neuron's first spike: as if it had last fired this many
  /// steps before the start (1000, as the authors' code: a vanishing but
  /// non-zero gradient); 0: no gradient at all before the first spike.
  int64_t firstSpikeAge = 1000;
  /// Dropout on every neuron layer's spikes, one mask per sample reused at
  /// every step (scaled by 1/(1−p)); 0: off.
  float dropout = 0.0f;
  bool trainThreshold = false; // thresholds are otherwise fixed
  bool trainLeak = false;      // LIF layers only
  /// Recomputation through time: keep only the neuron states every
  /// `segment` steps in the forward pass and recompute each segment's
  /// activations during the backward pass (memory ∝ segment instead of T,
  /// one extra forward pass). 0: keep all steps.
  int64_t segment = 0;
  /// Logits = accumulated readout / temperature; 0: T.
  float temperature = 0.0f;
  /// Batch-norm on every dense or conv synapse that feeds a neuron layer, as
  /// the BPSTA networks have (seed 001): while training, each output channel
  /// is standardized with the batch's statistics over all time steps,
  /// samples and positions, then scaled and shifted by a trained γ and β;
  /// running statistics (momentum `batchNormMomentum`, unbiased variance)
  /// are kept for inference, where the normalization is folded into the
  /// synapse's weights and bias (foldBatchNorm). Needs those synapses to
  /// have a bias and their own weights, and no recomputation segments.
  bool batchNorm = false;
  float batchNormMomentum = 0.1f;
  float batchNormEpsilon = 1e-5f;
};

/// A trainable tensor of the network (a weight or bias constant, a layer's
/// thresholds or leak) and its gradient.
struct Parameter {
  std::string name;
  float *data = nullptr;
  int64_t size = 0;
  bool decay = true;     // weight decay applies (weights and biases)
  bool trainable = true; // false: state the optimizer leaves alone but
                         // checkpoints keep (batch-norm running statistics)
  float min = -1e30f, max = 1e30f; // kept in this range after each step
  std::vector<float> grad;
};

struct BatchResult {
  double loss = 0.0; // mean cross-entropy over the batch
  int64_t correct = 0, count = 0;
  double peakBytes = 0; // activation memory held by the pass
};

class StdbTrainer {
public:
  /// Checks that `net` can be trained (one input, one accumulate/spike-rate
  /// output, no refractory periods, discrete-time layers) and prepares the
  /// trainer. The trainer updates `net` in place; `net` must outlive it.
  static std::string create(Network &net, const StdbOptions &options,
                            std::unique_ptr<StdbTrainer> &out);
  ~StdbTrainer();

  /// Forward and backward pass on a batch (N images shaped for the network
  /// input, N labels): sets every parameter's gradient. `noiseSeed` selects
  /// the Poisson input and dropout masks (the same seed gives the same
  /// result); `train` enables dropout and makes batch-norm use (and update
  /// its running statistics from) the batch's statistics; without it the
  /// pass is the inference form, as PyTorch's eval mode.
  std::string computeGradients(const Tensor &input,
                               const std::vector<int> &labels,
                               uint64_t noiseSeed, bool train,
                               BatchResult &result);

  std::vector<Parameter> &parameters();
  int64_t timesteps() const;

  /// True when the trainer normalizes synapse outputs (options.batchNorm).
  bool hasBatchNorm() const;
  /// Writes the inference form of the trained network into `target`, a
  /// network with the same layers and constants as the trained one (a copy
  /// of it, or the trained network itself, after which this trainer must
  /// not train further): each normalized synapse gets the weights
  /// W·γ/√(σ² + ε) and bias (b − μ)·γ/√(σ² + ε) + β of its running
  /// statistics μ, σ². Other constants are copied. Without batch-norm, a
  /// plain copy.
  std::string foldBatchNorm(Network &target) const;

private:
  StdbTrainer();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

enum class OptimizerKind { SGD, Adam };

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::Adam;
  float learningRate = 1e-4f;
  float momentum = 0.9f;                               // SGD
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f; // Adam
  /// L2 weight decay added to the gradient of weights and biases (as
  /// PyTorch's SGD and Adam do).
  float weightDecay = 5e-4f;
  /// Decoupled weight decay (AdamW, Loshchilov & Hutter): the parameters
  /// shrink by lr·weightDecay at each step instead of the decay joining the
  /// gradient.
  bool decoupledDecay = false;
};

/// SGD with momentum or Adam over a trainer's parameters. Its state is
/// plain vectors so that checkpoints can save and restore it exactly.
class Optimizer {
public:
  Optimizer(const OptimizerOptions &options, std::vector<Parameter> &params);
  /// One update with learning rate `lr` from the parameters' gradients.
  void step(float lr);

  int64_t steps = 0;
  std::vector<std::vector<float>> first, second; // momentum / Adam moments

private:
  OptimizerOptions options;
  std::vector<Parameter> &params;
};

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TRAIN_STDB_H
