//===- snn-run.cpp - simulate, evaluate and (later) train networks --------===//
//
//   snn-run eval MODEL --data fashion-mnist [--timesteps 8,16,32] [--json]
//       [--engine sim|jit] [--reference-order]       (jit: EvalJit.cpp)
//   snn-run finetune MODEL --method stdb ... -o OUT   (Finetune.cpp)
//   snn-run train MODEL --method ttfs ... -o OUT      (Train.cpp)
//   snn-run events emulate|info ...                   (Events.cpp)
//   snn-run infer MODEL --input x.npy -o y.npy        (Infer.cpp)
//
// MODEL is an .mlir file (an nn-dialect ANN, run by the reference executor,
// an snn-dialect spiking network, run by the discrete-time simulator, or a
// TTFS network in continuous time, run by the exact event simulator) or
// an ONNX model (.onnx, .onnxtext), imported on the fly. Exit codes: 0 success,
// 1 error (bad model, missing data, a bad command line, out of memory), 3
// accuracy below --min-accuracy.
//
//===----------------------------------------------------------------------===//

#include "runtime/ann/Executor.h"
#include "runtime/ann/Kernels.h"
#include "runtime/data/IDX.h"
#include "runtime/io/FatalErrors.h"
#include "runtime/mlir-bridge/NNToRuntime.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"
#include "runtime/mlir-bridge/TtfsToRuntime.h"
#include "runtime/sim/Simulator.h"
#include "runtime/tensor/Parallel.h"
#include "tools/snn-run/Common.h"
#include "tools/support/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <malloc.h>
#include <memory>
#include <unistd.h>

namespace {

namespace cli = snnrun::cli;
using snnrun::LoadedNetwork;
using snnrun::ProgressBar;

struct EvalOptions {
  std::string model;
  std::string data = "fashion-mnist";
  snnrun::ImageCliOptions images;
  std::string split = "test";
  int64_t limit = 0;
  int64_t batch = 256;
  int threads = 0;
  bool json = false;
  bool progress = true;
  double minAccuracy = -1.0;
  bool profile = false;
  std::vector<int64_t> timesteps;
  bool events = true;
  std::string engine = "sim";
  bool referenceOrder = false;
  int64_t sensor = 0;          // event data
  std::string binBy = "count"; // event data
};

int runEval(const EvalOptions &opt) {
  LoadedNetwork loaded(opt.model, opt.threads);
  auto &module = loaded.module;
  if (!module)
    return 1;
  bool ttfs = mlir::snnmlir::isTtfsNetwork(*module);
  if (ttfs && opt.engine != "jit") {
    if (!opt.timesteps.empty()) {
      llvm::errs() << "snn-run: --timesteps applies to discrete-time "
                      "networks; "
                   << opt.model << " is a TTFS network (continuous time)\n";
      return 1;
    }
    return snnrun::evalTtfs(*module, opt.model, opt.data, opt.images, opt.split,
                            opt.limit,
                            opt.batch, opt.json, opt.minAccuracy);
  }
  // One forward function per batch: logits at each checkpoint.
  bool spiking = mlir::snnmlir::isSpikingNetwork(*module);
  std::optional<snnrt::Graph> graph;
  std::optional<snnrt::Network> net;
  snnrt::Shape want;
  size_t numOutputs;
  if (ttfs) {
    // --engine jit: generated code simulates the window in one step.
    if (!opt.timesteps.empty()) {
      llvm::errs() << "snn-run: --timesteps applies to discrete-time "
                      "networks; "
                   << opt.model << " is a TTFS network (continuous time)\n";
      return 1;
    }
    auto fn = module->lookupSymbol<mlir::func::FuncOp>("main");
    auto type =
        fn ? mlir::dyn_cast<mlir::RankedTensorType>(fn.getArgument(0).getType())
           : nullptr;
    if (type)
      for (int64_t d : type.getShape())
        want.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
    numOutputs = 1;
  } else if (spiking) {
    auto n = mlir::snnmlir::buildSpikingNetwork(*module);
    if (mlir::failed(n))
      return 1;
    net = std::move(*n);
    want = net->inputShapes.empty() ? snnrt::Shape() : net->inputShapes[0];
    numOutputs = net->outputs.size();
  } else {
    auto g = mlir::snnmlir::buildRuntimeGraph(*module);
    if (mlir::failed(g))
      return 1;
    graph = std::move(*g);
    want = graph->inputShapes.empty() ? snnrt::Shape() : graph->inputShapes[0];
    numOutputs = graph->outputs.size();
  }
  if (!ttfs && ((spiking ? net->inputs.size() : graph->inputs.size()) != 1 ||
                numOutputs != 1)) {
    llvm::errs() << "snn-run: " << opt.model
                 << ": eval needs a network with one input and one output\n";
    return 1;
  }
  std::vector<int64_t> steps = opt.timesteps;
  if (spiking && steps.empty())
    steps = {ttfs ? 1 : net->timesteps};
  std::sort(steps.begin(), steps.end());
  if (!spiking && !steps.empty()) {
    llvm::errs() << "snn-run: --timesteps applies to spiking networks; "
                 << opt.model << " is an ANN\n";
    return 1;
  }
  size_t checkpoints = spiking ? steps.size() : 1;

  // Networks with event input read event recordings, binned into their
  // frames; the others read images.
  bool events = spiking && !ttfs && !net->layers.empty() &&
                net->layers.front().kind == snnrt::LayerKind::EncodeEvents;
  std::unique_ptr<snnrt::ImageSet> data;
  snnrt::EventDataset recordings;
  snnrt::BinOptions bins;
  if (events) {
    std::string dir;
    int64_t sensor = 0;
    if (!snnrun::eventDataDirectory(opt.data, opt.sensor, opt.split, opt.limit,
                                    opt.progress && !opt.json, dir, sensor) ||
        !snnrun::eventBins(want, sensor, opt.binBy == "count", opt.model, bins))
      return 1;
    if (std::string e = snnrt::listEventDataset(dir, opt.split, recordings);
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    if (!opt.timesteps.empty() && steps.back() > bins.bins)
      llvm::errs() << "snn-run: note: steps past the " << bins.bins
                   << " frames see no input\n";
  } else if (!snnrun::openImages(opt.data, opt.images, opt.split, want,
                                 data)) {
    return 1;
  }
  // One way to read batches of either kind, for the simulator and the JIT.
  snnrt::SampleSource source = events ? snnrt::eventSource(recordings, bins)
                                      : snnrt::imageSetSource(*data, want);
  int64_t total = source.count;
  if (opt.limit > 0)
    total = std::min(total, opt.limit);
  int64_t batchSize = want.empty() || want[0] < 0 ? opt.batch : want[0];

  auto start = std::chrono::steady_clock::now();
  std::vector<int64_t> correct(checkpoints, 0);
  int64_t done = 0;
  std::vector<double> opSeconds;
  std::vector<snnrt::LayerStats> stats;
  bool jit = opt.engine == "jit";
  if (jit && !spiking) {
    llvm::errs() << "snn-run: --engine jit runs spiking networks; " << opt.model
                 << " is an ANN\n";
    return 1;
  }
  double compileSeconds = 0;
  if (jit) {
    if (!snnrun::evalWithJit(*module, opt.model, source, total, steps,
                             opt.progress && !opt.json, correct, stats,
                             compileSeconds))
      return 1;
    done = total;
  }
  ProgressBar bar(jit ? 0 : total, opt.progress && !opt.json && !jit);
  while (done < total) {
    int64_t n = std::min(batchSize, total - done);
    if (!want.empty() && want[0] >= 0 && n != want[0])
      break; // a static-batch model cannot take the remainder
    snnrt::Tensor batch;
    std::vector<int> labels;
    std::vector<int64_t> indices(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      indices[size_t(i)] = done + i;
    if (std::string e = source.load(indices, batch, labels); !e.empty()) {
      llvm::errs() << "snn-run: " << opt.model << ": " << e << "\n";
      return 1;
    }
    std::vector<snnrt::Tensor> logits;
    std::string err;
    if (spiking) {
      snnrt::SimOptions so;
      so.timesteps = steps.back();
      so.checkpoints = steps;
      so.eventDriven = opt.events;
      so.referenceOrder = opt.referenceOrder;
      if (steps.back() >= 16384) // long runs show the steps of a batch too
        so.onStep = [&](int64_t t, int64_t T) {
          bar.update(done, "step " + std::to_string(t) + "/" +
                               std::to_string(T) + " of this batch");
        };
      snnrt::SimResult r;
      err = snnrt::simulate(*net, {batch}, so, r);
      for (auto &outs : r.outputs)
        logits.push_back(std::move(outs[0]));
      if (stats.empty())
        stats = r.layers;
      else
        for (size_t i = 0; i < stats.size(); ++i) {
          stats[i].spikes += r.layers[i].spikes;
          stats[i].synapticEvents += r.layers[i].synapticEvents;
        }
    } else {
      std::vector<snnrt::Tensor> out;
      err = snnrt::execute(*graph, {batch}, out,
                           opt.profile ? &opSeconds : nullptr);
      if (err.empty())
        logits.push_back(std::move(out[0]));
    }
    if (!err.empty()) {
      llvm::errs() << "snn-run: " << opt.model << ": " << err << "\n";
      return 1;
    }
    if (done == 0) { // every label the run will read, before any result
      const std::vector<int> &all =
          events ? recordings.labels : data->labels();
      std::vector<int> used(all.begin(),
                            all.begin() + std::min<int64_t>(total, all.size()));
      if (std::string e = snnrt::checkLabels(used, logits[0].size() / n);
          !e.empty()) {
        llvm::errs() << "snn-run: " << opt.data << ": " << e << "\n";
        return 1;
      }
    }
    for (size_t k = 0; k < checkpoints; ++k) {
      int64_t classes = logits[k].size() / n;
      for (int64_t i = 0; i < n; ++i) {
        const float *row = logits[k].ptr() + i * classes;
        int64_t best = std::max_element(row, row + classes) - row;
        correct[k] += best == labels[size_t(i)];
      }
    }
    done += n;
    bar.update(done,
               "accuracy " +
                   std::to_string(100.0 * correct.back() / done).substr(0, 5) +
                   " %");
  }
  // Throughput without the JIT's compile time (reported on its own).
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count() -
      compileSeconds;
  auto accuracyAt = [&](size_t k) {
    return done ? 100.0 * correct[k] / done : 0.0;
  };
  double accuracy = accuracyAt(checkpoints - 1);
  int64_t maxT = spiking ? steps.back() : 1;
  if (opt.json) {
    nlohmann::json j = {{"model", opt.model},
                        {"data", events ? snnrt::datasetDirectory(opt.data)
                        : data->description()},
                        {"split", opt.split},
                        {"images", done},
                        {"correct", correct.back()},
                        {"accuracy", accuracy},
                        {"seconds", secs},
                        {"threads", snnrt::numThreads()},
                        {"images_per_second", secs > 0 ? done / secs : 0.0},
                        {"spiking", spiking}};
    if (spiking)
      j["engine"] = jit ? "jit" : opt.referenceOrder ? "sim-reference" : "sim";
    if (jit)
      j["compile_seconds"] = compileSeconds;
    if (spiking) // what generated code needs to match: --snn-fma
      j["runtime_fma"] = snnrt::runtimeUsesFma();
    if (spiking) {
      nlohmann::json perT = nlohmann::json::array(),
                     layers = nlohmann::json::array();
      for (size_t k = 0; k < checkpoints; ++k)
        perT.push_back({{"timesteps", steps[k]}, {"accuracy", accuracyAt(k)}});
      double events = 0;
      for (const auto &l : stats) {
        nlohmann::json e = {{"layer", l.name}};
        if (l.neuronsPerSample > 0) {
          e["spikes"] = int64_t(l.spikes);
          e["spikes_per_neuron_per_step"] =
              l.spikes / double(done * l.neuronsPerSample * maxT);
        } else
          e["synaptic_events_per_image"] = l.synapticEvents / double(done);
        events += l.synapticEvents;
        layers.push_back(e);
      }
      j["by_timesteps"] = perT;
      j["layers"] = layers;
      if (!jit) // generated code does not count synaptic events
        j["synaptic_events_per_image"] =
            events / double(std::max<int64_t>(done, 1));
    }
    llvm::outs() << j.dump(2) << "\n";
  } else if (ttfs) { // one step of generated code simulates the window
    llvm::outs() << llvm::format(
        "TTFS accuracy: %.2f %% (%lld images, %.2f s, %.1f images/s on %d "
        "threads)\n",
        accuracy, (long long)done, secs, secs > 0 ? done / secs : 0.0,
        snnrt::numThreads());
    for (const auto &l : stats)
      if (l.neuronsPerSample > 0)
        llvm::outs() << llvm::format(
            "  %-40s %.4f spikes/neuron\n", l.name.c_str(),
            l.spikes / double(done * l.neuronsPerSample));
    llvm::outs() << llvm::format("generated code (JIT, compiled in %.2f s)\n",
                                 compileSeconds);
  } else if (spiking) {
    llvm::outs() << llvm::format("SNN accuracy on %lld images (%.2f s, %.1f "
                                 "images/s at T = %lld on %d threads):\n",
                                 (long long)done, secs,
                                 secs > 0 ? done / secs : 0.0, (long long)maxT,
                                 snnrt::numThreads());
    for (size_t k = 0; k < checkpoints; ++k)
      llvm::outs() << llvm::format("  T = %4lld: %6.2f %%\n",
                                   (long long)steps[k], accuracyAt(k));
    double events = 0;
    llvm::outs() << llvm::format("per layer at T = %lld:\n", (long long)maxT);
    for (const auto &l : stats) {
      events += l.synapticEvents;
      if (l.neuronsPerSample > 0)
        llvm::outs() << llvm::format(
            "  %-40s %.4f spikes/neuron/step\n", l.name.c_str(),
            l.spikes / double(done * l.neuronsPerSample * maxT));
      else
        llvm::outs() << llvm::format("  %-40s %.0f synaptic events/image\n",
                                     l.name.c_str(),
                                     l.synapticEvents / double(done));
    }
    if (jit)
      llvm::outs() << llvm::format("generated code (JIT, compiled in %.2f s)\n",
                                   compileSeconds);
    else
      llvm::outs() << llvm::format("synaptic events per image: %.0f\n",
                                   events / double(std::max<int64_t>(done, 1)));
  } else {
    llvm::outs() << llvm::format(
        "ANN accuracy: %.2f %% (%lld/%lld) in %.2f s, "
        "%.0f images/s on %d threads\n",
        accuracy, (long long)correct.back(), (long long)done, secs,
        secs > 0 ? done / secs : 0.0, snnrt::numThreads());
  }
  if (opt.profile && !spiking) {
    llvm::errs() << "time per op (s):\n";
    for (size_t i = 0; i < opSeconds.size(); ++i)
      llvm::errs() << llvm::format("  %8.3f  %s\n", opSeconds[i],
                                   graph->nodes[i].name.c_str());
  }
  if (opt.minAccuracy >= 0 && accuracy < opt.minAccuracy) {
    llvm::errs() << "snn-run: accuracy " << accuracy
                 << " % is below --min-accuracy " << opt.minAccuracy << "\n";
    return 3;
  }
  return 0;
}

struct DiagnoseOptions {
  std::string model;
  std::string data = "fashion-mnist";
  snnrun::ImageCliOptions images;
  int64_t limit = 500;
  int64_t batch = 100;
  int64_t timesteps = 0;
  int threads = 0;
  bool json = false;
};

/// Running sums for the error and correlation of one layer.
struct Agreement {
  double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sdd = 0;
  void add(double snn, double ann) {
    n += 1;
    sx += snn;
    sy += ann;
    sxx += snn * snn;
    syy += ann * ann;
    sxy += snn * ann;
    sdd += (snn - ann) * (snn - ann);
  }
  double error() const { return syy > 0 ? std::sqrt(sdd / syy) : 0.0; }
  double correlation() const {
    double cov = sxy - sx * sy / n, vx = sxx - sx * sx / n,
           vy = syy - sy * sy / n;
    return vx > 0 && vy > 0 ? cov / std::sqrt(vx * vy) : 0.0;
  }
};

/// Compares, layer by layer, the SNN's firing rates with the rates of the
/// ideal rate network it approximates, and names where most error enters.
int runDiagnose(const DiagnoseOptions &opt) {
  LoadedNetwork loaded(opt.model, opt.threads);
  auto &module = loaded.module;
  if (!module)
    return 1;
  if (!mlir::snnmlir::isSpikingNetwork(*module)) {
    llvm::errs() << "snn-run: diagnose compares a spiking network with its "
                    "rate ANN; "
                 << opt.model << " has no snn ops\n";
    return 1;
  }
  auto built = mlir::snnmlir::buildSpikingNetwork(*module);
  if (mlir::failed(built))
    return 1;
  snnrt::Network &net = *built;
  int64_t T = opt.timesteps > 0 ? opt.timesteps : net.timesteps;
  std::unique_ptr<snnrt::ImageSet> data;
  if (!snnrun::openImages(opt.data, opt.images, "test", net.inputShapes[0],
                          data))
    return 1;
  snnrt::SampleSource source =
      snnrt::imageSetSource(*data, net.inputShapes[0]);
  int64_t total = std::min<int64_t>(opt.limit, data->size());
  std::vector<size_t> watched; // neuron layers, then the readout producer
  for (size_t k = 0; k < net.layers.size(); ++k)
    if (net.layers[k].kind == snnrt::LayerKind::Neuron)
      watched.push_back(k);
  std::vector<Agreement> agree(watched.size() + 1);
  ProgressBar bar(total, !opt.json);
  for (int64_t done = 0; done < total;) {
    int64_t n = std::min(opt.batch, total - done);
    snnrt::Tensor x;
    std::vector<int> labels;
    std::vector<int64_t> indices(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      indices[size_t(i)] = done + i;
    if (std::string e = source.load(indices, x, labels); !e.empty()) {
      llvm::errs() << "snn-run: " << opt.model << ": " << e << "\n";
      return 1;
    }
    snnrt::SimOptions so;
    so.timesteps = T;
    so.recordCounts = true;
    snnrt::SimResult sim;
    std::vector<snnrt::Tensor> ann;
    std::string err = snnrt::simulate(net, {x}, so, sim);
    if (err.empty())
      err = snnrt::annView(net, {x}, ann, /*rates=*/true);
    if (!err.empty()) {
      llvm::errs() << "snn-run: " << err << "\n";
      return 1;
    }
    for (size_t w = 0; w < watched.size(); ++w) {
      const snnrt::Tensor &c = sim.counts[watched[w]];
      const snnrt::Tensor &a = ann[net.layers[watched[w]].output];
      for (int64_t i = 0; i < c.size(); ++i)
        agree[w].add(c.data[i] / double(T), a.data[i]);
    }
    // Readout: accumulated output / T against the rate ANN's output.
    const snnrt::Tensor &o = sim.outputs.back()[0];
    const snnrt::Tensor &a = ann[net.outputs[0]];
    for (int64_t i = 0; i < o.size(); ++i)
      agree.back().add(o.data[i] / double(T), a.data[i]);
    done += n;
    bar.update(done, "");
  }
  // The layer whose error grows most over the previous one.
  size_t worst = 0;
  double worstRise = -1, previous = 0;
  for (size_t w = 0; w < agree.size(); ++w) {
    double rise = agree[w].error() - previous;
    if (rise > worstRise) {
      worstRise = rise;
      worst = w;
    }
    previous = agree[w].error();
  }
  auto nameOf = [&](size_t w) {
    return w < watched.size()
               ? std::to_string(w + 1) + ": " + net.layers[watched[w]].name
               : std::string("readout");
  };
  if (opt.json) {
    nlohmann::json layers = nlohmann::json::array();
    for (size_t w = 0; w < agree.size(); ++w)
      layers.push_back({{"layer", nameOf(w)},
                        {"snn_rate", agree[w].sx / agree[w].n},
                        {"ann_rate", agree[w].sy / agree[w].n},
                        {"normalized_error", agree[w].error()},
                        {"correlation", agree[w].correlation()}});
    llvm::outs() << nlohmann::json({{"model", opt.model},
                                    {"images", total},
                                    {"timesteps", T},
                                    {"layers", layers},
                                    {"most_error_enters_at", nameOf(worst)}})
                        .dump(2)
                 << "\n";
    return 0;
  }
  llvm::outs() << llvm::format("SNN vs. rate ANN on %lld images at T = %lld\n",
                               (long long)total, (long long)T);
  llvm::outs() << llvm::format("  %-44s %10s %10s %10s %8s\n", "layer",
                               "SNN mean", "ANN mean", "norm.err", "corr");
  for (size_t w = 0; w < agree.size(); ++w)
    llvm::outs() << llvm::format("  %-44s %10.4f %10.4f %10.4f %8.4f\n",
                                 nameOf(w).c_str(), agree[w].sx / agree[w].n,
                                 agree[w].sy / agree[w].n, agree[w].error(),
                                 agree[w].correlation());
  llvm::outs() << "most error enters at layer " << nameOf(worst)
               << llvm::format(" (normalized error +%.4f)\n", worstRise);
  return 0;
}

int run(int argc, char **argv) {
  // Simulation and training allocate and free tensors of tens of MiB per
  // batch; glibc would map and unmap each one (a page fault per 4 KiB on
  // every reuse). Keep freed memory in the heap instead: no trimming (a
  // training batch can hold more than 1 GiB at its peak).
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1); // never give the top of the heap back
  CLI::App app{"snn-run: simulate and evaluate networks of snn-mlir"};
  app.require_subcommand(1);

  EvalOptions eval;
  CLI::App *evalCmd = app.add_subcommand(
      "eval", "Classification accuracy of an ANN (nn) or a spiking network "
              "(snn: accuracy vs. timesteps, firing rates, synaptic events)");
  evalCmd
      ->add_option("model", eval.model,
                   "Network: .mlir (nn dialect) or ONNX (.onnx, .onnxtext)")
      ->required();
  evalCmd
      ->add_option("--data", eval.data,
                   std::string("Test data: ") + snnrt::kImageDataHelp +
                       "; for networks with event input: nmnist:DIR, "
                       "aedat:DIR or emulated-fashion-mnist")
      ->capture_default_str();
  snnrun::addImageOptions(evalCmd, eval.images);
  evalCmd->add_option("--split", eval.split, "train or test")
      ->capture_default_str();
  evalCmd
      ->add_option("--limit", eval.limit,
                   "Evaluate only the first N images (0: all)")
      ->check(cli::integer(0, INT64_MAX, "0: all"));
  evalCmd->add_option("--batch", eval.batch, "Images per batch")
      ->capture_default_str()
      ->check(cli::integer(1));
  snnrun::addThreadsOption(evalCmd, eval.threads);
  evalCmd->add_flag("--json", eval.json,
                    "Print one JSON object instead of text");
  evalCmd->add_flag("!--no-progress", eval.progress,
                    "No progress bar (it only shows on a terminal anyway)");
  evalCmd
      ->add_option("--timesteps", eval.timesteps,
                   "Spiking networks: report accuracy after each of these "
                   "step counts, e.g. 8,16,32 (default: the network's T)")
      ->delimiter(',')
      ->check(cli::integer(1, snnrt::kMaxTimesteps));
  evalCmd->add_flag("!--no-events", eval.events,
                    "Spiking networks: always use dense synapse kernels, "
                    "never the event-driven ones");
  evalCmd
      ->add_option("--engine", eval.engine,
                   "Spiking networks: 'sim' (the runtime simulator, batched "
                   "and multithreaded) or 'jit' (the CPU backend's generated "
                   "code, compiled in-process; one state per thread)")
      ->check(CLI::IsMember({"sim", "jit"}))
      ->capture_default_str();
  evalCmd
      ->add_option("--sensor", eval.sensor,
                   "Event input: sensor width and height (default: 34 for "
                   "nmnist and emulated data, 128 for aedat)")
      ->check(cli::integer(0, snnrun::kMaxSensor, "0: the format's"));
  evalCmd
      ->add_option("--bin-by", eval.binBy,
                   "Event input: frames of equal event counts or equal time")
      ->capture_default_str()
      ->check(CLI::IsMember({"count", "time"}));
  evalCmd->add_flag("--reference-order", eval.referenceOrder,
                    "Simulator: compute synapses in the reference order that "
                    "generated code follows (bit-identical spikes, slower)");
  evalCmd->add_flag("--profile", eval.profile,
                    "Print the time spent in each op (to stderr)");
  evalCmd
      ->add_option("--min-accuracy", eval.minAccuracy,
                   "Exit with code 3 when accuracy (%) is below this")
      ->check(cli::real(0.0, true, 100.0));

  snnrun::FinetuneOptions finetune;
  CLI::App *finetuneCmd = snnrun::addFinetuneCommand(app, finetune);
  snnrun::TrainOptions train;
  CLI::App *trainCmd = snnrun::addTrainCommand(app, train);
  snnrun::EventsOptions events;
  CLI::App *eventsCmd = snnrun::addEventsCommand(app, events);
  snnrun::InferOptions infer;
  CLI::App *inferCmd = snnrun::addInferCommand(app, infer);

  DiagnoseOptions diag;
  CLI::App *diagCmd = app.add_subcommand(
      "diagnose",
      "Layer by layer, compare a spiking network's firing rates with the "
      "rates of the ANN it approximates (normalized error, correlation) and "
      "name the layer where most error enters");
  diagCmd
      ->add_option("model", diag.model, "Spiking network (.mlir, snn dialect)")
      ->required();
  diagCmd
      ->add_option("--data", diag.data,
                   std::string("Test data: ") + snnrt::kImageDataHelp)
      ->capture_default_str();
  snnrun::addImageOptions(diagCmd, diag.images);
  diagCmd->add_option("--limit", diag.limit, "Test images to use")
      ->capture_default_str()
      ->check(cli::integer(1));
  diagCmd->add_option("--batch", diag.batch, "Images per batch")
      ->capture_default_str()
      ->check(cli::integer(1));
  diagCmd
      ->add_option("--timesteps", diag.timesteps,
                   "Steps to simulate (0: the network's T)")
      ->check(cli::integer(0, snnrt::kMaxTimesteps, "0: the network's T"));
  snnrun::addThreadsOption(diagCmd, diag.threads);
  diagCmd->add_flag("--json", diag.json, "Print one JSON object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (evalCmd->parsed())
    return runEval(eval);
  if (diagCmd->parsed())
    return runDiagnose(diag);
  if (finetuneCmd->parsed())
    return snnrun::runFinetune(finetune);
  if (trainCmd->parsed())
    return snnrun::runTrain(train);
  if (eventsCmd->parsed())
    return snnrun::runEvents(events);
  if (inferCmd->parsed())
    return snnrun::runInfer(infer);
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  mlir::snnmlir::initToolProcess("snn-run");
  try {
    return run(argc, argv);
  } catch (...) {
    llvm::errs() << "snn-run: "
                 << snnrt::describeException(std::current_exception()) << "\n";
    llvm::sys::RunInterruptHandlers(); // temporary files
    return 1;
  }
}
