//===- Infer.cpp - snn-run infer: tensors in, tensors out -----------------===//
//
//   snn-run infer MODEL --input x.npy [--input ...] -o y.npy [-o ...]
//       [--timesteps T]
//
// Runs NumPy tensors through an nn module (the reference executor) or a
// discrete-time snn module (the simulator) and writes the outputs as .npy,
// as iree-run-module does: the way to check an import against the
// exporter's own output, or a conversion against its ANN.
//
//===----------------------------------------------------------------------===//

#include "runtime/ann/Executor.h"
#include "runtime/data/ImageFiles.h"
#include "runtime/io/AtomicFile.h"
#include "runtime/mlir-bridge/NNToRuntime.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"
#include "runtime/mlir-bridge/TtfsToRuntime.h"
#include "runtime/sim/Simulator.h"
#include "tools/snn-run/Common.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace snnrun {

CLI::App *addInferCommand(CLI::App &app, InferOptions &o) {
  CLI::App *cmd = app.add_subcommand(
      "infer",
      "Run NumPy tensors through a network and write its outputs as .npy: an "
      "nn module (or ONNX model) with the reference executor, an snn module "
      "with the simulator (outputs: the readouts after --timesteps steps)");
  cmd->add_option("model", o.model,
                  "Network: .mlir (nn or snn dialect) or ONNX (.onnx, "
                  ".onnxtext)")
      ->required();
  cmd->add_option("-i,--input", o.inputs,
                  "One .npy file per network input, in order (any integer or "
                  "float dtype, read as float32; the batch is the first "
                  "dimension)")
      ->required();
  cmd->add_option("-o,--output", o.outputs,
                  "One .npy file per network output, in order (float32)")
      ->required();
  cmd->add_option("--timesteps", o.timesteps,
                  "Spiking networks: steps to simulate (0: the network's T)")
      ->check(cli::integer(0, snnrt::kMaxTimesteps, "0: the network's T"));
  addThreadsOption(cmd, o.threads);
  cmd->add_flag("--stats", o.stats,
                "Print each output's shape, range and mean to stderr");
  return cmd;
}

int runInfer(const InferOptions &opt) {
  for (const std::string &out : opt.outputs) {
    for (const std::string &in : opt.inputs)
      if (snnrt::sameFile(in, out)) {
        llvm::errs() << "snn-run: output " << out << " is also an input\n";
        return 1;
      }
    if (std::string e = snnrt::checkOutputPath(out); !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
  }
  LoadedNetwork loaded(opt.model, opt.threads);
  auto &module = loaded.module;
  if (!module)
    return 1;
  if (mlir::snnmlir::isTtfsNetwork(*module)) {
    llvm::errs() << "snn-run: " << opt.model
                 << " is a TTFS network (continuous time): infer runs nn "
                    "modules and discrete-time snn modules\n";
    return 1;
  }
  bool spiking = mlir::snnmlir::isSpikingNetwork(*module);
  std::optional<snnrt::Graph> graph;
  std::optional<snnrt::Network> net;
  std::vector<snnrt::Shape> declared;
  size_t numOutputs = 0;
  if (spiking) {
    auto n = mlir::snnmlir::buildSpikingNetwork(*module);
    if (mlir::failed(n))
      return 1;
    net = std::move(*n);
    declared = net->inputShapes;
    numOutputs = net->outputs.size();
  } else {
    if (opt.timesteps > 0) {
      llvm::errs() << "snn-run: --timesteps applies to spiking networks; "
                   << opt.model << " is an ANN\n";
      return 1;
    }
    auto g = mlir::snnmlir::buildRuntimeGraph(*module);
    if (mlir::failed(g))
      return 1;
    graph = std::move(*g);
    declared = graph->inputShapes;
    numOutputs = graph->outputs.size();
  }
  if (opt.inputs.size() != declared.size()) {
    llvm::errs() << "snn-run: " << opt.model << " has " << declared.size()
                 << " input(s), " << opt.inputs.size() << " --input given\n";
    return 1;
  }
  if (opt.outputs.size() != numOutputs) {
    llvm::errs() << "snn-run: " << opt.model << " has " << numOutputs
                 << " output(s), " << opt.outputs.size() << " -o given\n";
    return 1;
  }
  std::vector<snnrt::Tensor> inputs;
  for (size_t i = 0; i < opt.inputs.size(); ++i) {
    snnrt::NpyArray a;
    if (std::string e = snnrt::openNpy(opt.inputs[i], a); !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    if (a.shape.empty()) {
      llvm::errs() << "snn-run: " << opt.inputs[i]
                   << ": a scalar; inputs have a batch dimension first\n";
      return 1;
    }
    if (std::string e = snnrt::checkMemory(double(a.elements()) * 4,
                                           "reading " + opt.inputs[i]);
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    snnrt::Tensor t = snnrt::Tensor::uninitialized(a.shape);
    if (std::string e = snnrt::readNpyElements(a, 0, a.elements(), t.ptr());
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    inputs.push_back(std::move(t));
  }
  if (std::string e = snnrt::checkInputShapes(declared, inputs); !e.empty()) {
    llvm::errs() << "snn-run: " << opt.model << ": " << e << "\n";
    return 1;
  }
  std::vector<snnrt::Tensor> outputs;
  std::string err;
  if (spiking) {
    snnrt::SimOptions so;
    so.timesteps = opt.timesteps > 0 ? opt.timesteps : net->timesteps;
    snnrt::SimResult r;
    err = snnrt::simulate(*net, inputs, so, r);
    if (err.empty())
      outputs = std::move(r.outputs.back());
  } else {
    err = snnrt::execute(*graph, inputs, outputs);
  }
  if (!err.empty()) {
    llvm::errs() << "snn-run: " << opt.model << ": " << err << "\n";
    return 1;
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    const snnrt::Tensor &t = outputs[k];
    if (opt.stats) {
      double lo = INFINITY, hi = -INFINITY, sum = 0;
      for (int64_t i = 0; i < t.size(); ++i) {
        lo = std::min<double>(lo, t.data[size_t(i)]);
        hi = std::max<double>(hi, t.data[size_t(i)]);
        sum += t.data[size_t(i)];
      }
      llvm::errs() << llvm::format(
          "output %zu: %s, min %.6g, max %.6g, mean %.6g\n", k,
          snnrt::formatShape(t.shape).c_str(), lo, hi,
          t.size() ? sum / double(t.size()) : 0.0);
    }
    if (std::string e = snnrt::writeNpy(opt.outputs[k], t.shape, t.ptr());
        !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
  }
  return 0;
}

} // namespace snnrun
