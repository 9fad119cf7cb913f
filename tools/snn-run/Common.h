//===- Common.h - shared by snn-run's subcommands ---------------*- C++ -*-===//

#ifndef SNN_MLIR_TOOLS_SNN_RUN_COMMON_H
#define SNN_MLIR_TOOLS_SNN_RUN_COMMON_H

#include "runtime/data/IDX.h"
#include "runtime/data/ImageSet.h"
#include "runtime/data/SaccadeEmulator.h"
#include "runtime/mlir-bridge/NNToRuntime.h"
#include "runtime/sim/Simulator.h"
#include "runtime/tensor/Parallel.h"
#include "runtime/train/FineTune.h"
#include "runtime/ttfs/TtfsTrain.h"
#include "tools/snn-run/Cli.h"
#include "tools/support/ToolSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <unistd.h>

namespace snnrun {

/// Bounds of options that have no natural one: enough for any real use,
/// small enough that a typo cannot ask for years of work.
constexpr int64_t kMaxEpochs = 1000000;
constexpr int64_t kMaxSensor = 32768;        // AEDAT 3.1's 15-bit addresses
constexpr int64_t kMaxEmulatedUs = 10000000; // 10 s of emulated recording

/// --threads N: 0 (all cores) to snnrt::kMaxThreads.
inline CLI::Option *addThreadsOption(CLI::App *cmd, int &threads) {
  return cmd
      ->add_option("--threads", threads,
                   "Worker threads (0: all cores; at most " +
                       std::to_string(snnrt::kMaxThreads) + ")")
      ->check(cli::integer(0, snnrt::kMaxThreads, "0: all cores"));
}

/// Progress on stderr: a one-line bar on a terminal; elsewhere (a CI log,
/// a pipe) a plain line every 10 seconds, so that a long run is not silent.
class ProgressBar {
public:
  ProgressBar(int64_t total, bool enabled)
      : total(total), enabled(enabled), tty(isatty(STDERR_FILENO)),
        start(std::chrono::steady_clock::now()), lastLine(start) {}
  void update(int64_t done, const std::string &extra,
              const char *unit = "images") {
    if (!enabled)
      return;
    auto now = std::chrono::steady_clock::now();
    double secs = std::chrono::duration<double>(now - start).count();
    double rate = secs > 0 ? done / secs : 0.0;
    if (!tty) {
      if (now - lastLine < std::chrono::seconds(10))
        return;
      lastLine = now;
      std::fprintf(stderr, "%lld/%lld %s, %.1f %s/s %s\n", (long long)done,
                   (long long)total, unit, rate, unit, extra.c_str());
      std::fflush(stderr);
      return;
    }
    int width = 30, filled = int(width * done / std::max<int64_t>(total, 1));
    std::fprintf(stderr, "\r[%s%s] %lld/%lld %s, %.0f %s/s %s",
                 std::string(filled, '=').c_str(),
                 std::string(width - filled, ' ').c_str(), (long long)done,
                 (long long)total, unit, rate, unit, extra.c_str());
    std::fflush(stderr);
    drawn = true;
  }
  ~ProgressBar() {
    if (drawn)
      std::fprintf(stderr, "\n");
  }

private:
  int64_t total;
  bool enabled, tty, drawn = false;
  std::chrono::steady_clock::time_point start, lastLine;
};

/// The preprocessing options of every command that reads images
/// (torchvision's Resize, CenterCrop, ToTensor and Normalize).
struct ImageCliOptions {
  snnrt::ImagePreprocess pre;
  std::string crop, normalize, channelOrder = "rgb";
};
/// Registers --resize, --crop, --mean, --std, --normalize, --no-scale,
/// --channel-order and --layout.
void addImageOptions(CLI::App *cmd, ImageCliOptions &o);
/// The preprocessing the options describe; false after printing why not.
bool imagePreprocess(const ImageCliOptions &o, snnrt::ImagePreprocess &pre);
/// Opens split `split` of `data` for a network input of shape `input`
/// (read on demand); false after printing why not.
bool openImages(const std::string &data, const ImageCliOptions &o,
                const std::string &split, const snnrt::Shape &input,
                std::unique_ptr<snnrt::ImageSet> &out);

/// An MLIR context with our dialects, diagnostics to stderr, and the
/// network loaded from a file (null module on failure).
struct LoadedNetwork {
  mlir::DialectRegistry registry;
  std::unique_ptr<mlir::MLIRContext> context;
  llvm::SourceMgr sources;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> handler;
  mlir::OwningOpRef<mlir::ModuleOp> module;

  LoadedNetwork(const std::string &path, int threads) {
    if (threads > 0)
      snnrt::setNumThreads(threads);
    mlir::snnmlir::registerBridgeDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    // Errors name the file and location; no dump of the whole module.
    context->printOpOnDiagnostic(false);
    handler = std::make_unique<mlir::SourceMgrDiagnosticHandler>(sources,
                                                                 context.get());
    mlir::snnmlir::registerCompactDiagnostics(context.get(), sources);
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        mlir::snnmlir::readInputFile(path, error);
    if (buffer && !mlir::snnmlir::isONNXPath(path))
      error = mlir::snnmlir::checkNesting(buffer->getBuffer(), path);
    if (!error.empty()) {
      llvm::errs() << (buffer ? "" : "snn-run: ") << error << "\n";
      return;
    }
    sources.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    module = mlir::snnmlir::loadNetwork(sources, context.get());
  }
};

/// Command-line state shared by snn-run's training commands (finetune,
/// train): files, data, loop choices as strings, output control.
struct TrainCliOptions {
  std::string model, output, data = "fashion-mnist", method;
  std::string optimizer = "adam", schedule = "step", checkpoint;
  int threads = 0;
  bool json = false, progress = true;
  int64_t testLimit = 0; // evaluate on the test split afterwards (0: all)
  bool test = true;
  ImageCliOptions images;
};

/// Registers model, -o, --data and the training loop's options (epochs,
/// batch, optimizer, learning rate and schedule, seed, limit, validation,
/// checkpoint/resume, test evaluation, threads, JSON, progress).
void addTrainingOptions(CLI::App *cmd, TrainCliOptions &o,
                        snnrt::TrainingOptions &t);
/// Refuses, with a message, a checkpoint that is the input model or the
/// output, and an output or checkpoint that cannot be written: before the
/// first epoch, which would otherwise be lost.
bool checkTrainingOutputs(const TrainCliOptions &o);
/// Turns the string choices into `t` and defaults the checkpoint to
/// OUTPUT.ckpt.
void finishTrainingOptions(const TrainCliOptions &o, snnrt::TrainingOptions &t);

/// The progress bar (loss, accuracy) and one line per epoch.
class EpochPrinter {
public:
  EpochPrinter(const TrainCliOptions &o, int64_t epochs, int64_t validation)
      : o(o), epochs(epochs), validation(validation) {}
  snnrt::TrainCallbacks callbacks();

private:
  const TrainCliOptions &o;
  int64_t epochs, validation, barEpoch = 0;
  std::unique_ptr<ProgressBar> bar;
};

/// Loads split `split` ("train" or "test") of `data` whole (see
/// snnrt::openImageSet), preprocessed by `options` (default: none) for a
/// network input `input`; false after printing why not.
bool loadImages(const std::string &data, const std::string &split,
                snnrt::ImageDataset &out,
                const ImageCliOptions &options = ImageCliOptions(),
                const snnrt::Shape &input = snnrt::Shape());

/// Prints the module to `path` atomically (temporary file + rename); false
/// after printing why not.
bool writeModuleAtomically(mlir::ModuleOp module, const std::string &path);

/// The reports as a JSON array (for --json).
nlohmann::json epochsJson(const std::vector<snnrt::EpochReport> &reports);

/// `snn-run eval --engine jit`: runs the first `total` images of `data`
/// through the CPU backend's generated code (JIT-compiled), one state per
/// thread; `correct[k]` gets the right answers after steps[k] steps (steps
/// ascending), `stats` the spikes of each spiking layer and
/// `compileSeconds` the time the JIT took. False after printing why not.
bool evalWithJit(mlir::ModuleOp module, const std::string &model,
                 const snnrt::SampleSource &data, int64_t total,
                 const std::vector<int64_t> &steps, bool progress,
                 std::vector<int64_t> &correct,
                 std::vector<snnrt::LayerStats> &stats, double &compileSeconds);

/// `snn-run events emulate|info` (tools/snn-run/Events.cpp).
struct EventsOptions {
  std::string action; // emulate or info
  // emulate
  std::string data = "fashion-mnist", split = "test", output;
  int64_t limit = 0;
  snnrt::SaccadeOptions saccades;
  bool overwrite = false, json = false, progress = true;
  int threads = 0;
  // info
  std::string path;
  int64_t bins = 0;
  bool byCount = false;
};
CLI::App *addEventsCommand(CLI::App &app, EventsOptions &options);

struct EmulatedCounts {
  int64_t written = 0, kept = 0, events = 0;
};
/// Records the first `limit` images (0: all) of split `split` ("train" or
/// "test") of `data` as saccade event streams into OUTPUT/{Train,Test}/
/// LABEL/NNNNN.bin (N-MNIST's format), keeping files written before unless
/// `overwrite`. False after printing why not.
bool emulateSplit(const std::string &data, const std::string &split,
                  int64_t limit, const std::string &output,
                  const snnrt::SaccadeOptions &saccades, bool overwrite,
                  bool progress, EmulatedCounts &counts);
int runEvents(const EventsOptions &options);

struct FinetuneOptions : TrainCliOptions {
  FinetuneOptions() { method = "stdb"; }
  snnrt::FineTuneOptions tune;
};
/// Registers `snn-run finetune` (tools/snn-run/Finetune.cpp).
CLI::App *addFinetuneCommand(CLI::App &app, FinetuneOptions &options);
int runFinetune(const FinetuneOptions &options);

struct TrainOptions : TrainCliOptions {
  TrainOptions() { method = "ttfs"; }
  snnrt::ttfs::TrainOptions train;
  std::string reg = "none", init = "module";
  float initScale = 1.0f, initMean = 0.2f;
  // --method bpsta (BPTT on event data, tools/snn-run/Bpsta.cpp)
  std::string adjust = "full", loss = "mse", binBy = "count";
  float kappa = 0.2f, width = 0.5f, initNorm = 0.0f;
  std::string batchNorm = "on";
  int64_t timesteps = 0; // an ONNX model's T (0: 16)
  int64_t sensor = 0;
  CLI::App *command = nullptr; // to tell given options from defaults
};
/// `snn-run train --method bpsta`.
int runBpsta(const TrainOptions &options);

/// The folder of the event data set `spec` names (nmnist:DIR, aedat:DIR, or
/// emulated-fashion-mnist, whose first `limit` samples (0: all) of `split`
/// are emulated into the cache first when missing) and its sensor size
/// (`sensorOption`, else the format's). False after printing why not.
bool eventDataDirectory(const std::string &spec, int64_t sensorOption,
                        const std::string &split, int64_t limit, bool progress,
                        std::string &dir, int64_t &sensor);
/// Binning of a sensor's events into the frames of a network input
/// N×T×2×H×W (downsampled to H×W). False after printing why not.
bool eventBins(const snnrt::Shape &input, int64_t sensor, bool byCount,
               const std::string &model, snnrt::BinOptions &bins);
/// Registers `snn-run train` (tools/snn-run/Train.cpp).
CLI::App *addTrainCommand(CLI::App &app, TrainOptions &options);
int runTrain(const TrainOptions &options);

/// `snn-run eval` of a TTFS network (continuous time): accuracy, spikes per
/// neuron per layer, mean output spike time (tools/snn-run/Train.cpp).
int evalTtfs(mlir::ModuleOp module, const std::string &model,
             const std::string &data, const ImageCliOptions &imageOptions,
             const std::string &split, int64_t limit, int64_t batch, bool json,
             double minAccuracy);

/// `snn-run infer` (tools/snn-run/Infer.cpp).
struct InferOptions {
  std::string model;
  std::vector<std::string> inputs, outputs;
  int64_t timesteps = 0;
  int threads = 0;
  bool stats = false;
};
CLI::App *addInferCommand(CLI::App &app, InferOptions &options);
int runInfer(const InferOptions &options);

} // namespace snnrun

#endif // SNN_MLIR_TOOLS_SNN_RUN_COMMON_H
