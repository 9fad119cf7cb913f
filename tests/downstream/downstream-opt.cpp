// A minimal downstream tool: registers the snn-mlir dialects, parses a
// module and runs one of our passes through the C++ API.
#include "dialect/Dialects.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: downstream-opt FILE.mlir\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  mlir::snnmlir::registerDialects(registry);
  registry.insert<mlir::func::FuncDialect>();
  mlir::MLIRContext context(registry);

  llvm::SourceMgr sources;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], sources, &context);
  if (!module)
    return 1;

  mlir::PassManager pm(&context);
  pm.addPass(mlir::snnmlir::createSNNReport());
  return mlir::failed(pm.run(*module)) ? 1 : 0;
}
