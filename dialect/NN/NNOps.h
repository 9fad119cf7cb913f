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

#include <memory>
#include <vector>

#define GET_OP_CLASSES
#include "dialect/NN/NNOps.h.inc"

namespace mlir::nn {

/// The f32 data of `v` when it is an nn.constant (dense or dense_resource),
/// in row-major order; nothing otherwise.
std::optional<std::vector<float>> getConstantFloats(Value v);

/// The f32 data of `v` in place, without a copy, when it is an nn.constant
/// held as a dense_resource blob or a non-splat dense attribute.
std::optional<ArrayRef<float>> getConstantFloatsRef(Value v);

/// Constants above this many bytes are dense_resource blobs (as the ONNX
/// importer makes them): their data is not hashed, and bytecode stores it
/// raw and aligned.
constexpr size_t kResourceThresholdBytes = 64 * 1024;

/// A new nn.constant holding `data` (row-major) of the given shape: a copy,
/// as a dense attribute or, above kResourceThresholdBytes, a resource blob.
Value createF32Constant(OpBuilder &builder, Location loc,
                        ArrayRef<int64_t> shape, ArrayRef<float> data);
/// The same, taking over `data`'s storage for a large constant (no copy).
Value createF32Constant(OpBuilder &builder, Location loc,
                        ArrayRef<int64_t> shape, std::vector<float> &&data);

/// A dense_resource attribute over `data` without a copy: the blob keeps
/// `owner` (whatever holds the bytes) alive as long as it lives.
ElementsAttr f32SharedBlobAttr(RankedTensorType type, ArrayRef<float> data,
                               std::shared_ptr<const void> owner,
                               StringRef blobName);

/// The attribute for createF32Constant (`blobName` names a resource blob).
ElementsAttr f32ConstantAttr(RankedTensorType type, std::vector<float> &&data,
                             StringRef blobName = "nn_constant");
ElementsAttr f32ConstantAttr(RankedTensorType type, ArrayRef<float> data,
                             StringRef blobName = "nn_constant");

} // namespace mlir::nn

#endif // SNN_MLIR_DIALECT_NN_NNOPS_H
