//===- SNNOps.h - snn dialect operations ------------------------*- C++ -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNNOPS_H
#define SNN_MLIR_DIALECT_SNN_SNNOPS_H

#include "dialect/SNN/SNNDialect.h"
#include "dialect/SNN/SNNTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialect/SNN/SNNOps.h.inc"

#endif // SNN_MLIR_DIALECT_SNN_SNNOPS_H
