//===- FineTuneModule.cpp - STDB fine-tuning of an snn module -------------===//

#include "runtime/mlir-bridge/FineTuneModule.h"
#include "runtime/mlir-bridge/BridgeCommon.h"
#include "runtime/data/ImageSet.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"

#include "dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <functional>

using namespace mlir;

namespace {

/// Builds the network of `funcName`, runs `train` on it (with the options
/// it gets, which carry the network's fingerprint for checkpoints), and
/// writes the weights, thresholds, leaks and the trained number of steps
/// back.
LogicalResult trainAndWriteBack(
    ModuleOp module, StringRef funcName, const snnrt::FineTuneOptions &options,
    const std::function<std::string(snnrt::Network &,
                                    const snnrt::FineTuneOptions &)> &train) {
  std::vector<Operation *> layerOps, constantOps;
  FailureOr<snnrt::Network> net = mlir::snnmlir::buildSpikingNetwork(
      module, funcName, &layerOps, &constantOps);
  if (failed(net))
    return failure();
  snnrt::FineTuneOptions fingerprinted = options;
  fingerprinted.network =
      mlir::snnmlir::bridge::networkFingerprint(module.lookupSymbol(funcName));
  if (std::string e = train(*net, fingerprinted); !e.empty())
    return module.emitError() << "BPTT training (STDB/BPSTA) failed: " << e;
  if (failed(mlir::snnmlir::updateSpikingNetwork(*net, layerOps, constantOps)))
    return failure();
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  auto time = cast<snn::DiscreteTimeAttr>(snn::getTimeModel(fn));
  int64_t T =
      options.stdb.timesteps > 0 ? options.stdb.timesteps : time.getTimesteps();
  fn->setAttr(snn::SNNDialect::getTimeAttrName(),
              snn::DiscreteTimeAttr::get(module.getContext(), T, time.getDt()));
  return success();
}

} // namespace

LogicalResult
mlir::snnmlir::fineTuneModule(ModuleOp module, const std::string &data,
                              const snnrt::FineTuneOptions &options,
                              const snnrt::FineTuneCallbacks &callbacks,
                              std::vector<snnrt::EpochReport> &reports,
                              StringRef funcName) {
  snnrt::ImageDataset train;
  if (std::string e = snnrt::loadImageDataset(data, "train", train); !e.empty())
    return module.emitError() << e;
  return trainAndWriteBack(
      module, funcName, options,
      [&](snnrt::Network &net, const snnrt::FineTuneOptions &o) {
        return snnrt::fineTune(net, train, o, callbacks, reports);
      });
}

LogicalResult
mlir::snnmlir::fineTuneModule(ModuleOp module, const snnrt::SampleSource &train,
                              const snnrt::FineTuneOptions &options,
                              const snnrt::FineTuneCallbacks &callbacks,
                              std::vector<snnrt::EpochReport> &reports,
                              StringRef funcName) {
  return trainAndWriteBack(
      module, funcName, options,
      [&](snnrt::Network &net, const snnrt::FineTuneOptions &o) {
        return snnrt::fineTune(net, train, o, callbacks, reports);
      });
}
