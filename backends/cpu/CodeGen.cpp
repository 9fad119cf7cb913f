//===- CodeGen.cpp - snn networks to objects and C headers ----------------===//

#include "backends/cpu/CodeGen.h"
#include "backends/cpu/NetworkPlan.h"
#include "backends/cpu/Passes.h"

#include "dialect/Dialects.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <cctype>

using namespace mlir;
using namespace mlir::snnmlir::cpu;

void mlir::snnmlir::cpu::buildSNNToLLVMPipeline(OpPassManager &pm,
                                                const CodegenOptions &o) {
  SNNLowerToStepOptions step;
  step.prefix = o.prefix;
  step.functionName = o.function;
  step.fma = o.fma;
  pm.addPass(createSNNLowerToStep(step));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  ConvertFuncToLLVMPassOptions func;
  func.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(func));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

namespace {
struct PipelineOptions : public PassPipelineOptions<PipelineOptions> {
  Option<std::string> prefix{*this, "prefix",
                             llvm::cl::desc("Prefix of the API names"),
                             llvm::cl::init("snn_model")};
  Option<std::string> function{*this, "function",
                               llvm::cl::desc("The network function"),
                               llvm::cl::init("main")};
  Option<bool> fma{*this, "fma",
                   llvm::cl::desc("Fused multiply-adds, as the runtime on "
                                  "FMA hardware"),
                   llvm::cl::init(true)};
};
} // namespace

void mlir::snnmlir::cpu::registerCPUPipelines() {
  PassPipelineRegistration<PipelineOptions>(
      "convert-snn-to-llvm",
      "Lower a discrete-time snn network to the LLVM dialect: "
      "snn-lower-to-step, then scf/memref/arith/math/func to LLVM with "
      "bare-pointer memref arguments",
      [](OpPassManager &pm, const PipelineOptions &p) {
        CodegenOptions o;
        o.prefix = p.prefix;
        o.function = p.function;
        o.fma = p.fma;
        buildSNNToLLVMPipeline(pm, o);
      });
}

LogicalResult mlir::snnmlir::cpu::lowerToLLVMDialect(ModuleOp module,
                                                     const CodegenOptions &o) {
  // One network per object: other functions (another network, helpers)
  // have no lowering to LLVM here and are left out.
  if (!module.lookupSymbol<func::FuncOp>(o.function))
    return module.emitError() << "no function @" << o.function
                              << " to compile (--snn-function names it)";
  for (func::FuncOp fn :
       llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (fn.getSymName() != o.function)
      fn.erase();
  PassManager pm(module.getContext());
  buildSNNToLLVMPipeline(pm, o);
  return pm.run(module);
}

std::unique_ptr<llvm::TargetMachine>
mlir::snnmlir::cpu::createTargetMachine(llvm::StringRef cpu,
                                        std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpuName = cpu.str(), features;
  if (cpu != "host") {
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, cpuName, ""));
    if (!info || !info->isCPUStringValid(cpuName)) {
      error = "unknown CPU '" + cpuName + "' for " + triple.str() +
              " (llc-22 -mcpu=help lists the names; 'host' is this machine)";
      return nullptr;
    }
  }
  if (cpu == "host") {
    cpuName = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures f;
    for (auto &kv : llvm::sys::getHostCPUFeatures())
      f.AddFeature(kv.getKey(), kv.getValue());
    features = f.getString();
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpuName, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    error = "no target machine for CPU '" + cpuName + "'";
  return tm;
}

std::unique_ptr<llvm::Module> mlir::snnmlir::cpu::translateAndOptimize(
    ModuleOp lowered, llvm::LLVMContext &llvmContext, llvm::TargetMachine &tm) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  lowered.getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(lowered, llvmContext, "snn-model");
  if (!llvmModule) {
    lowered.emitError() << "CPU backend: translation to LLVM IR failed";
    return nullptr;
  }
  // Triple and data layout first: the vectoriser sizes vectors by them.
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple());
  if (llvm::Error e = makeOptimizingTransformer(3, 0, &tm)(llvmModule.get())) {
    std::string msg = llvm::toString(std::move(e));
    lowered.emitError() << "CPU backend: LLVM optimisation failed: " << msg;
    return nullptr;
  }
  return llvmModule;
}

LogicalResult mlir::snnmlir::cpu::emitObject(ModuleOp module,
                                             const CodegenOptions &o,
                                             llvm::raw_ostream &os) {
  OwningOpRef<ModuleOp> copy = cast<ModuleOp>(module->clone());
  if (failed(lowerToLLVMDialect(*copy, o)))
    return failure();
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(o.cpu, error);
  if (!tm)
    return module.emitError() << "CPU backend: " << error;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(*copy, llvmContext, *tm);
  if (!llvmModule)
    return failure();
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::legacy::PassManager codegen;
  if (tm->addPassesToEmitFile(codegen, out, nullptr,
                              llvm::CodeGenFileType::ObjectFile))
    return module.emitError() << "CPU backend: the target cannot emit objects";
  codegen.run(*llvmModule);
  os.write(buffer.data(), buffer.size());
  return success();
}

namespace {
std::string cString(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}
} // namespace

LogicalResult mlir::snnmlir::cpu::emitHeader(ModuleOp module,
                                             const CodegenOptions &o,
                                             llvm::raw_ostream &os) {
  FailureOr<NetworkPlan> planned = planNetwork(module, o.function);
  if (failed(planned))
    return failure();
  const NetworkPlan &plan = *planned;
  const std::string &p = o.prefix;
  std::string P;
  for (char c : p)
    P += char(std::toupper(static_cast<unsigned char>(c)));
  os << "/* " << p << ".h: the C API of a spiking network compiled by "
     << "snn-mlir's CPU backend\n"
     << " * (snn-translate --snn-to-c-header). Generated: do not edit. C11 "
        "(or\n"
     << " * C++17: aligned_alloc).\n"
     << " *\n"
     << " * Link the object from `snn-translate --snn-to-object`; nothing "
        "else is needed\n"
     << " * at run time (no MLIR, no LLVM, no snn-mlir runtime).\n"
     << " *\n"
     << " * One state per sample being simulated; states are independent, so "
        "threads\n"
     << " * may run one state each. Typical use:\n"
     << " *\n"
     << " *   void *s = " << p << "_create();\n"
     << " *   " << p << "_set_input(s, image);   // " << P
     << "_INPUT_SIZE floats, NCHW\n"
     << " *   " << p << "_run(s, " << P << "_TIMESTEPS);\n"
     << " *   " << p << "_read_output(s, out);   // " << P
     << "_OUTPUT_SIZE floats\n"
     << " *   " << p << "_reset(s);              // before the next sample\n"
     << " *   " << p << "_free(s);\n"
     << " *\n"
     << " * Input: one sample of shape " << shapeText(plan.inputShape)
     << " (NCHW, the network's input without the batch).\n"
     << " * Output: " << shapeText(plan.outputShape) << " floats, "
     << (plan.ttfs ? "the output spike times (+inf: no spike); the class is "
                     "the argmin"
         : plan.spikeRateReadout
             ? "the output spike rates over the steps done; the class is "
               "the argmax"
             : "the accumulated output potentials (membrane readout); the "
               "class is the argmax")
     << ".\n";
  if (plan.ttfs)
    os << " * Time: continuous (TTFS, t_max = " << plan.ttfs->tMax
       << "): one step simulates the whole\n"
       << " * window exactly; every neuron fires at most once.\n";
  else
    os << " * Time: " << plan.timesteps
       << " steps as converted (any number may be run).\n";
  os << " */\n"
     << "#ifndef " << P << "_H\n#define " << P << "_H\n\n"
     << "#include <math.h>\n#include <stdint.h>\n#include <stdlib.h>\n#include "
        "<string.h>\n\n"
     << "#define " << P << "_TIMESTEPS " << plan.timesteps << "\n"
     << "#define " << P << "_INPUT_SIZE " << plan.inputSize << "\n"
     << "#define " << P << "_OUTPUT_SIZE " << plan.outputSize << "\n"
     << "#define " << P << "_NUM_SPIKING_LAYERS " << plan.spiking.size() << "\n"
     << "/* 1: the output is first-spike times (class = argmin), 0: a readout "
        "(argmax). */\n"
     << "#define " << P << "_FIRST_SPIKE_OUTPUT " << (plan.ttfs ? 1 : 0) << "\n"
     << "/* Bytes of one state; it must be 64-byte aligned. */\n"
     << "#define " << P << "_STATE_BYTES " << plan.stateBytes << "\n"
     << "/* Identifies the network; the object's " << p
     << "_model_hash() must return it. */\n"
     << "#define " << P << "_MODEL_HASH UINT64_C(0x"
     << llvm::utohexstr(plan.modelHash) << ")\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* Clears potentials, refractory and max-pool counters, readouts, "
        "the step\n   counter and the spike counts (the input is kept). */\n"
     << "void " << p << "_reset(void *state);\n"
     << "/* Copies one input sample (" << P << "_INPUT_SIZE floats, NCHW). */\n"
     << "void " << p << "_set_input(void *state, const float *input);\n"
     << "/* Advances every layer by one time step. */\n"
     << "void " << p << "_step(void *state);\n"
     << "/* Runs `steps` time steps. */\n"
     << "void " << p << "_run(void *state, int64_t steps);\n"
     << "/* Writes the readout (" << P << "_OUTPUT_SIZE floats). */\n"
     << "void " << p << "_read_output(void *state, float *output);\n"
     << "/* Writes the spikes of each spiking layer since reset (" << P
     << "_NUM_SPIKING_LAYERS\n   int64_t). */\n"
     << "void " << p << "_layer_spikes(void *state, int64_t *counts);\n"
     << "/* The hash of the network the object was compiled from. */\n"
     << "uint64_t " << p << "_model_hash(void);\n\n"
     << "/* Name and neurons per sample of spiking layer i (Poisson encoders "
        "and\n   neuron layers in program order). */\n"
     << "static inline const char *" << p << "_layer_name(int i) {\n"
     << "  static const char *const names[] = {";
  for (const SpikingLayer &l : plan.spiking)
    os << "\"" << cString(l.name) << "\", ";
  os << "0};\n  return i >= 0 && i < " << P
     << "_NUM_SPIKING_LAYERS ? names[i] : 0;\n}\n"
     << "static inline int64_t " << p << "_layer_neurons(int i) {\n"
     << "  static const int64_t neurons[] = {";
  for (const SpikingLayer &l : plan.spiking)
    os << l.neurons << ", ";
  os << "0};\n  return i >= 0 && i < " << P
     << "_NUM_SPIKING_LAYERS ? neurons[i] : 0;\n}\n\n"
     << "/* Steps run since the last reset. */\n"
     << "static inline int64_t " << p << "_steps_done(const void *state) {\n"
     << "  int64_t t;\n  memcpy(&t, (const char *)state + " << plan.stepsOffset
     << ", sizeof t);\n  return t;\n}\n\n"
     << "/* 1 when the object linked with this header was compiled from the "
        "same\n   network, 0 when they come from different networks (then "
     << p << "_create\n   refuses to make a state: the object's state would "
        "not fit). */\n"
     << "static inline int " << p << "_model_matches(void) {\n"
     << "  return " << p << "_model_hash() == " << P << "_MODEL_HASH;\n}\n\n"
     << "/* A new, reset state; NULL when out of memory, or when the object "
        "was\n   compiled from another network than this header (see "
     << p << "_model_matches). */\n"
     << "static inline void *" << p << "_create(void) {\n"
     << "  if (!" << p << "_model_matches())\n    return 0;\n"
     << "  void *s = aligned_alloc(64, (" << P
     << "_STATE_BYTES + 63) / 64 * 64);\n"
     << "  if (s) {\n    memset(s, 0, " << P << "_STATE_BYTES);\n    " << p
     << "_reset(s);\n  }\n  return s;\n}\n\n"
     << "static inline void " << p << "_free(void *state) { free(state); }\n\n"
     << "/* Resets, sets the input, runs `steps` steps and returns the "
        "class (the\n   argmax of the readout, or the earliest output spike: "
        "-1 when no output\n   neuron fires); `output` may be NULL. */\n"
     << "static inline int " << p
     << "_classify(void *state, const float "
        "*input,\n"
     << "                                  int64_t steps, float *output) {\n"
     << "  float local[" << P << "_OUTPUT_SIZE];\n"
     << "  float *o = output ? output : local;\n"
     << "  int best = 0;\n"
     << "  " << p << "_reset(state);\n"
     << "  " << p << "_set_input(state, input);\n"
     << "  " << p << "_run(state, steps);\n"
     << "  " << p << "_read_output(state, o);\n"
     << "#if " << P << "_FIRST_SPIKE_OUTPUT\n"
     << "  best = -1;\n"
     << "  for (int i = 0; i < " << P << "_OUTPUT_SIZE; ++i)\n"
     << "    if (o[i] < (best < 0 ? INFINITY : o[best]))\n"
     << "      best = i;\n"
     << "#else\n"
     << "  for (int i = 1; i < " << P << "_OUTPUT_SIZE; ++i)\n"
     << "    if (o[i] > o[best])\n      best = i;\n"
     << "#endif\n"
     << "  return best;\n}\n\n"
     << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* " << P
     << "_H */\n";
  return success();
}

void mlir::snnmlir::cpu::registerCPUTranslations() {
  static llvm::cl::OptionCategory category("CPU backend (--snn-to-object, "
                                           "--snn-to-c-header)");
  static llvm::cl::opt<std::string> prefix(
      "snn-prefix", llvm::cl::desc("C identifier prefix of the generated API"),
      llvm::cl::init("snn_model"), llvm::cl::cat(category));
  static llvm::cl::opt<std::string> cpu(
      "snn-cpu",
      llvm::cl::desc("Target CPU of the object file (LLVM name, or 'host')"),
      llvm::cl::init("host"), llvm::cl::cat(category));
  static llvm::cl::opt<bool> fma(
      "snn-fma",
      llvm::cl::desc("Fused multiply-adds in synapses and leaks (as the "
                     "runtime built for FMA hardware; false: multiply, then "
                     "add)"),
      llvm::cl::init(true), llvm::cl::cat(category));
  static llvm::cl::opt<std::string> function(
      "snn-function", llvm::cl::desc("The network function to compile"),
      llvm::cl::init("main"), llvm::cl::cat(category));
  auto options = [] {
    CodegenOptions o;
    o.prefix = prefix;
    o.cpu = cpu;
    o.fma = fma;
    o.function = function;
    return o;
  };
  auto dialects = [](DialectRegistry &registry) {
    snnmlir::registerDialects(registry);
    registry.insert<func::FuncDialect, LLVM::LLVMDialect>();
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
  };
  auto validPrefix = [](Operation *op, const std::string &p) {
    bool ok = !p.empty() && !std::isdigit(static_cast<unsigned char>(p[0]));
    for (char c : p)
      ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (!ok)
      op->emitError() << "--snn-prefix '" << p << "' is not a C identifier";
    return ok;
  };
  using Emit =
      LogicalResult (*)(ModuleOp, const CodegenOptions &, llvm::raw_ostream &);
  auto add = [&](StringRef name, StringRef description, Emit emit) {
    TranslateFromMLIRRegistration(
        name, description,
        [=](Operation *op, llvm::raw_ostream &os) -> LogicalResult {
          // Errors point at the op; the whole module would drown them.
          op->getContext()->printOpOnDiagnostic(false);
          CodegenOptions o = options();
          if (!validPrefix(op, o.prefix))
            return failure();
          return emit(cast<ModuleOp>(op), o, os);
        },
        dialects);
  };
  add("snn-to-object",
      "Compile an snn network (discrete time or TTFS) to an object file "
      "(CPU backend)",
      emitObject);
  add("snn-to-c-header",
      "Write the C header of the object that --snn-to-object generates",
      emitHeader);
}
