//===- TtfsToRuntime.h - TTFS snn modules into runtime networks -*- C++ -*-===//
//
// The continuous-time TTFS form of the `snn` dialect (snn.encode_ttfs, then
// snn.conv2d or snn.dense synapses each followed by snn.ttfs_neuron and
// optionally snn.max_pool, with snn.flatten between spikes where the shapes
// need it, and snn.first_spike returned) into snnrt::ttfs::Network and back: training writes its weights
// (a convolution's kernel) into the same nn.constant ops.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_MLIR_BRIDGE_TTFSTORUNTIME_H
#define SNN_MLIR_RUNTIME_MLIR_BRIDGE_TTFSTORUNTIME_H

#include "runtime/data/IDX.h"
#include "runtime/data/ImageSet.h"
#include "runtime/ttfs/TtfsTrain.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::snnmlir {

/// True when function `funcName` runs in continuous time (TTFS).
bool isTtfsNetwork(ModuleOp module, StringRef funcName = "main");

/// The nn.constant ops behind each layer's weight and bias (null: none),
/// and each layer's snn.ttfs_neuron.
struct TtfsConstants {
  std::vector<Operation *> weights, biases, neurons;
};

/// Builds the runtime network of function `funcName`; an op outside the
/// TTFS form gets an error that says what is expected.
FailureOr<snnrt::ttfs::Network>
buildTtfsNetwork(ModuleOp module, StringRef funcName = "main",
                 TtfsConstants *constants = nullptr);

/// Writes trained weights and biases back into the constants that
/// buildTtfsNetwork reported for this network (fails, without a message,
/// when `constants` comes from another network).
LogicalResult updateTtfsNetwork(const snnrt::ttfs::Network &net,
                                const TtfsConstants &constants);

/// Loads the train split of `data` (snnrt::openImageSet's specification,
/// preprocessed by `pre`), trains the network of `funcName` and writes it
/// back into the module.
LogicalResult trainTtfsModule(ModuleOp module, const std::string &data,
                              const snnrt::ttfs::TrainOptions &options,
                              const snnrt::TrainCallbacks &callbacks,
                              std::vector<snnrt::EpochReport> &reports,
                              StringRef funcName = "main",
                              const snnrt::ImagePreprocess &pre =
                                  snnrt::ImagePreprocess());

} // namespace mlir::snnmlir

#endif // SNN_MLIR_RUNTIME_MLIR_BRIDGE_TTFSTORUNTIME_H
