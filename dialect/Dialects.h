//===- Dialects.h - register the dialects of snn-mlir -----------*- C++ -*-===//

#ifndef SNN_MLIR_DIALECT_DIALECTS_H
#define SNN_MLIR_DIALECT_DIALECTS_H

#include "dialect/NN/NNDialect.h"
#include "dialect/SNN/SNNDialect.h"

#include "mlir/IR/DialectRegistry.h"

namespace mlir::snnmlir {

/// Adds the `nn` and `snn` dialects to `registry`.
inline void registerDialects(DialectRegistry &registry) {
  registry.insert<nn::NNDialect, snn::SNNDialect>();
}

} // namespace mlir::snnmlir

#endif // SNN_MLIR_DIALECT_DIALECTS_H
