//===- FuzzContext.h - an MLIR context for fuzz targets ---------*- C++ -*-===//

#ifndef SNN_MLIR_TESTS_FUZZ_FUZZCONTEXT_H
#define SNN_MLIR_TESTS_FUZZ_FUZZCONTEXT_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

namespace snnfuzz {

/// A context with the dialects of `registry` loaded, one thread, and its
/// diagnostics swallowed: errors are the expected outcome of most inputs.
/// Made once per process and never freed, as libFuzzer runs until the end.
inline mlir::MLIRContext *quietContext(const mlir::DialectRegistry &registry) {
  auto *context = new mlir::MLIRContext(registry);
  context->loadAllAvailableDialects();
  context->getDiagEngine().registerHandler(
      [](mlir::Diagnostic &) { return mlir::success(); });
  context->disableMultithreading();
  return context;
}

} // namespace snnfuzz

#endif // SNN_MLIR_TESTS_FUZZ_FUZZCONTEXT_H
