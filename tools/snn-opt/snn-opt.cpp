//===- snn-opt.cpp - the snn-mlir optimizer driver ------------------------===//
//
// Runs our passes and the upstream ones we lower through on .mlir files.
// MLIR's own driver does the work; around it, this one keeps the promises
// of docs/reliability.md: the input is read in full before the output is
// touched, the output appears only when everything succeeded (temporary
// file + rename, so `snn-opt x.mlir -o x.mlir` is safe), an unwritable
// output is refused before any pass runs, and diagnostics on lines of
// megabytes (inline hex weights) show an excerpt instead of the line.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/CodeGen.h"
#include "backends/cpu/Passes.h"
#include "dialect/Dialects.h"
#include "dialect/NN/NNDialect.h"
#include "dialect/SNN/SNNDialect.h"
#include "passes/Passes.h"
#include "tools/support/ToolSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"

#include <cstdio>

namespace {

/// The input, for the compact-diagnostics handler that each context of
/// MLIR's driver gets when our dialects load (the driver makes the context
/// and the usual handler itself).
llvm::StringRef gInputName, gInputContents;
mlir::MLIRContext *gCompactContext = nullptr;

template <typename DialectT>
void addCompactDiagnostics(mlir::MLIRContext *context, DialectT *) {
  if (gCompactContext == context)
    return;
  gCompactContext = context;
  mlir::snnmlir::registerCompactDiagnostics(context, gInputName,
                                            gInputContents);
}

int fail(const std::string &message) {
  llvm::errs() << "snn-opt: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::snnmlir::initToolProcess("snn-opt");
  mlir::DialectRegistry registry;
  mlir::snnmlir::registerDialects(registry);
  registry.insert<mlir::func::FuncDialect, mlir::arith::ArithDialect,
                  mlir::tensor::TensorDialect, mlir::linalg::LinalgDialect,
                  mlir::scf::SCFDialect, mlir::memref::MemRefDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::cf::ControlFlowDialect, mlir::math::MathDialect,
                  mlir::LLVM::LLVMDialect>();

  mlir::snnmlir::registerSNNPasses();
  mlir::snnmlir::registerSNNPipelines();
  mlir::snnmlir::registerSNNCPUPasses();
  mlir::snnmlir::cpu::registerCPUPipelines();
  mlir::registerTransformsPasses(); // canonicalize, cse, inline, ...

  auto [inputPath, outputPath] = mlir::registerAndParseCLIOptions(
      argc, argv,
      "snn-opt: passes over the nn (ANN) and snn (spiking) dialects\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();

  mlir::snnmlir::ToolOutputFile output;
  if (std::string e = output.open(outputPath); !e.empty())
    return fail(e);
  if (inputPath == "-" &&
      llvm::sys::Process::FileDescriptorIsDisplayed(fileno(stdin)))
    llvm::errs() << "(reading the input from stdin: end it with Ctrl-D, or "
                    "interrupt with Ctrl-C)\n";
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::snnmlir::readInputFile(inputPath, error);
  if (!input)
    return fail(error);
  if (std::string e = mlir::snnmlir::checkNesting(input->getBuffer(),
                                                  input->getBufferIdentifier());
      !e.empty()) {
    llvm::errs() << e << "\n";
    return 1;
  }
  // Expected-diagnostic checks and split files keep MLIR's own handling.
  if (!config.shouldVerifyDiagnostics() && config.inputSplitMarker().empty()) {
    gInputName = input->getBufferIdentifier();
    gInputContents = input->getBuffer();
    registry.addExtension(+[](mlir::MLIRContext *c, mlir::nn::NNDialect *d) {
      addCompactDiagnostics(c, d);
    });
    registry.addExtension(+[](mlir::MLIRContext *c, mlir::snn::SNNDialect *d) {
      addCompactDiagnostics(c, d);
    });
  }
  if (mlir::failed(
          mlir::MlirOptMain(output.os(), std::move(input), registry, config)))
    return 1; // the output's temporary file is removed; no output changes
  if (std::string e = output.commit(); !e.empty())
    return fail(e);
  return 0;
}
