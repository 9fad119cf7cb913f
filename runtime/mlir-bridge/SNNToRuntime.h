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
/// `layerOps`, when given, receives the op of each layer in order;
/// `constantOps` the nn.constant behind each slot (null for other slots).
FailureOr<snnrt::Network>
buildSpikingNetwork(ModuleOp module, StringRef funcName = "main",
                    std::vector<Operation *> *layerOps = nullptr,
                    std::vector<Operation *> *constantOps = nullptr);

/// Writes the constants, thresholds and leaks of `net` (built by
/// buildSpikingNetwork, which gave `layerOps` and `constantOps`, then
/// trained) back into those ops: the same ops with new values. Constants
/// above 64 KiB become dense_resource blobs, like the importer's.
LogicalResult updateSpikingNetwork(const snnrt::Network &net,
                                   ArrayRef<Operation *> layerOps,
                                   ArrayRef<Operation *> constantOps);

} // namespace mlir::snnmlir

#endif // SNN_MLIR_RUNTIME_MLIR_BRIDGE_SNNTORUNTIME_H
