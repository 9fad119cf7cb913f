//===- snn-opt.cpp - the snn-mlir optimizer driver ------------------------===//
//
// Runs our passes and the upstream ones we lower through on .mlir files.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/CodeGen.h"
#include "backends/cpu/Passes.h"
#include "dialect/Dialects.h"
#include "passes/Passes.h"

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

int main(int argc, char **argv) {
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

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "snn-opt: passes over the nn (ANN) and snn (spiking) dialects\n",
      registry));
}
