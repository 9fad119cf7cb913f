//===- snn-translate.cpp - translations in and out of snn-mlir ------------===//
//
// Hosts the translations between MLIR and other formats: LLVM IR export for
// lowered networks, ONNX import, and the CPU backend's object files and C
// headers (--snn-to-object, --snn-to-c-header); NIR export registers here
// when it lands.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/CodeGen.h"
#include "frontend/onnx/ONNXImporter.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::snnmlir::registerONNXImportTranslation();
  mlir::registerToLLVMIRTranslation();
  mlir::snnmlir::cpu::registerCPUTranslations();
  return mlir::failed(mlir::mlirTranslateMain(
             argc, argv,
             "snn-translate: translations in and out of snn-mlir\n"))
             ? 1
             : 0;
}
