//===- SNNToRuntime.h - snn modules into simulator networks -----*- C++ -*-===//

#ifndef SNN_MLIR_RUNTIME_MLIR_BRIDGE_SNNTORUNTIME_H
#define SNN_MLIR_RUNTIME_MLIR_BRIDGE_SNNTORUNTIME_H

#include "runtime/sim/Network.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::snnmlir {

/// True when function `funcName` holds snn ops (a spiking network).
bool isSpikingNetwork(ModuleOp module, StringRef funcName = "main");

/// Builds the simulator network of function `funcName`; it must use the
/// discrete time model. Emits an error at the offending op on failure.
/// `layerOps`, when given, receives the op of each layer in order.
FailureOr<snnrt::Network>
buildSpikingNetwork(ModuleOp module, StringRef funcName = "main",
                    std::vector<Operation *> *layerOps = nullptr);

/// Writes the constants, thresholds and leaks of `net` (built from the same
/// function by buildSpikingNetwork, then trained) back into the module: the
/// same ops with new values. Constants above 64 KiB become dense_resource
/// blobs, like the importer's.
LogicalResult updateSpikingNetwork(ModuleOp module, const snnrt::Network &net,
                                   StringRef funcName = "main");

} // namespace mlir::snnmlir

#endif // SNN_MLIR_RUNTIME_MLIR_BRIDGE_SNNTORUNTIME_H
