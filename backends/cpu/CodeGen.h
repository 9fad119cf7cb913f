//===- CodeGen.h - snn networks to objects, headers and JIT -----*- C++ -*-===//
//
// The CPU backend's entry points: the `convert-snn-to-llvm` pipeline
// (snn-lower-to-step, then upstream conversions to the LLVM dialect), an
// object file for a target CPU, the C header that documents and declares the
// generated API, and the snn-translate translations that wrap them.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_BACKENDS_CPU_CODEGEN_H
#define SNN_MLIR_BACKENDS_CPU_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir::snnmlir::cpu {

struct CodegenOptions {
  std::string prefix = "snn_model"; // C identifier prefix of the API
  std::string function = "main";    // the network function
  std::string cpu = "host";         // LLVM CPU name, or "host"
  bool fma = true;
};

/// snn-lower-to-step followed by the upstream lowering to the LLVM dialect
/// (bare-pointer calling convention: every memref argument is a pointer).
void buildSNNToLLVMPipeline(OpPassManager &pm, const CodegenOptions &options);
/// Registers `convert-snn-to-llvm` with snn-opt.
void registerCPUPipelines();

/// Lowers `module` (an snn network) in place to the LLVM dialect; functions
/// other than `options.function` are erased.
LogicalResult lowerToLLVMDialect(ModuleOp module,
                                 const CodegenOptions &options);

/// A target machine for `cpu` ("host": this machine's CPU and features), or
/// null with `error` set.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(llvm::StringRef cpu,
                                                         std::string &error);

/// Translates `lowered` (LLVM dialect) to LLVM IR for `tm` and optimises it
/// at -O3 for that machine; null after an error on the module.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp lowered,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &tm);

/// Compiles the snn network in `module` (left unchanged) to an ELF object
/// with the API functions, optimised at -O3 for `options.cpu`.
LogicalResult emitObject(ModuleOp module, const CodegenOptions &options,
                         llvm::raw_ostream &os);

/// Writes the C header of the network in `module`: the documented API, the
/// state size, input and output sizes and the spiking layers' names.
LogicalResult emitHeader(ModuleOp module, const CodegenOptions &options,
                         llvm::raw_ostream &os);

/// Registers `--snn-to-object` and `--snn-to-c-header`
/// with snn-translate (options --snn-prefix, --snn-cpu, --snn-function).
void registerCPUTranslations();

} // namespace mlir::snnmlir::cpu

#endif // SNN_MLIR_BACKENDS_CPU_CODEGEN_H
