//===- snn-run.cpp - simulate, evaluate and (later) train networks --------===//
//
//   snn-run eval MODEL --data fashion-mnist [--limit N] [--batch B] [--json]
//
// MODEL is an .mlir file in the nn dialect or an ONNX model (.onnx,
// .onnxtext), imported on the fly. Exit codes: 0 success, 1 error (bad
// model, missing data), 2 bad command line, 3 accuracy below --min-accuracy.
//
//===----------------------------------------------------------------------===//

#include "runtime/ann/Executor.h"
#include "runtime/data/IDX.h"
#include "runtime/mlir-bridge/NNToRuntime.h"
#include "runtime/tensor/Parallel.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace {

struct EvalOptions {
  std::string model;
  std::string data = "fashion-mnist";
  std::string split = "test";
  int64_t limit = 0;
  int64_t batch = 256;
  int threads = 0;
  bool json = false;
  bool progress = true;
  double minAccuracy = -1.0;
  bool profile = false;
};

/// A one-line progress bar on stderr, only when stderr is a terminal.
class ProgressBar {
public:
  ProgressBar(int64_t total, bool enabled)
      : total(total), enabled(enabled && isatty(STDERR_FILENO)),
        start(std::chrono::steady_clock::now()) {}
  void update(int64_t done, const std::string &extra) {
    if (!enabled)
      return;
    double secs = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - start)
                      .count();
    int width = 30, filled = int(width * done / std::max<int64_t>(total, 1));
    std::fprintf(stderr, "\r[%s%s] %lld/%lld images, %.0f images/s %s",
                 std::string(filled, '=').c_str(),
                 std::string(width - filled, ' ').c_str(), (long long)done,
                 (long long)total, secs > 0 ? done / secs : 0.0, extra.c_str());
    std::fflush(stderr);
  }
  ~ProgressBar() {
    if (enabled)
      std::fprintf(stderr, "\n");
  }

private:
  int64_t total;
  bool enabled;
  std::chrono::steady_clock::time_point start;
};

/// Reshapes a batch of N×1×H×W images to what the model's input expects.
bool fitInput(const snnrt::Shape &want, snnrt::Tensor &batch) {
  int64_t n = batch.shape[0], per = batch.size() / std::max<int64_t>(n, 1);
  if (want.size() == 2 && (want[1] < 0 || want[1] == per)) {
    batch.shape = {n, per};
    return true;
  }
  if (want.size() == 3 && batch.shape.size() == 4) {
    batch.shape = {n, batch.shape[2], batch.shape[3]};
    return (want[1] < 0 || want[1] == batch.shape[1]) &&
           (want[2] < 0 || want[2] == batch.shape[2]);
  }
  if (want.size() != batch.shape.size())
    return false;
  for (size_t d = 1; d < want.size(); ++d)
    if (want[d] >= 0 && want[d] != batch.shape[d])
      return false;
  return true;
}

int runEval(const EvalOptions &opt) {
  if (opt.threads > 0)
    snnrt::setNumThreads(opt.threads);

  mlir::DialectRegistry registry;
  mlir::snnmlir::registerBridgeDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sources;
  mlir::SourceMgrDiagnosticHandler handler(sources, &context);
  auto module = mlir::snnmlir::loadNetwork(opt.model, &context);
  if (!module)
    return 1;
  auto graph = mlir::snnmlir::buildRuntimeGraph(*module);
  if (mlir::failed(graph))
    return 1;
  if (graph->inputs.size() != 1 || graph->outputs.size() != 1) {
    llvm::errs() << "snn-run: " << opt.model
                 << ": eval needs a network with one input and one output\n";
    return 1;
  }

  std::string dir = opt.data == "fashion-mnist" ? snnrt::kFashionMNISTDir
                                                : opt.data;
  snnrt::ImageDataset data;
  if (std::string e = snnrt::loadMNISTLike(dir, opt.split, data); !e.empty()) {
    llvm::errs() << "snn-run: " << e
                 << " (Fashion-MNIST comes with Debian's dataset-fashion-mnist)\n";
    return 1;
  }
  int64_t total = data.images.dim(0);
  if (opt.limit > 0)
    total = std::min(total, opt.limit);
  const snnrt::Shape &want = graph->inputShapes[0];
  int64_t batchSize = want.empty() || want[0] < 0 ? opt.batch : want[0];
  int64_t perImage = data.images.size() / data.images.dim(0);

  auto start = std::chrono::steady_clock::now();
  int64_t correct = 0, done = 0;
  std::vector<double> opSeconds;
  ProgressBar bar(total, opt.progress && !opt.json);
  while (done < total) {
    int64_t n = std::min(batchSize, total - done);
    if (!want.empty() && want[0] >= 0 && n != want[0])
      break; // a static-batch model cannot take the remainder
    snnrt::Tensor batch(
        {n, data.images.dim(1), data.images.dim(2), data.images.dim(3)},
        std::vector<float>(data.images.data.begin() + done * perImage,
                           data.images.data.begin() + (done + n) * perImage));
    if (!fitInput(want, batch)) {
      llvm::errs() << "snn-run: the model's input " << snnrt::formatShape(want)
                   << " does not take 28×28 images\n";
      return 1;
    }
    std::vector<snnrt::Tensor> out;
    if (std::string e = snnrt::execute(*graph, {batch}, out,
                                       opt.profile ? &opSeconds : nullptr);
        !e.empty()) {
      llvm::errs() << "snn-run: " << opt.model << ": " << e << "\n";
      return 1;
    }
    const snnrt::Tensor &logits = out[0];
    int64_t classes = logits.size() / n;
    for (int64_t i = 0; i < n; ++i) {
      const float *row = logits.ptr() + i * classes;
      int64_t best = std::max_element(row, row + classes) - row;
      correct += best == data.labels[done + i];
    }
    done += n;
    bar.update(done, "accuracy " +
                         std::to_string(100.0 * correct / done).substr(0, 5) +
                         " %");
  }
  double secs = std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  double accuracy = done ? 100.0 * correct / done : 0.0;
  if (opt.json) {
    nlohmann::json j = {{"model", opt.model},     {"data", dir},
                        {"split", opt.split},     {"images", done},
                        {"correct", correct},     {"accuracy", accuracy},
                        {"seconds", secs},        {"threads", snnrt::numThreads()},
                        {"images_per_second", secs > 0 ? done / secs : 0.0}};
    llvm::outs() << j.dump(2) << "\n";
  } else {
    llvm::outs() << llvm::format("ANN accuracy: %.2f %% (%lld/%lld) in %.2f s, "
                                 "%.0f images/s on %d threads\n",
                                 accuracy, (long long)correct, (long long)done,
                                 secs, secs > 0 ? done / secs : 0.0,
                                 snnrt::numThreads());
  }
  if (opt.profile) {
    llvm::errs() << "time per op (s):\n";
    for (size_t i = 0; i < opSeconds.size(); ++i)
      llvm::errs() << llvm::format("  %8.3f  %s\n", opSeconds[i],
                                   graph->nodes[i].name.c_str());
  }
  if (opt.minAccuracy >= 0 && accuracy < opt.minAccuracy) {
    llvm::errs() << "snn-run: accuracy " << accuracy << " % is below --min-accuracy "
                 << opt.minAccuracy << "\n";
    return 3;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"snn-run: simulate and evaluate networks of snn-mlir"};
  app.require_subcommand(1);

  EvalOptions eval;
  CLI::App *evalCmd = app.add_subcommand(
      "eval", "Classification accuracy of a network on an image data set");
  evalCmd->add_option("model", eval.model,
                      "Network: .mlir (nn dialect) or ONNX (.onnx, .onnxtext)")
      ->required();
  evalCmd->add_option("--data", eval.data,
                      "'fashion-mnist' (Debian's dataset-fashion-mnist) or a "
                      "folder of MNIST-style IDX files")
      ->capture_default_str();
  evalCmd->add_option("--split", eval.split, "train or test")
      ->capture_default_str();
  evalCmd->add_option("--limit", eval.limit,
                      "Evaluate only the first N images (0: all)");
  evalCmd->add_option("--batch", eval.batch, "Images per batch")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  evalCmd->add_option("--threads", eval.threads,
                      "Worker threads (default: all cores)");
  evalCmd->add_flag("--json", eval.json, "Print one JSON object instead of text");
  evalCmd->add_flag("!--no-progress", eval.progress,
                    "No progress bar (it only shows on a terminal anyway)");
  evalCmd->add_flag("--profile", eval.profile,
                    "Print the time spent in each op (to stderr)");
  evalCmd->add_option("--min-accuracy", eval.minAccuracy,
                      "Exit with code 3 when accuracy (%) is below this");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (evalCmd->parsed())
    return runEval(eval);
  return 2;
}
