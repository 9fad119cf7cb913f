//===- StdbFinetune.cpp - STDB hybrid fine-tuning as a pass ---------------===//

#include "passes/Passes.h"
#include "runtime/mlir-bridge/FineTuneModule.h"

namespace mlir::snnmlir {
#define GEN_PASS_DEF_SNNSTDBFINETUNE
#include "passes/Passes.h.inc"
} // namespace mlir::snnmlir

using namespace mlir;

namespace {

struct StdbFinetunePass : snnmlir::impl::SNNStdbFinetuneBase<StdbFinetunePass> {
  using SNNStdbFinetuneBase::SNNStdbFinetuneBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (optimizer != "adam" && optimizer != "sgd") {
      module.emitError() << "snn-stdb-finetune: optimizer must be 'adam' or "
                            "'sgd', got '"
                         << optimizer << "'";
      return signalPassFailure();
    }
    snnrt::FineTuneOptions o;
    o.stdb.timesteps = timesteps;
    o.epochs = epochs;
    o.batch = batch;
    o.optimizer.learningRate = float(lr);
    o.optimizer.kind = optimizer == "sgd" ? snnrt::OptimizerKind::SGD
                                          : snnrt::OptimizerKind::Adam;
    o.optimizer.weightDecay = float(weightDecay);
    o.limit = limit;
    o.validation = validation;
    o.seed = seed;
    std::vector<snnrt::EpochReport> reports;
    if (failed(snnmlir::fineTuneModule(module, data, o, {}, reports)))
      return signalPassFailure();
  }
};

} // namespace
