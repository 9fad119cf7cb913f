//===- bridge-fuzzer.cpp - libFuzzer target for the MLIR-to-runtime bridges
//===//
//
// Parses the input as MLIR (our dialects and func; the verifiers run), then
// hands every function to the consumers of the IR: the nn bridge (and the
// ANN executor), the snn bridge (and a few simulated steps), the TTFS
// bridge (and its exact simulator) and the CPU backend's planner, each on a
// one-sample zero input of the declared shape when the network is small.
// Verified IR must never crash a consumer: what one cannot take, it must
// refuse with a diagnostic.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/NetworkPlan.h"
#include "runtime/ann/Executor.h"
#include "runtime/mlir-bridge/NNToRuntime.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"
#include "runtime/mlir-bridge/TtfsToRuntime.h"
#include "runtime/sim/Simulator.h"
#include "runtime/ttfs/Ttfs.h"
#include "tests/fuzz/FuzzContext.h"
#include "tools/support/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

/// A batch of one zero sample for `shape` (-1 dimensions become 1); empty
/// when the network is too large to run per input.
snnrt::Tensor zeroSample(const snnrt::Shape &shape) {
  snnrt::Shape s = shape;
  int64_t n = 1;
  for (int64_t &d : s) {
    d = d < 0 ? 1 : d;
    n *= d;
    if (n > (1 << 16))
      return snnrt::Tensor();
  }
  return snnrt::Tensor(s);
}

bool small(const snnrt::Tensor &t) { return t.rank() > 0; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    mlir::snnmlir::registerBridgeDialects(registry);
    return snnfuzz::quietContext(registry);
  }();
  // MLIR's lexer reads the NUL after the buffer, as files and tools give
  // it; libFuzzer's bytes end without one.
  std::string text(reinterpret_cast<const char *>(data), size);
  // What the tools refuse before parsing (MLIR's parser has no depth limit
  // of its own and overflows the stack on deep nesting).
  if (!mlir::snnmlir::checkNesting(text, "fuzz.mlir").empty())
    return 0;
  mlir::ParserConfig config(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config);
  if (!module)
    return 0;
  for (auto fn : module->getOps<mlir::func::FuncOp>()) {
    if (fn.isExternal())
      continue;
    llvm::StringRef name = fn.getSymName();
    (void)mlir::snnmlir::cpu::planNetwork(*module, name);
    if (mlir::snnmlir::isTtfsNetwork(*module, name)) {
      auto net = mlir::snnmlir::buildTtfsNetwork(*module, name);
      if (mlir::failed(net) || !net->validate().empty() ||
          net->layers.empty() || net->layers.front().in > (1 << 16))
        continue;
      std::vector<float> x(size_t(net->layers.front().in), 0.5f);
      int32_t label = 0;
      (void)snnrt::ttfs::run(*net, x.data(), &label, 1,
                             snnrt::ttfs::LossOptions(), nullptr);
      continue;
    }
    if (mlir::snnmlir::isSpikingNetwork(*module, name)) {
      auto net = mlir::snnmlir::buildSpikingNetwork(*module, name);
      if (mlir::failed(net) || net->inputShapes.size() != 1)
        continue;
      snnrt::Tensor x = zeroSample(net->inputShapes[0]);
      if (!small(x))
        continue;
      snnrt::SimOptions so;
      so.timesteps = std::min<int64_t>(net->timesteps, 4);
      snnrt::SimResult r;
      (void)snnrt::simulate(*net, {x}, so, r);
      continue;
    }
    auto graph = mlir::snnmlir::buildRuntimeGraph(*module, name);
    if (mlir::failed(graph) || graph->inputShapes.size() != 1)
      continue;
    snnrt::Tensor x = zeroSample(graph->inputShapes[0]);
    if (!small(x))
      continue;
    std::vector<snnrt::Tensor> out;
    (void)snnrt::execute(*graph, {x}, out);
  }
  return 0;
}
