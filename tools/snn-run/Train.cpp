//===- Train.cpp - snn-run train: TTFS training with SSR regularizers -----===//
//
//   snn-run train model.ttfs.mlir --method ttfs --reg m-ssr --gamma 1e-5 \
//       --epochs 20 --data fashion-mnist -o trained.mlir
//
// Trains a time-to-first-spike network (continuous time, snn.ttfs_neuron;
// made by `snn-opt --convert-nn-to-snn="encoding=ttfs"`) with exact spike-time
// gradients, optionally with a sparse-firing regularizer, validates and
// checkpoints after every epoch (--resume continues a killed run), evaluates
// on the test split (accuracy, spikes per neuron, output spike time) and
// writes the module back with the trained weights (same ops).
//
//===----------------------------------------------------------------------===//

#include "runtime/ann/Kernels.h"
#include "runtime/mlir-bridge/TtfsToRuntime.h"
#include "tools/snn-run/Common.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace snnrun {

CLI::App *addTrainCommand(CLI::App &app, TrainOptions &o) {
  snnrt::ttfs::TrainOptions &t = o.train;
  t.optimizer.learningRate = 1e-4f; // from converted weights (docs/ttfs.md)
  t.optimizer.weightDecay = 0.0f;
  t.schedule = snnrt::Schedule::Cosine;
  t.batch = 32;
  t.epochs = 20;
  o.schedule = "cosine";
  CLI::App *cmd = app.add_subcommand(
      "train",
      "Train a time-to-first-spike network (snn.ttfs_neuron, continuous time; "
      "dense and convolutional layers, max pooling) with exact spike-time "
      "gradients and optional sparse-firing regularization (M-SSR, F-SSR: "
      "Sakemi et al. 2023; or the membrane-potential baseline); writes the "
      "module back with new weights");
  addTrainingOptions(cmd, o, t);
  o.command = cmd;
  cmd->add_option("--method", o.method,
                  "ttfs: a TTFS network on images; bpsta: a discrete-time "
                  "LIF network on event data with BPTT (--adjust)")
      ->capture_default_str()
      ->check(CLI::IsMember({"ttfs", "bpsta"}));
  cmd->add_option("--adjust", o.adjust,
                  "bpsta: full (BPSA + BPTA), spatial (BPSA: ∂s/∂u = "
                  "1[u≥V_th]/u), temporal (BPTA: κ·∂s/∂u across the reset, "
                  "rectangular surrogate) or none (plain BPTT, rectangular "
                  "surrogate |u − V_th| < width)")
      ->capture_default_str()
      ->check(CLI::IsMember({"full", "spatial", "temporal", "none"}));
  cmd->add_option("--kappa", o.kappa, "bpsta: κ of the temporal adjustment")
      ->capture_default_str()
      ->check(cli::real(0.0, true));
  cmd->add_option("--width", o.width,
                  "bpsta: half width of the rectangular surrogate")
      ->capture_default_str()
      ->check(cli::real(0.0));
  cmd->add_option("--loss", o.loss,
                  "bpsta: mse (output rates against the one-hot label) or ce "
                  "(softmax cross-entropy on the readout)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mse", "ce"}));
  cmd->add_option("--bin-by", o.binBy,
                  "bpsta: frames of equal event counts or of equal time")
      ->capture_default_str()
      ->check(CLI::IsMember({"count", "time"}));
  cmd->add_option("--timesteps", o.timesteps,
                  "bpsta: time steps T for an ONNX model, which is imported "
                  "and converted with event-frame input and BPSTA's neuron "
                  "(LIF, λ = 0.9, hard reset, V_th = 0.5); default 16. A "
                  ".mlir network keeps its own T")
      ->check(cli::integer(1, snnrt::kMaxTimesteps));
  cmd->add_option("--batch-norm", o.batchNorm,
                  "bpsta: batch-norm on every synapse that feeds LIF neurons "
                  "while training, as the BPSTA networks have (batch "
                  "statistics over all steps; folded into the weights and "
                  "biases of the written model); off: plain synapses")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--init-norm", o.initNorm,
                  "bpsta: before training, scale each layer's weights so that "
                  "its input currents on the first batch have a standard "
                  "deviation of this many thresholds (a stand-in for the "
                  "batch-norm of the BPSTA networks); 0: keep the weights")
      ->capture_default_str()
      ->check(cli::real(0.0, true));
  cmd->add_option("--sensor", o.sensor,
                  "bpsta: sensor width and height in pixels (default: 34 for "
                  "nmnist and emulated data, 128 for aedat); frames are "
                  "downsampled to the network's input")
      ->check(cli::integer(0, kMaxSensor, "0: the format's"));
  cmd->add_option("--reg", o.reg,
                  "Sparse-firing regularizer on the hidden layers: none, "
                  "m-ssr (Σ W·(t_max − t)²/2τ), f-ssr (Σ W·(t_max − t)/τ), "
                  "membrane (∫ (ṽ − v̂)⁺ dt over the causal potential: the "
                  "inputs before the spike) or membrane-full (the same over "
                  "the full potential: every input before t_max); "
                  "docs/ttfs.md")
      ->capture_default_str()
      ->check(CLI::IsMember(
          {"none", "m-ssr", "f-ssr", "membrane", "membrane-full"}));
  cmd->add_option("--gamma", t.loss.gamma, "Regularizer strength γ")
      ->capture_default_str()
      ->check(cli::real(0.0, true));
  cmd->add_option("--vhat", t.loss.vhat,
                  "Membrane regularizers: the level v̂ as a fraction of V_th")
      ->capture_default_str()
      ->check(cli::real(0.0, true, 1.0));
  cmd->add_flag("--reg-output", t.loss.regularizeOutput,
                "Regularize the output layer too");
  cmd->add_option("--sigma", t.loss.sigma,
                  "Softmax temperature: the logits are −t/σ")
      ->capture_default_str()
      ->check(cli::real(0.0));
  cmd->add_option("--fire-weight", t.loss.fireWeight,
                  "Weight of max(0, V_th − v(t_max)) for a silent target "
                  "output")
      ->capture_default_str()
      ->check(cli::real(0.0, true));
  cmd->add_option("--init", o.init,
                  "Start from the module's weights, or from random weights "
                  "(uniform ±scale/√fan-in, shifted by mean·scale/√fan-in)")
      ->capture_default_str()
      ->check(CLI::IsMember({"module", "random"}));
  cmd->add_option("--init-scale", o.initScale, "--init random: scale")
      ->capture_default_str()
      ->check(cli::real(0.0));
  cmd->add_option("--init-mean", o.initMean,
                  "--init random: mean shift (excitatory bias)")
      ->capture_default_str()
      ->check(cli::real(-1e6, true, 1e6));
  return cmd;
}

namespace {

snnrt::ttfs::Regularizer regularizerOf(const std::string &s) {
  return s == "m-ssr"           ? snnrt::ttfs::Regularizer::MSSR
         : s == "f-ssr"         ? snnrt::ttfs::Regularizer::FSSR
         : s == "membrane"      ? snnrt::ttfs::Regularizer::Membrane
         : s == "membrane-full" ? snnrt::ttfs::Regularizer::MembraneFull
                                : snnrt::ttfs::Regularizer::None;
}

/// The evaluation as text lines or a JSON object.
nlohmann::json evaluationJson(const snnrt::ttfs::Network &net,
                              const snnrt::ttfs::Evaluation &ev) {
  // Spikes of each layer over all images, as the CPU backend counts them.
  nlohmann::json layers = nlohmann::json::array();
  for (size_t k = 0; k < ev.spikesPerNeuron.size() && k < net.layers.size();
       ++k)
    layers.push_back(
        {{"layer", net.layers[k].name},
         {"spikes", std::llround(ev.spikesPerNeuron[k] * double(ev.count) *
                                 double(net.layers[k].out))}});
  return {{"images", ev.count},
          {"accuracy", ev.accuracy},
          {"spikes_per_neuron", ev.spikesPerNeuron},
          {"hidden_spikes_per_neuron", ev.hiddenSpikesPerNeuron},
          {"mean_output_time", ev.meanOutputTime},
          {"silent_output_share", ev.silentOutputShare},
          {"layers", layers}};
}

void printEvaluation(const snnrt::ttfs::Network &net,
                     const snnrt::ttfs::Evaluation &ev) {
  llvm::outs() << llvm::format("accuracy: %.2f %% (%lld images)\n", ev.accuracy,
                               (long long)ev.count);
  llvm::outs() << "spikes per neuron:";
  for (size_t k = 0; k < ev.spikesPerNeuron.size(); ++k)
    llvm::outs() << llvm::format(" %s%.3f", k ? "| " : "",
                                 ev.spikesPerNeuron[k]);
  llvm::outs() << llvm::format(" (hidden layers: %.3f; %zu layers of",
                               ev.hiddenSpikesPerNeuron, net.layers.size());
  for (const auto &l : net.layers)
    llvm::outs() << " " << l.out;
  llvm::outs() << ")\n";
  llvm::outs() << llvm::format("mean output spike time: %.4f (t_max %.3g); "
                               "no output spike: %.2f %% of images\n",
                               ev.meanOutputTime, net.tMax,
                               100.0 * ev.silentOutputShare);
}

} // namespace

int runTrain(const TrainOptions &opt) {
  if (!checkTrainingOutputs(opt))
    return 1;
  if (opt.method == "bpsta")
    return runBpsta(opt);
  LoadedNetwork loaded(opt.model, opt.threads);
  auto &module = loaded.module;
  if (!module)
    return 1;
  if (!mlir::snnmlir::isTtfsNetwork(*module)) {
    llvm::errs() << "snn-run: " << opt.model
                 << " is not a TTFS network (continuous time); make one with "
                    "snn-opt --convert-nn-to-snn=\"encoding=ttfs\"\n";
    return 1;
  }
  snnrt::ttfs::TrainOptions t = opt.train;
  finishTrainingOptions(opt, t);
  t.loss.reg = regularizerOf(opt.reg);
  if (t.loss.reg != snnrt::ttfs::Regularizer::None && t.loss.gamma <= 0)
    llvm::errs() << "snn-run: note: --reg " << opt.reg
                 << " has no effect with --gamma 0\n";
  if (opt.init == "random") {
    // Randomize the module's weights first; training then starts there.
    mlir::snnmlir::TtfsConstants constants;
    auto net = mlir::snnmlir::buildTtfsNetwork(*module, "main", &constants);
    if (mlir::failed(net))
      return 1;
    snnrt::ttfs::initializeRandom(*net, t.seed, opt.initScale, opt.initMean);
    if (mlir::failed(mlir::snnmlir::updateTtfsNetwork(*net, constants)))
      return 1;
  }
  EpochPrinter printer(opt, t.epochs, t.validation);
  std::vector<snnrt::EpochReport> reports;
  snnrt::ImagePreprocess pre;
  if (!imagePreprocess(opt.images, pre))
    return 1;
  if (mlir::failed(mlir::snnmlir::trainTtfsModule(
          *module, opt.data, t, printer.callbacks(), reports, "main", pre)))
    return 1;
  if (!writeModuleAtomically(*module, opt.output))
    return 1;

  nlohmann::json test;
  if (opt.test) {
    auto net = mlir::snnmlir::buildTtfsNetwork(*module);
    if (mlir::failed(net))
      return 1;
    snnrt::ImageDataset data;
    if (!loadImages(opt.data, "test", data, opt.images))
      return 1;
    int64_t n = data.images.dim(0);
    if (opt.testLimit > 0)
      n = std::min(n, opt.testLimit);
    snnrt::ttfs::Evaluation ev;
    if (std::string e =
            snnrt::ttfs::evaluate(*net, data, 0, n, 256, t.loss, ev);
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    if (!opt.json) {
      llvm::outs() << "test set: ";
      printEvaluation(*net, ev);
    }
    test = evaluationJson(*net, ev);
  }
  if (opt.json) {
    nlohmann::json j = {
        {"model", opt.model},           {"output", opt.output},
        {"method", opt.method},         {"regularizer", opt.reg},
        {"gamma", t.loss.gamma},        {"threads", snnrt::numThreads()},
        {"epochs", epochsJson(reports)}};
    if (opt.test)
      j["test"] = test;
    llvm::outs() << j.dump(2) << "\n";
  } else {
    llvm::outs() << "wrote " << opt.output << "\n";
  }
  return 0;
}

int evalTtfs(mlir::ModuleOp module, const std::string &model,
             const std::string &data, const ImageCliOptions &imageOptions,
             const std::string &split, int64_t limit, int64_t batch, bool json,
             double minAccuracy) {
  auto net = mlir::snnmlir::buildTtfsNetwork(module);
  if (mlir::failed(net))
    return 1;
  snnrt::ImageDataset images;
  if (!loadImages(data, split, images, imageOptions))
    return 1;
  int64_t n = images.images.dim(0);
  if (limit > 0)
    n = std::min(n, limit);
  snnrt::ttfs::Evaluation ev;
  auto start = std::chrono::steady_clock::now();
  if (std::string e = snnrt::ttfs::evaluate(*net, images, 0, n, batch,
                                            snnrt::ttfs::LossOptions(), ev);
      !e.empty()) {
    llvm::errs() << "snn-run: " << model << ": " << e << "\n";
    return 1;
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (json) {
    nlohmann::json j = evaluationJson(*net, ev);
    j["model"] = model;
    j["kind"] = "ttfs";
    j["t_max"] = net->tMax;
    j["runtime_fma"] = snnrt::runtimeUsesFma(); // for --snn-fma
    j["seconds"] = secs;
    j["threads"] = snnrt::numThreads();
    j["images_per_second"] = secs > 0 ? double(ev.count) / secs : 0.0;
    llvm::outs() << j.dump(2) << "\n";
  } else {
    llvm::outs() << model << " (TTFS, continuous time, t_max " << net->tMax
                 << ")\n";
    printEvaluation(*net, ev);
  }
  if (ev.accuracy < minAccuracy) {
    llvm::errs() << llvm::format("snn-run: accuracy %.2f %% is below "
                                 "--min-accuracy %.2f %%\n",
                                 ev.accuracy, minAccuracy);
    return 3;
  }
  return 0;
}

} // namespace snnrun
