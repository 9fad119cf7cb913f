//===- import-onnx-fuzzer.cpp - libFuzzer target for the ONNX importer ----===//
//
// Feeds arbitrary bytes to the importer as a binary model and, when the bytes
// look like text, as ONNX text. Any outcome but a crash, a hang or an
// unbounded allocation is fine: errors must come back as diagnostics.
// Built by scripts/fuzz-importer.sh with clang and -fsanitize=fuzzer,address.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/ONNXImporter.h"
#include "tests/fuzz/FuzzContext.h"

#include "dialect/NN/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    registry.insert<mlir::nn::NNDialect, mlir::func::FuncDialect>();
    return snnfuzz::quietContext(registry);
  }();
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::snnmlir::ONNXImportOptions options;
  options.modelDir = "/nonexistent-fuzz-dir";
  bool text = mlir::snnmlir::looksLikeONNXText(bytes, "fuzz.onnx");
  auto module = mlir::snnmlir::importONNXModel(bytes, "fuzz.onnx", text,
                                               options, context);
  (void)module;
  return 0;
}
