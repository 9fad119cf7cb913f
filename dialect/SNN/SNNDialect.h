//===- SNNDialect.h - the snn dialect ---------------------------*- C++ -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNNDIALECT_H
#define SNN_MLIR_DIALECT_SNN_SNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialect/SNN/SNNDialect.h.inc"

#endif // SNN_MLIR_DIALECT_SNN_SNNDIALECT_H
