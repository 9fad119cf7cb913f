//===- NNToRuntime.h - nn modules into runtime graphs -----------*- C++ -*-===//
//
// The one place where the MLIR-free runtime meets MLIR: reads a network
// (.mlir in the nn dialect, or ONNX through the importer) and turns its
// `nn` function into an snnrt::Graph that the executor runs.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_MLIR_BRIDGE_NNTORUNTIME_H
#define SNN_MLIR_RUNTIME_MLIR_BRIDGE_NNTORUNTIME_H

#include "runtime/ann/Graph.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir::snnmlir {

/// Loads `path`: ONNX (.onnx, .onnxtext) through the importer, anything else
/// as MLIR. Diagnostics go to the context's handler; null on failure.
OwningOpRef<ModuleOp> loadNetwork(StringRef path, MLIRContext *context);
/// The same for the main buffer of `sources` (its identifier is the path),
/// which must outlive the diagnostics that point into it.
OwningOpRef<ModuleOp> loadNetwork(llvm::SourceMgr &sources,
                                  MLIRContext *context);
/// True for the paths loadNetwork imports as ONNX (.onnx, .onnxtext).
bool isONNXPath(StringRef path);

/// Builds the runtime graph of function `funcName` (an nn-dialect network).
/// Emits an error at the offending op and fails on ops the runtime lacks.
FailureOr<snnrt::Graph> buildRuntimeGraph(ModuleOp module,
                                          StringRef funcName = "main");

/// Registers what loadNetwork and buildRuntimeGraph need in a registry.
void registerBridgeDialects(DialectRegistry &registry);

} // namespace mlir::snnmlir

#endif // SNN_MLIR_RUNTIME_MLIR_BRIDGE_NNTORUNTIME_H
