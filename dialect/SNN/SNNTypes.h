//===- SNNTypes.h - snn dialect types and attributes ------------*- C++ -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNNTYPES_H
#define SNN_MLIR_DIALECT_SNN_SNNTYPES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Types.h"

#include "dialect/SNN/SNNEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialect/SNN/SNNTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/SNN/SNNAttrs.h.inc"

namespace mlir::snn {

/// Shape of a `!snn.spikes` or `!snn.current` type; empty for other types.
ArrayRef<int64_t> getTrainShape(Type type);

/// The `snn.time` model of the function enclosing `op` (a DiscreteTimeAttr or
/// a ContinuousTimeAttr), or null when there is none.
Attribute getTimeModel(Operation *op);

} // namespace mlir::snn

#endif // SNN_MLIR_DIALECT_SNN_SNNTYPES_H
