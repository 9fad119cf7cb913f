//===- NN.td - the nn dialect (ANN level, ONNX semantics) --*- tablegen -*-===//

#ifndef SNN_MLIR_DIALECT_NN_NN_TD
#define SNN_MLIR_DIALECT_NN_NN_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::mlir::nn";
  let summary = "Artificial neural networks with ONNX semantics (NCHW, f32)";
  let description = [{
    The `nn` dialect is the ANN level of snn-mlir: the small set of ONNX
    operators that the CNNs and MLPs people convert to spiking networks are
    made of. Every op keeps the semantics of its ONNX namesake (attribute
    meaning, broadcasting, NCHW layout); values are ranked `f32` tensors whose
    batch dimension may be dynamic. Weights are `nn.constant` ops.

    Verifiers reject what ONNX would reject: wrong ranks, attribute lists of
    the wrong length, channel counts that do not agree with the weights or the
    group count, shapes that do not broadcast, and result types that contradict
    the shape the op computes. Where a dimension is dynamic (`?`) it is
    accepted and checked at run time.
  }];
  let hasConstantMaterializer = 1;
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

def NN_Tensor : RankedTensorOf<[F32]>;

#endif // SNN_MLIR_DIALECT_NN_NN_TD
