//===- FineTuneModule.cpp - STDB fine-tuning of an snn module -------------===//

#include "runtime/mlir-bridge/FineTuneModule.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"

#include "dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

LogicalResult
mlir::snnmlir::fineTuneModule(ModuleOp module, const std::string &data,
                              const snnrt::FineTuneOptions &options,
                              const snnrt::FineTuneCallbacks &callbacks,
                              std::vector<snnrt::EpochReport> &reports,
                              StringRef funcName) {
  std::string dir = data == "fashion-mnist" ? snnrt::kFashionMNISTDir : data;
  snnrt::ImageDataset train;
  if (std::string e = snnrt::loadMNISTLike(dir, "train", train); !e.empty())
    return module.emitError()
           << e << " (Fashion-MNIST comes with Debian's dataset-fashion-mnist)";
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  snnrt::Shape want;
  if (fn && fn.getNumArguments() == 1)
    if (auto type = dyn_cast<RankedTensorType>(fn.getArgument(0).getType()))
      for (int64_t d : type.getShape())
        want.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return fineTuneModule(module, snnrt::imageSource(train, want), options,
                        callbacks, reports, funcName);
}

LogicalResult
mlir::snnmlir::fineTuneModule(ModuleOp module, const snnrt::SampleSource &train,
                              const snnrt::FineTuneOptions &options,
                              const snnrt::FineTuneCallbacks &callbacks,
                              std::vector<snnrt::EpochReport> &reports,
                              StringRef funcName) {
  std::vector<Operation *> layerOps, constantOps;
  FailureOr<snnrt::Network> net =
      buildSpikingNetwork(module, funcName, &layerOps, &constantOps);
  if (failed(net))
    return failure();
  if (std::string e = snnrt::fineTune(*net, train, options, callbacks, reports);
      !e.empty())
    return module.emitError() << "BPTT training (STDB/BPSTA) failed: " << e;
  if (failed(updateSpikingNetwork(*net, layerOps, constantOps)))
    return failure();
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  auto time = cast<snn::DiscreteTimeAttr>(snn::getTimeModel(fn));
  int64_t T =
      options.stdb.timesteps > 0 ? options.stdb.timesteps : time.getTimesteps();
  fn->setAttr(snn::SNNDialect::getTimeAttrName(),
              snn::DiscreteTimeAttr::get(module.getContext(), T, time.getDt()));
  return success();
}
