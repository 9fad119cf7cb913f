//===- NNOps.h - nn dialect operations --------------------------*- C++ -*-===//

#ifndef SNN_MLIR_DIALECT_NN_NNOPS_H
#define SNN_MLIR_DIALECT_NN_NNOPS_H

#include "dialect/NN/NNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialect/NN/NNOps.h.inc"

namespace mlir::nn {

/// The f32 data of `v` when it is an nn.constant (dense or dense_resource),
/// in row-major order; nothing otherwise.
std::optional<SmallVector<float>> getConstantFloats(Value v);

/// A new nn.constant holding `data` (row-major) of the given shape.
Value createF32Constant(OpBuilder &builder, Location loc,
                        ArrayRef<int64_t> shape, ArrayRef<float> data);

} // namespace mlir::nn

#endif // SNN_MLIR_DIALECT_NN_NNOPS_H
