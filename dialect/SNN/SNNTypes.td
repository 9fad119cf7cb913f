//===- SNNTypes.td - snn dialect types ---------------------*- tablegen -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNNTYPES_TD
#define SNN_MLIR_DIALECT_SNN_SNNTYPES_TD

include "dialect/SNN/SNN.td"
include "mlir/IR/AttrTypeBase.td"

class SNN_TrainType<string name, string typeMnemonic, string what>
    : TypeDef<SNN_Dialect, name> {
  let mnemonic = typeMnemonic;
  let summary = "a train of " # what # " over time";
  let parameters = (ins ArrayRefParameter<"int64_t", "dimensions">:$shape);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRank() const { return getShape().size(); }
  }];
}

def SNN_SpikesType : SNN_TrainType<"Spikes", "spikes", "spikes"> {
  let description = [{
    `!snn.spikes<?x32x28x28>`: one spike tensor of this shape per time step
    (values 0 or 1; ±1 from a Poisson encoder of signed inputs), or in
    continuous time one spike time per neuron and spike. Dimensions may be
    dynamic (`?`), typically the batch.
  }];
}

def SNN_CurrentType : SNN_TrainType<"Current", "current", "synaptic currents"> {
  let description = [{
    `!snn.current<?x10>`: one real-valued input-current tensor of this shape
    per time step, as synapses deliver it to the next neurons or a readout.
    In continuous time, the time-varying current made of the weighted
    synaptic kernels of the input spikes.
  }];
}

def SNN_Train : AnyTypeOf<[SNN_SpikesType, SNN_CurrentType],
                          "spike or current train">;

#endif // SNN_MLIR_DIALECT_SNN_SNNTYPES_TD
