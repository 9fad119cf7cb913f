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
  // Defaults: the best setting measured on the test models at T = 4–16
  // (docs/results.md, "Calibrated conversion"): direct input, neurons
  // starting at half their threshold, per-channel thresholds at the 99.9th
  // percentile, two rounds of per-channel bias correction.
  Option<std::string> encoding{
      *this, "encoding",
      llvm::cl::desc("direct (the image is the input current: static "
                     "images) or poisson"),
      llvm::cl::init("direct")};
  Option<float> initialPotential{
      *this, "initial-potential",
      llvm::cl::desc("Membrane potential at the start, as a fraction of the "
                     "threshold in [0, 1) (0.5: rates round)"),
      llvm::cl::init(0.5f)};
  Option<int64_t> seed{*this, "seed", llvm::cl::desc("Poisson seed"),
                       llvm::cl::init(0)};
  Option<std::string> data{*this, "data",
                           llvm::cl::desc("Calibration data: fashion-mnist, "
                                          "idx:DIR, imagefolder:DIR, "
                                          "cifar10:DIR, cifar100:DIR, "
                                          "npy:IMAGES,LABELS or npz:FILE"),
                           llvm::cl::init("fashion-mnist")};
  Option<int64_t> resize{*this, "resize",
                         llvm::cl::desc("Resize calibration images' shorter "
                                        "side to N (0: no resize)"),
                         llvm::cl::init(0)};
  ListOption<int64_t> crop{*this, "crop",
                           llvm::cl::desc("Center crop: N or H,W")};
  ListOption<double> mean{*this, "mean",
                          llvm::cl::desc("Per-channel mean (after [0, 1])")};
  ListOption<double> std{*this, "std",
                         llvm::cl::desc("Per-channel standard deviation")};
  Option<std::string> normalize{*this, "normalize",
                                llvm::cl::desc("imagenet, cifar10 or none")};
  Option<std::string> channelOrder{*this, "channel-order",
                                   llvm::cl::desc("rgb or bgr"),
                                   llvm::cl::init("rgb")};
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
  Option<int64_t> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("Rounds of per-channel bias correction after "
                     "balancing (0: none)"),
      llvm::cl::init(2)};
  Option<std::string> biasCorrectionMode{
      *this, "bias-correction-mode",
      llvm::cl::desc("auto, layerwise or joint"), llvm::cl::init("auto")};
  Option<bool> perChannel{*this, "per-channel",
                          llvm::cl::desc("Per-channel thresholds"),
                          llvm::cl::init(true)};
};

} // namespace

void mlir::snnmlir::registerSNNPipelines() {
  PassPipelineRegistration<RatePipelineOptions>(
      "snn-rate-pipeline",
      "nn to a calibrated rate-coded SNN: fold batch-norm, canonicalize, "
      "convert-nn-to-snn, snn-threshold-balance (defaults: direct input, "
      "neurons starting at half their threshold, per-channel thresholds, "
      "two rounds of bias correction; docs/conversion.md)",
      [](OpPassManager &pm, const RatePipelineOptions &o) {
        pm.addPass(createNNFoldBatchNorm());
        pm.addPass(createCanonicalizerPass());
        ConvertNNToSNNOptions convert;
        convert.neuron = o.neuron;
        convert.reset = o.reset;
        convert.encoding = o.encoding;
        convert.timesteps = o.timesteps;
        convert.seed = o.seed;
        convert.initialPotential = o.initialPotential;
        pm.addPass(createConvertNNToSNN(convert));
        SNNThresholdBalanceOptions balance;
        balance.data = o.data;
        balance.resize = o.resize;
        balance.crop.assign(o.crop.begin(), o.crop.end());
        balance.mean.assign(o.mean.begin(), o.mean.end());
        balance.std.assign(o.std.begin(), o.std.end());
        balance.normalize = o.normalize;
        balance.channelOrder = o.channelOrder;
        balance.samples = o.samples;
        balance.method = o.method;
        balance.percentile = o.percentile;
        balance.scale = o.scale;
        balance.perChannel = o.perChannel;
        balance.biasCorrection = o.biasCorrection;
        balance.biasCorrectionMode = o.biasCorrectionMode;
        balance.timesteps = o.timesteps;
        pm.addPass(createSNNThresholdBalance(balance));
      });
}
