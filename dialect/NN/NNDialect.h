//===- NNDialect.h - the nn dialect -----------------------------*- C++ -*-===//

#ifndef SNN_MLIR_DIALECT_NN_NNDIALECT_H
#define SNN_MLIR_DIALECT_NN_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialect/NN/NNDialect.h.inc"

#endif // SNN_MLIR_DIALECT_NN_NNDIALECT_H
