//===- SNN.td - the snn dialect (spiking level) ------------*- tablegen -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNN_TD
#define SNN_MLIR_DIALECT_SNN_SNN_TD

include "mlir/IR/OpBase.td"

def SNN_Dialect : Dialect {
  let name = "snn";
  let cppNamespace = "::mlir::snn";
  let summary = "Spiking neural networks as a graph of layers over time";
  let description = [{
    The `snn` dialect describes a spiking network at the layer level. Time is
    implicit: an SSA value of type `!snn.spikes<…>` or `!snn.current<…>` is a
    whole train, one tensor of the given shape per time step (discrete time)
    or a set of spike times / a time-varying current (continuous time).

    The time model is an attribute of the enclosing function:
    `snn.time = #snn.discrete<timesteps = T, dt = Δt>` or
    `snn.time = #snn.continuous<t_max = τ>`. Ops that only make sense in one
    model (Poisson sampling, IF/LIF neurons, time-to-first-spike neurons)
    check it when it is present.

    A network is built from four kinds of ops:
    * encoders turn an input tensor (or event frames) into a train:
      `snn.encode_poisson`, `snn.encode_direct`, `snn.encode_ttfs`,
      `snn.encode_events`;
    * synapses turn trains into input currents: `snn.dense`, `snn.conv2d`,
      `snn.avg_pool`, `snn.add`, and the spike-gated `snn.max_pool`;
      `snn.flatten` reshapes a train;
    * neurons integrate a current and emit spikes: `snn.if`, `snn.lif`,
      `snn.ttfs_neuron`;
    * readouts turn a train back into a tensor: `snn.accumulate`,
      `snn.spike_rate`, `snn.first_spike`.

    Spike values are 0 or 1, except that the Poisson encoder emits signed
    spikes (±1) for signed inputs. Currents are real-valued, so synapses
    accept either kind of train (average pooling of spikes is not binary).
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Name of the function attribute that holds the time model.
    static constexpr llvm::StringLiteral getTimeAttrName() {
      return llvm::StringLiteral("snn.time");
    }
  }];
}

class SNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<SNN_Dialect, mnemonic, traits>;

def SNN_Tensor : RankedTensorOf<[F32]>;

#endif // SNN_MLIR_DIALECT_SNN_SNN_TD
