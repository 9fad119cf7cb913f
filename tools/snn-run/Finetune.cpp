//===- Finetune.cpp - snn-run finetune: STDB hybrid fine-tuning -----------===//
//
//   snn-run finetune model.snn.mlir --method stdb --timesteps 16 --epochs 5 \
//       --data fashion-mnist -o tuned.mlir
//
// Fine-tunes a converted spiking network with STDB backpropagation through
// time, validates after every epoch on images held out of the training set,
// checkpoints after every epoch (--resume continues a killed run), evaluates
// on the test split, and writes the module back with new weights (same ops).
//
//===----------------------------------------------------------------------===//

#include "runtime/io/AtomicFile.h"
#include "runtime/mlir-bridge/FineTuneModule.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"
#include "runtime/mlir-bridge/TtfsToRuntime.h"
#include "tools/snn-run/Common.h"
#include "tools/support/ToolSupport.h"

#include "dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

namespace snnrun {

void addTrainingOptions(CLI::App *cmd, TrainCliOptions &o,
                        snnrt::TrainingOptions &t) {
  cmd->add_option("model", o.model,
                  "Network (.mlir, snn dialect; train --method bpsta also "
                  "takes an ONNX model)")
      ->required();
  cmd->add_option("-o,--output", o.output, "Where to write the trained module")
      ->required();
  cmd->add_option("--data", o.data,
                  std::string("Training and test data: ") +
                      snnrt::kImageDataHelp +
                      "; --method bpsta: nmnist:DIR or aedat:DIR (N-MNIST's layout, "
                  "Train/ and Test/ with class folders) or "
                  "emulated-fashion-mnist (made once with the saccade "
                  "emulator, cached)")
      ->capture_default_str();
  addImageOptions(cmd, o.images);
  cmd->add_option("--epochs", t.epochs, "Epochs")
      ->capture_default_str()
      ->check(cli::integer(1, kMaxEpochs));
  cmd->add_option("--batch", t.batch, "Images per mini-batch")
      ->capture_default_str()
      ->check(cli::integer(1));
  cmd->add_option("--optimizer", o.optimizer,
                  "adam, adamw (Adam with decoupled weight decay) or sgd "
                  "(with momentum)")
      ->capture_default_str()
      ->check(CLI::IsMember({"adam", "adamw", "sgd"}));
  cmd->add_option("--lr", t.optimizer.learningRate, "Learning rate")
      ->capture_default_str()
      ->check(cli::real(0.0));
  cmd->add_option("--momentum", t.optimizer.momentum, "SGD momentum")
      ->capture_default_str()
      ->check(cli::real(0.0, true, 1.0));
  cmd->add_option("--weight-decay", t.optimizer.weightDecay,
                  "L2 weight decay on weights and biases")
      ->capture_default_str()
      ->check(cli::real(0.0, true));
  cmd->add_option("--schedule", o.schedule,
                  "Learning-rate schedule: step (× --lr-decay at each "
                  "milestone), cosine, or constant")
      ->capture_default_str()
      ->check(CLI::IsMember({"step", "cosine", "constant"}));
  cmd->add_option("--milestones", t.milestones,
                  "Step schedule: fractions of the epochs where the rate "
                  "drops, e.g. 0.6,0.8,0.9")
      ->delimiter(',')
      ->check(cli::real(0.0, true, 1.0));
  cmd->add_option("--lr-decay", t.decay, "Step schedule: factor per milestone")
      ->capture_default_str()
      ->check(cli::real(0.0));
  cmd->add_option("--seed", t.seed, "Seed for shuffling, noise and dropout")
      ->capture_default_str();
  cmd->add_option("--limit", t.limit,
                  "Use only the first N training images (0: all)")
      ->check(cli::integer(0, INT64_MAX, "0: all"));
  cmd->add_option("--validation", t.validation,
                  "Training images held out for validation after each epoch")
      ->capture_default_str()
      ->check(cli::integer(0));
  cmd->add_option("--checkpoint", o.checkpoint,
                  "Checkpoint file written after every epoch (default: "
                  "OUTPUT.ckpt)");
  cmd->add_flag("--resume", t.resume,
                "Continue from the checkpoint when there is one");
  cmd->add_option("--test-limit", o.testLimit,
                  "Test images evaluated at the end (0: all)")
      ->check(cli::integer(0, INT64_MAX, "0: all"));
  cmd->add_flag("!--no-test", o.test, "Skip the test-set evaluation");
  addThreadsOption(cmd, o.threads);
  cmd->add_flag("--json", o.json, "Print one JSON object at the end");
  cmd->add_flag("!--no-progress", o.progress, "No progress bar");
}

std::string checkpointPath(const TrainCliOptions &o) {
  return o.checkpoint.empty() ? o.output + ".ckpt" : o.checkpoint;
}

bool checkTrainingOutputs(const TrainCliOptions &o) {
  std::string checkpoint = checkpointPath(o);
  auto refuse = [](const std::string &why) {
    llvm::errs() << "snn-run: " << why << "\n";
    return false;
  };
  if (snnrt::sameFile(checkpoint, o.model))
    return refuse("--checkpoint " + checkpoint +
                  " is the input model, which the binary checkpoint would "
                  "replace: choose another file");
  if (snnrt::sameFile(checkpoint, o.output))
    return refuse("--checkpoint " + checkpoint + " and -o " + o.output +
                  " are the same file: choose another checkpoint");
  // Found now, not after the first epoch, which would be lost.
  for (const std::string &path : {o.output, checkpoint})
    if (std::string e = snnrt::checkOutputPath(path); !e.empty())
      return refuse(e);
  return true;
}

void finishTrainingOptions(const TrainCliOptions &o,
                           snnrt::TrainingOptions &t) {
  t.optimizer.kind = o.optimizer == "sgd" ? snnrt::OptimizerKind::SGD
                                          : snnrt::OptimizerKind::Adam;
  t.optimizer.decoupledDecay = o.optimizer == "adamw";
  t.schedule = o.schedule == "cosine"     ? snnrt::Schedule::Cosine
               : o.schedule == "constant" ? snnrt::Schedule::Constant
                                          : snnrt::Schedule::Step;
  t.checkpoint = checkpointPath(o);
}

snnrt::TrainCallbacks EpochPrinter::callbacks() {
  snnrt::TrainCallbacks cb;
  cb.progress = [this](int64_t epoch, int64_t done, int64_t total, double loss,
                       double acc) {
    if (!o.progress || o.json)
      return;
    if (epoch != barEpoch) {
      bar = std::make_unique<ProgressBar>(total, true);
      barEpoch = epoch;
    }
    bar->update(done, llvm::formatv("epoch {0}/{1} loss {2:F4} accuracy "
                                    "{3:F2} %",
                                    epoch, epochs, loss, acc)
                          .str());
  };
  cb.epochDone = [this](const snnrt::EpochReport &r) {
    bar.reset();
    if (o.json)
      return;
    std::string val =
        validation > 0
            ? llvm::formatv(", validation {0:F2} %", r.validationAccuracy).str()
            : "";
    std::string memory =
        r.peakActivationMiB > 0
            ? llvm::formatv(", activations {0:F0} MiB", r.peakActivationMiB)
                  .str()
            : "";
    llvm::outs() << llvm::format(
        "epoch %lld/%lld: lr %.3g, loss %.4f, train %.2f %%%s (%.1f s, %.1f "
        "images/s%s)\n",
        (long long)r.epoch, (long long)epochs, r.learningRate, r.loss,
        r.trainAccuracy, val.c_str(), r.seconds, r.imagesPerSecond,
        memory.c_str());
    llvm::outs().flush();
  };
  cb.note = [](const std::string &s) {
    llvm::errs() << "snn-run: " << s << "\n";
  };
  return cb;
}

void addImageOptions(CLI::App *cmd, ImageCliOptions &o) {
  const char *group = "Image preprocessing (torchvision's transforms)";
  cmd->add_option("--resize", o.pre.resize,
                  "Resize images (bilinear, antialiased) so that the shorter "
                  "side has N pixels (0: no resize)")
      ->check(cli::integer(0, 65536, "0: no resize"))
      ->group(group);
  cmd->add_option("--crop", o.crop,
                  "Center-crop to N or HxW pixels (default when resizing: "
                  "the network's input size)")
      ->group(group);
  cmd->add_option("--mean", o.pre.mean,
                  "Per-channel mean subtracted after scaling to [0, 1], e.g. "
                  "0.485,0.456,0.406")
      ->delimiter(',')
      ->group(group);
  cmd->add_option("--std", o.pre.std,
                  "Per-channel standard deviation divided by, e.g. "
                  "0.229,0.224,0.225")
      ->delimiter(',')
      ->group(group);
  cmd->add_option("--normalize", o.normalize,
                  "Named --mean/--std: imagenet, cifar10 or none")
      ->check(CLI::IsMember({"imagenet", "cifar10", "none"}))
      ->group(group);
  cmd->add_flag("!--no-scale", o.pre.scale,
                "Keep 8-bit values as 0 to 255 instead of scaling to [0, 1]")
      ->group(group);
  cmd->add_option("--channel-order", o.channelOrder,
                  "Channel order the network expects")
      ->check(CLI::IsMember({"rgb", "bgr"}))
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--layout", o.pre.layout,
                  "Layout of 4-D NumPy image arrays (auto: from the "
                  "channel count)")
      ->check(CLI::IsMember({"auto", "nchw", "nhwc"}))
      ->capture_default_str()
      ->group(group);
}

bool imagePreprocess(const ImageCliOptions &o, snnrt::ImagePreprocess &pre) {
  pre = o.pre;
  pre.bgr = o.channelOrder == "bgr";
  if (!o.normalize.empty())
    if (std::string e = snnrt::setNormalization(o.normalize, pre);
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return false;
    }
  if (!o.crop.empty()) {
    std::string h = o.crop, w = o.crop;
    size_t x = o.crop.find_first_of("x×");
    if (x != std::string::npos) {
      h = o.crop.substr(0, x);
      w = o.crop.substr(o.crop.find_first_of("0123456789", x));
    }
    auto number = [](const std::string &s, int64_t &v) {
      if (s.empty() || s.size() > 6 ||
          s.find_first_not_of("0123456789") != std::string::npos)
        return false;
      v = std::stoll(s);
      return v > 0;
    };
    if (!number(h, pre.cropHeight) || !number(w, pre.cropWidth)) {
      llvm::errs() << "snn-run: --crop: give N or HxW (whole numbers from 1 "
                      "to 999999), got '"
                   << o.crop << "'\n";
      return false;
    }
  }
  if (std::string e = snnrt::checkPreprocess(pre); !e.empty()) {
    llvm::errs() << "snn-run: " << e << "\n";
    return false;
  }
  return true;
}

bool openImages(const std::string &data, const ImageCliOptions &o,
                const std::string &split, const snnrt::Shape &input,
                std::unique_ptr<snnrt::ImageSet> &out) {
  snnrt::ImagePreprocess pre;
  if (!imagePreprocess(o, pre))
    return false;
  if (std::string e = snnrt::openImageSet(data, split, pre, input, out);
      !e.empty()) {
    llvm::errs() << "snn-run: " << e << "\n";
    return false;
  }
  return true;
}

bool loadImages(const std::string &data, const std::string &split,
                snnrt::ImageDataset &out, const ImageCliOptions &options,
                const snnrt::Shape &input) {
  std::unique_ptr<snnrt::ImageSet> set;
  if (!openImages(data, options, split, input, set))
    return false;
  if (std::string e = snnrt::loadAllImages(*set, 0, out); !e.empty()) {
    llvm::errs() << "snn-run: " << e << "\n";
    return false;
  }
  return true;
}

bool writeModuleAtomically(mlir::ModuleOp module, const std::string &path) {
  mlir::snnmlir::ToolOutputFile out;
  std::string e = out.open(path);
  if (e.empty()) {
    module->print(out.os());
    out.os() << "\n";
    e = out.commit();
  }
  if (!e.empty()) {
    llvm::errs() << "snn-run: " << e << "\n";
    return false;
  }
  return true;
}

nlohmann::json epochsJson(const std::vector<snnrt::EpochReport> &reports) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const auto &r : reports) {
    nlohmann::json e = {{"epoch", r.epoch},
                        {"learning_rate", r.learningRate},
                        {"loss", r.loss},
                        {"train_accuracy", r.trainAccuracy},
                        {"validation_accuracy", r.validationAccuracy},
                        {"seconds", r.seconds},
                        {"images_per_second", r.imagesPerSecond}};
    if (r.peakActivationMiB > 0)
      e["activation_mib"] = r.peakActivationMiB;
    epochs.push_back(e);
  }
  return epochs;
}

CLI::App *addFinetuneCommand(CLI::App &app, FinetuneOptions &o) {
  snnrt::FineTuneOptions &t = o.tune;
  CLI::App *cmd = app.add_subcommand(
      "finetune",
      "Fine-tune a converted spiking network with STDB (spike-timing-"
      "dependent backpropagation through time, Rathi et al. 2020) at a "
      "reduced number of time steps; writes the module back with new weights");
  // From a calibrated conversion, small steps without decay: one epoch at
  // lr 1e-5 gained where 1e-4 with decay 5e-4 lost 1.6 pt (VGG-like, T = 4)
  // and matched it on the residual model (T = 8): docs/results.md.
  t.optimizer.learningRate = 1e-5f;
  t.optimizer.weightDecay = 0.0f;
  addTrainingOptions(cmd, o, t);
  cmd->add_option("--method", o.method, "Training method (stdb)")
      ->capture_default_str()
      ->check(CLI::IsMember({"stdb"}));
  cmd->add_option("--timesteps", t.stdb.timesteps,
                  "Time steps to train at (0: the network's T); the "
                  "output module runs at this T")
      ->check(cli::integer(0, snnrt::kMaxTimesteps, "0: the network's T"));
  cmd->add_option("--alpha", t.stdb.alpha, "STDB surrogate height α")
      ->capture_default_str()
      ->check(cli::real(0.0));
  cmd->add_option("--beta", t.stdb.beta, "STDB surrogate decay β per step")
      ->capture_default_str()
      ->check(cli::real(0.0, true));
  cmd->add_option("--first-spike-age", t.stdb.firstSpikeAge,
                  "Δt used before a neuron's first spike (0: no gradient "
                  "before it)")
      ->capture_default_str()
      ->check(cli::integer(0, snnrt::kMaxTimesteps));
  cmd->add_option("--dropout", t.stdb.dropout,
                  "Dropout on spikes, one mask per image for all steps")
      ->capture_default_str()
      ->check(cli::real(0.0, true, 0.99));
  cmd->add_flag("--train-threshold", t.stdb.trainThreshold,
                "Also train the firing thresholds");
  cmd->add_flag("--train-leak", t.stdb.trainLeak,
                "Also train the leaks of LIF layers");
  cmd->add_option("--recompute", t.stdb.segment,
                  "Recomputation through time: keep neuron states every N "
                  "steps and recompute activations in the backward pass "
                  "(memory ∝ N instead of T; 0: off)")
      ->capture_default_str()
      ->check(cli::integer(0, snnrt::kMaxTimesteps, "0: off"));
  cmd->add_option("--temperature", t.stdb.temperature,
                  "Logits are the accumulated readout divided by this (0: T)")
      ->capture_default_str()
      ->check(cli::real(0.0, true));
  return cmd;
}

int runFinetune(const FinetuneOptions &opt) {
  if (!checkTrainingOutputs(opt))
    return 1;
  LoadedNetwork loaded(opt.model, opt.threads);
  auto &module = loaded.module;
  if (!module)
    return 1;
  if (!mlir::snnmlir::isSpikingNetwork(*module)) {
    llvm::errs() << "snn-run: " << opt.model
                 << " is not a spiking network (snn dialect); convert it "
                    "first, e.g. snn-opt --snn-rate-pipeline\n";
    return 1;
  }
  snnrt::FineTuneOptions t = opt.tune;
  finishTrainingOptions(opt, t);
  auto before = mlir::snnmlir::buildSpikingNetwork(*module);
  if (mlir::failed(before))
    return 1;
  snnrt::Shape input =
      before->inputShapes.empty() ? snnrt::Shape() : before->inputShapes[0];
  std::unique_ptr<snnrt::ImageSet> trainSet;
  if (!openImages(opt.data, opt.images, "train", input, trainSet))
    return 1;
  EpochPrinter printer(opt, t.epochs, t.validation);
  std::vector<snnrt::EpochReport> reports;
  if (mlir::failed(mlir::snnmlir::fineTuneModule(
          *module, snnrt::imageSetSource(*trainSet, input), t,
          printer.callbacks(), reports)))
    return 1;
  if (!writeModuleAtomically(*module, opt.output))
    return 1;

  double testAccuracy = -1;
  int64_t testImages = 0;
  int64_t T = 0;
  if (opt.test) {
    auto net = mlir::snnmlir::buildSpikingNetwork(*module);
    if (mlir::failed(net))
      return 1;
    T = net->timesteps;
    std::unique_ptr<snnrt::ImageSet> test;
    if (!openImages(opt.data, opt.images, "test", input, test))
      return 1;
    testImages = test->size();
    if (opt.testLimit > 0)
      testImages = std::min(testImages, opt.testLimit);
    if (std::string e = snnrt::simulatedAccuracy(
            *net, snnrt::imageSetSource(*test, input), 0, testImages, T, 256,
            testAccuracy);
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
  }
  if (opt.json) {
    nlohmann::json j = {{"model", opt.model},
                        {"output", opt.output},
                        {"method", opt.method},
                        {"threads", snnrt::numThreads()},
                        {"epochs", epochsJson(reports)}};
    if (opt.test)
      j["test"] = {
          {"images", testImages}, {"timesteps", T}, {"accuracy", testAccuracy}};
    llvm::outs() << j.dump(2) << "\n";
  } else {
    if (opt.test)
      llvm::outs() << llvm::format("test accuracy at T = %lld: %.2f %% (%lld "
                                   "images)\n",
                                   (long long)T, testAccuracy,
                                   (long long)testImages);
    llvm::outs() << "wrote " << opt.output << "\n";
  }
  return 0;
}

} // namespace snnrun
