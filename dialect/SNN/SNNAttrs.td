//===- SNNAttrs.td - snn dialect attributes ----------------*- tablegen -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNNATTRS_TD
#define SNN_MLIR_DIALECT_SNN_SNNATTRS_TD

include "dialect/SNN/SNN.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SNN_ResetMode : I32EnumAttr<"ResetMode", "membrane reset after a spike", [
    I32EnumAttrCase<"Subtract", 0, "subtract">,
    I32EnumAttrCase<"Zero", 1, "zero">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::snn";
}

def SNN_ResetAttr : EnumAttr<SNN_Dialect, SNN_ResetMode, "reset"> {
  let summary = "reset by subtraction (`u -= V_th`) or to zero (`u = 0`)";
  let assemblyFormat = "`<` $value `>`";
}

def SNN_DiscreteTimeAttr : AttrDef<SNN_Dialect, "DiscreteTime"> {
  let mnemonic = "discrete";
  let summary = "discrete-time model: T steps of length dt";
  let description = [{
    `#snn.discrete<timesteps = 32, dt = 1.0>`: the network runs for
    `timesteps` steps of `dt` time units each (`dt` defaults to 1). Leaks and
    rates are per step.
  }];
  let parameters = (ins "int64_t":$timesteps, APFloatParameter<"step length">:$dt);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def SNN_ContinuousTimeAttr : AttrDef<SNN_Dialect, "ContinuousTime"> {
  let mnemonic = "continuous";
  let summary = "continuous-time model on the window [0, t_max]";
  let description = [{
    `#snn.continuous<t_max = 1.0>`: spike times are real numbers in
    `[0, t_max]`; a neuron that has not fired by `t_max` never fires.
  }];
  let parameters = (ins APFloatParameter<"end of the time window">:$t_max);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // SNN_MLIR_DIALECT_SNN_SNNATTRS_TD
