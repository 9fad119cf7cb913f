//===- Jit.cpp - run a compiled snn network in-process --------------------===//

#include "backends/cpu/Jit.h"
#include "backends/cpu/NetworkPlan.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <cstring>

using namespace mlir;
using namespace mlir::snnmlir::cpu;

JitNetwork::~JitNetwork() = default;

FailureOr<std::unique_ptr<JitNetwork>>
JitNetwork::compile(ModuleOp module, const CodegenOptions &options) {
  FailureOr<NetworkPlan> plan = planNetwork(module, options.function);
  if (failed(plan))
    return failure();
  std::unique_ptr<JitNetwork> net(new JitNetwork());
  net->stateBytes_ = plan->stateBytes;
  net->inputSize_ = plan->inputSize;
  net->outputSize_ = plan->outputSize;
  net->timesteps_ = plan->timesteps;
  net->firstSpike_ = plan->ttfs != nullptr;
  for (const SpikingLayer &l : plan->spiking) {
    net->layerNames_.push_back(l.name);
    net->layerNeurons_.push_back(l.neurons);
  }

  OwningOpRef<ModuleOp> copy = cast<ModuleOp>(module->clone());
  if (failed(lowerToLLVMDialect(*copy, options)))
    return failure();
  // Optimise and generate code for this machine's CPU (vector widths, FMA),
  // as the object file for --snn-cpu=host is: the engine owns the target
  // machine, and builds the LLVM module through the same -O3 pipeline.
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine("host", error);
  if (!tm)
    return module.emitError() << "JIT: " << error;
  llvm::TargetMachine *machine = tm.get();
  // llvmModuleBuilder is a function_ref: the lambda must outlive create().
  auto buildModule = [machine](Operation *op, llvm::LLVMContext &context) {
    return translateAndOptimize(cast<ModuleOp>(op), context, *machine);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.llvmModuleBuilder = buildModule;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(*copy, engineOptions, std::move(tm));
  if (!engine) {
    std::string msg = llvm::toString(engine.takeError());
    return module.emitError() << "JIT compilation failed: " << msg;
  }
  net->engine_ = std::move(*engine);
  auto resolve = [&](const char *suffix, auto &fn) -> LogicalResult {
    std::string name = options.prefix + "_" + suffix;
    auto address = net->engine_->lookup(name);
    if (!address) {
      std::string msg = llvm::toString(address.takeError());
      return module.emitError() << "JIT: no symbol " << name << ": " << msg;
    }
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(*address);
    return success();
  };
  if (failed(resolve("reset", net->reset_)) ||
      failed(resolve("set_input", net->setInput_)) ||
      failed(resolve("step", net->step_)) ||
      failed(resolve("run", net->run_)) ||
      failed(resolve("read_output", net->readOutput_)) ||
      failed(resolve("layer_spikes", net->layerSpikes_)))
    return failure();
  return net;
}

void *JitNetwork::createState() const {
  size_t bytes = size_t((stateBytes_ + 63) / 64 * 64);
  void *s = std::aligned_alloc(64, bytes);
  if (s) {
    std::memset(s, 0, bytes);
    reset(s);
  }
  return s;
}
