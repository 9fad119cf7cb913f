//===- Passes.h - CPU backend passes ----------------------------*- C++ -*-===//

#ifndef SNN_MLIR_BACKENDS_CPU_PASSES_H
#define SNN_MLIR_BACKENDS_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::snnmlir {

#define GEN_PASS_DECL
#include "backends/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/cpu/Passes.h.inc"

} // namespace mlir::snnmlir

#endif // SNN_MLIR_BACKENDS_CPU_PASSES_H
