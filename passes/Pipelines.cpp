//===- Pipelines.cpp - registered pass pipelines --------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

struct RatePipelineOptions : public PassPipelineOptions<RatePipelineOptions> {
  Option<int64_t> timesteps{*this, "timesteps",
                            llvm::cl::desc("Simulation steps T"),
                            llvm::cl::init(32)};
  Option<std::string> neuron{*this, "neuron", llvm::cl::desc("if or lif"),
                             llvm::cl::init("if")};
  Option<std::string> reset{*this, "reset", llvm::cl::desc("subtract or zero"),
                            llvm::cl::init("subtract")};
  Option<std::string> encoding{*this, "encoding",
                               llvm::cl::desc("poisson or direct"),
                               llvm::cl::init("poisson")};
  Option<int64_t> seed{*this, "seed", llvm::cl::desc("Poisson seed"),
                       llvm::cl::init(0)};
  Option<std::string> data{*this, "data",
                           llvm::cl::desc("Calibration data: 'fashion-mnist' "
                                          "or an IDX folder"),
                           llvm::cl::init("fashion-mnist")};
  Option<int64_t> samples{*this, "samples",
                          llvm::cl::desc("Calibration images"),
                          llvm::cl::init(512)};
  Option<std::string> method{*this, "method",
                             llvm::cl::desc("activation or spike"),
                             llvm::cl::init("activation")};
  Option<double> percentile{*this, "percentile",
                            llvm::cl::desc("Percentile that sets thresholds"),
                            llvm::cl::init(99.9)};
  Option<double> scale{*this, "scale",
                       llvm::cl::desc("Factor on every threshold"),
                       llvm::cl::init(1.0)};
  Option<bool> perChannel{*this, "per-channel",
                          llvm::cl::desc("Per-channel thresholds"),
                          llvm::cl::init(false)};
};

} // namespace

void mlir::snnmlir::registerSNNPipelines() {
  PassPipelineRegistration<RatePipelineOptions>(
      "snn-rate-pipeline",
      "nn to a balanced rate-coded SNN: fold batch-norm, canonicalize, "
      "convert-nn-to-snn, snn-threshold-balance",
      [](OpPassManager &pm, const RatePipelineOptions &o) {
        pm.addPass(createNNFoldBatchNorm());
        pm.addPass(createCanonicalizerPass());
        ConvertNNToSNNOptions convert;
        convert.neuron = o.neuron;
        convert.reset = o.reset;
        convert.encoding = o.encoding;
        convert.timesteps = o.timesteps;
        convert.seed = o.seed;
        pm.addPass(createConvertNNToSNN(convert));
        SNNThresholdBalanceOptions balance;
        balance.data = o.data;
        balance.samples = o.samples;
        balance.method = o.method;
        balance.percentile = o.percentile;
        balance.scale = o.scale;
        balance.perChannel = o.perChannel;
        pm.addPass(createSNNThresholdBalance(balance));
      });
}
