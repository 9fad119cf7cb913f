//===- Passes.h - snn-mlir passes -------------------------------*- C++ -*-===//

#ifndef SNN_MLIR_PASSES_PASSES_H
#define SNN_MLIR_PASSES_PASSES_H

#include "dialect/NN/NNDialect.h"
#include "dialect/SNN/SNNDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::snnmlir {

enum class ReportFormat { Text, Json };

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Registers `snn-rate-pipeline` (fold, convert, balance in one go).
void registerSNNPipelines();

} // namespace mlir::snnmlir

#endif // SNN_MLIR_PASSES_PASSES_H
