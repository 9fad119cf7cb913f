//===- Bpsta.cpp - snn-run train --method bpsta: BPTT on event data -------===//
//
//   snn-run train model.mlir|model.onnx --method bpsta
//       --adjust full|spatial|temporal|none
//       --data nmnist:DIR | aedat:DIR | emulated-fashion-mnist -o out.mlir
//
// Trains a discrete-time network with event-frame input (snn.encode_events,
// from `--convert-nn-to-snn="encoding=events"`) by backpropagation through
// time with the adjustments of BPSTA (seed 001): the spatial adjustment
// (BPSA, ∂s/∂u = 1[u ≥ V_th]/u), the temporal one (BPTA, κ·∂s/∂u across the
// hard reset), both, or neither (plain BPTT with a rectangular surrogate).
// Event recordings are binned into the network's T frames (by event count
// unless --bin-by time) and downsampled to its input size. Checkpoints and
// --resume as for the other trainers; the test split is evaluated at the
// end.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "runtime/mlir-bridge/FineTuneModule.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"
#include "tools/snn-run/Common.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>

namespace snnrun {

namespace {

/// Where emulated event Fashion-MNIST is kept: $SNN_MLIR_CACHE, else
/// $XDG_CACHE_HOME/snn-mlir, else ~/.cache/snn-mlir.
std::string cacheDirectory() {
  if (const char *d = std::getenv("SNN_MLIR_CACHE"); d && *d)
    return d;
  if (const char *d = std::getenv("XDG_CACHE_HOME"); d && *d)
    return std::string(d) + "/snn-mlir";
  const char *home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/snn-mlir";
}

} // namespace

bool eventDataDirectory(const std::string &spec, int64_t sensorOption,
                        const std::string &split, int64_t limit, bool progress,
                        std::string &dir, int64_t &sensor) {
  auto after = [&](const char *prefix) {
    return spec.rfind(prefix, 0) == 0 ? spec.substr(std::strlen(prefix))
                                      : std::string();
  };
  sensor = sensorOption;
  if (std::string d = after("nmnist:"); !d.empty()) {
    dir = d;
    sensor = sensor ? sensor : 34;
    return true;
  }
  if (std::string d = after("aedat:"); !d.empty()) {
    dir = d;
    sensor = sensor ? sensor : 128;
    return true;
  }
  if (spec != "emulated-fashion-mnist") {
    llvm::errs() << "snn-run: networks with event input read event data: "
                    "--data nmnist:DIR, aedat:DIR or emulated-fashion-mnist, "
                    "not '"
                 << spec << "'\n";
    return false;
  }
  dir = cacheDirectory() + "/emulated-fashion-mnist";
  sensor = sensor ? sensor : 34;
  if (progress)
    llvm::errs() << "emulated event Fashion-MNIST (" << split << ") in " << dir
                 << " (made once; snn-run events emulate)\n";
  EmulatedCounts counts;
  return emulateSplit("fashion-mnist", split, limit, dir,
                      snnrt::SaccadeOptions(), false, progress, counts);
}

bool eventBins(const snnrt::Shape &input, int64_t sensor, bool byCount,
               const std::string &model, snnrt::BinOptions &bins) {
  if (input.size() != 5 || input[2] != 2) {
    llvm::errs() << "snn-run: " << model
                 << ": event input must be N×T×2×H×W frames (ON, OFF)\n";
    return false;
  }
  bins.bins = input[1];
  bins.byCount = byCount;
  bins.width = bins.height = sensor;
  bins.downsample = (sensor + input[4] - 1) / input[4];
  int64_t side = (sensor + bins.downsample - 1) / bins.downsample;
  if (side != input[4] || side != input[3]) {
    llvm::errs() << "snn-run: " << model << ": the input's " << input[3] << "×"
                 << input[4] << " frames are not a downsampling of the "
                 << sensor << "×" << sensor << " sensor (--sensor)\n";
    return false;
  }
  return true;
}

namespace {

/// An ONNX model (nn dialect after import) becomes BPSTA's spiking network:
/// batch-norm folded, event-frame input of T steps, LIF neurons with
/// λ = 0.9, hard reset and V_th = 0.5 (seed 001).
bool convertImportedModel(mlir::ModuleOp module, int64_t timesteps) {
  mlir::PassManager pm(module.getContext());
  pm.addPass(mlir::snnmlir::createNNFoldBatchNorm());
  mlir::snnmlir::ConvertNNToSNNOptions c;
  c.encoding = "events";
  c.timesteps = timesteps;
  c.neuron = "lif";
  c.leak = 0.9f;
  c.reset = "zero";
  c.threshold = 0.5f;
  pm.addPass(mlir::snnmlir::createConvertNNToSNN(c));
  return mlir::succeeded(pm.run(module));
}

} // namespace

int runBpsta(const TrainOptions &opt) {
  LoadedNetwork loaded(opt.model, opt.threads);
  auto &module = loaded.module;
  if (!module)
    return 1;
  llvm::StringRef path(opt.model);
  bool onnx = path.ends_with(".onnx") || path.ends_with(".onnxtext");
  if (onnx &&
      !convertImportedModel(*module, opt.timesteps > 0 ? opt.timesteps : 16))
    return 1;
  auto net = mlir::snnmlir::buildSpikingNetwork(*module);
  if (mlir::failed(net))
    return 1;
  if (net->layers.empty() ||
      net->layers.front().kind != snnrt::LayerKind::EncodeEvents ||
      net->inputShapes.size() != 1 || net->inputShapes[0].size() != 5) {
    llvm::errs() << "snn-run: " << opt.model
                 << ": --method bpsta trains networks with event-frame input "
                    "(snn.encode_events of N×T×C×H×W); make one with snn-opt "
                    "--convert-nn-to-snn=\"encoding=events timesteps=T\"\n";
    return 1;
  }
  const snnrt::Shape &in = net->inputShapes[0]; // N, T, C, H, W
  if (!onnx && opt.timesteps > 0 && opt.timesteps != in[1]) {
    llvm::errs() << "snn-run: " << opt.model << " has " << in[1]
                 << " time steps (its input frames); --timesteps "
                 << opt.timesteps
                 << " applies to ONNX models (convert again with "
                    "--convert-nn-to-snn=\"encoding=events timesteps="
                 << opt.timesteps << "\")\n";
    return 1;
  }
  const snnrt::TrainingOptions &to = opt.train;
  bool talk = opt.progress && !opt.json;
  std::string dir;
  int64_t sensor = 0;
  if (!eventDataDirectory(opt.data, opt.sensor, "train",
                          to.limit > 0 ? to.limit : 0, talk, dir, sensor) ||
      (opt.test && !eventDataDirectory(opt.data, opt.sensor, "test",
                                       opt.testLimit > 0 ? opt.testLimit : 0,
                                       talk, dir, sensor)))
    return 1;
  snnrt::BinOptions bins;
  if (!eventBins(in, sensor, opt.binBy == "count", opt.model, bins))
    return 1;
  snnrt::EventDataset train, test;
  if (std::string e = snnrt::listEventDataset(dir, "train", train);
      !e.empty()) {
    llvm::errs() << "snn-run: " << e << "\n";
    return 1;
  }

  // BPSTA's settings unless given: AdamW (lr 1e-3, decay 1e-4), batch 64,
  // cosine.
  snnrt::FineTuneOptions t;
  static_cast<snnrt::TrainingOptions &>(t) = opt.train;
  auto given = [&](const char *name) {
    return opt.command && opt.command->get_option(name)->count() > 0;
  };
  if (!given("--lr"))
    t.optimizer.learningRate = 1e-3f;
  if (!given("--weight-decay"))
    t.optimizer.weightDecay = 1e-4f;
  if (!given("--batch"))
    t.batch = 64;
  finishTrainingOptions(opt, t);
  if (!given("--optimizer"))
    t.optimizer.decoupledDecay = true;
  snnrt::StdbOptions &s = t.stdb;
  s.batchNorm = opt.batchNorm == "on";
  bool spatial = opt.adjust == "full" || opt.adjust == "spatial";
  bool temporal = opt.adjust == "full" || opt.adjust == "temporal";
  s.surrogate =
      spatial ? snnrt::Surrogate::Spatial : snnrt::Surrogate::Rectangular;
  s.width = opt.width;
  s.kappa = temporal ? opt.kappa : 0.0f;
  s.loss = opt.loss == "mse" ? snnrt::LossKind::RateMse
                             : snnrt::LossKind::CrossEntropy;

  if (opt.initNorm > 0) {
    // Scale the initial weights on the first batch (deterministic, so a
    // resumed run starts from the same point before its checkpoint).
    std::vector<mlir::Operation *> layerOps, constantOps;
    auto start = mlir::snnmlir::buildSpikingNetwork(*module, "main", &layerOps,
                                                    &constantOps);
    if (mlir::failed(start))
      return 1;
    std::vector<int64_t> first;
    for (int64_t i = 0;
         i < std::min<int64_t>(t.batch, int64_t(train.files.size())); ++i)
      first.push_back(i);
    snnrt::Tensor x;
    std::vector<int> labels;
    std::vector<float> scales;
    std::string e = snnrt::eventSource(train, bins).load(first, x, labels);
    if (e.empty())
      e = snnrt::normalizeInitialCurrents(*start, x, opt.initNorm, scales);
    if (!e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    if (mlir::failed(
            mlir::snnmlir::updateSpikingNetwork(*start, layerOps, constantOps)))
      return 1;
  }
  EpochPrinter printer(opt, t.epochs, t.validation);
  std::vector<snnrt::EpochReport> reports;
  if (mlir::failed(mlir::snnmlir::fineTuneModule(
          *module, snnrt::eventSource(train, bins), t, printer.callbacks(),
          reports)))
    return 1;
  if (!writeModuleAtomically(*module, opt.output))
    return 1;

  double testAccuracy = -1;
  int64_t testCount = 0;
  if (opt.test) {
    if (std::string e = snnrt::listEventDataset(dir, "test", test);
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    auto trained = mlir::snnmlir::buildSpikingNetwork(*module);
    if (mlir::failed(trained))
      return 1;
    testCount = int64_t(test.files.size());
    if (opt.testLimit > 0)
      testCount = std::min(testCount, opt.testLimit);
    if (std::string e = snnrt::simulatedAccuracy(
            *trained, snnrt::eventSource(test, bins), 0, testCount, in[1],
            t.evalBatch, testAccuracy);
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
  }
  if (opt.json) {
    nlohmann::json j = {
        {"model", opt.model},
        {"output", opt.output},
        {"method", "bpsta"},
        {"adjust", opt.adjust},
        {"kappa", s.kappa},
        {"loss", opt.loss},
        {"batch_norm", s.batchNorm},
        {"optimizer", given("--optimizer") ? opt.optimizer : "adamw"},
        {"timesteps", in[1]},
        {"data", dir},
        {"threads", snnrt::numThreads()},
        {"epochs", epochsJson(reports)}};
    if (opt.test)
      j["test"] = {{"images", testCount}, {"accuracy", testAccuracy}};
    llvm::outs() << j.dump(2) << "\n";
  } else {
    if (opt.test)
      llvm::outs() << llvm::format("test accuracy: %.2f %% (%lld samples, T "
                                   "= %lld)\n",
                                   testAccuracy, (long long)testCount,
                                   (long long)in[1]);
    llvm::outs() << "wrote " << opt.output << "\n";
  }
  return 0;
}

} // namespace snnrun
