//===- Network.h - a spiking network as the simulator runs it ---*- C++ -*-===//
//
// The layer graph of an `snn` function: encoders, synapses, neurons and
// readouts over numbered slots, in program order. Built from the module by
// runtime/mlir-bridge, or by hand in tests.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_SIM_NETWORK_H
#define SNN_MLIR_RUNTIME_SIM_NETWORK_H

#include "runtime/ann/Graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnrt {

enum class LayerKind {
  EncodePoisson,
  EncodeDirect,
  EncodeEvents, // frames N×T×C×H×W: step t delivers frame t
  Conv2D,
  Dense,
  AvgPool,
  MaxPool,
  Add,
  Concat, // inputs joined along op.axis (≥ 0)
  GatherChannels, // channel j of the output is channel op.perm[j]
  Flatten,
  Neuron,
  Accumulate,
  SpikeRate
};

enum class Reset { Subtract, Zero };

struct Layer {
  LayerKind kind;
  std::string name;
  std::vector<int> inputs; // slots; synapses: input, weight[, bias]
  int output = -1;
  /// Synapse and pooling parameters in the ANN executor's form.
  Node op;
  // Neurons.
  std::vector<float> threshold; // one value, or one per channel (dim 1)
  float leak = 1.0f;
  bool leaky = false; // an LIF layer (leak may be trained), not IF
  Reset reset = Reset::Subtract;
  int64_t refractory = 0;
  /// u[−1] as a fraction of the neuron's threshold.
  float initialPotential = 0.0f;
  // Poisson encoder.
  uint64_t seed = 0;
  float scale = 1.0f;

  /// Threshold of element i of a tensor with `channels` channels of `inner`
  /// elements each (per sample): per layer or per channel.
  float thresholdAt(int64_t i, int64_t inner, int64_t channels) const {
    return threshold.size() > 1 ? threshold[(i / inner) % channels]
                                : threshold[0];
  }
};

struct Network : SlotTable {
  std::vector<Layer> layers;
  int64_t timesteps = 1;
};

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_SIM_NETWORK_H
