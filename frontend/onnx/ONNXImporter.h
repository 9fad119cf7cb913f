//===- ONNXImporter.h - ONNX models into the nn dialect ---------*- C++ -*-===//
//
// The public face of the importer. It carries no ONNX or protobuf headers, so
// tools and downstream code include it with LLVM's usual flags.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_FRONTEND_ONNX_ONNXIMPORTER_H
#define SNN_MLIR_FRONTEND_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::snnmlir {

struct ONNXImportOptions {
  /// Default-domain opset the builders implement; older and newer models are
  /// converted to it with onnx::version_conversion first.
  int64_t targetOpset = 17;
  /// Constants with more bytes than this become dense_resource blobs.
  int64_t resourceThresholdBytes = 64 * 1024;
  /// Folder that external-data paths are relative to ("" = working folder).
  std::string modelDir;
  /// Import float constants that hold NaN or infinities (marked
  /// allow_nonfinite); by default they are an error naming the tensor.
  bool allowNonFinite = false;
};

/// Imports an ONNX model given as the bytes of a binary ModelProto, or as
/// ONNX text syntax when `isText`, into a module with `func.func @main` in the
/// `nn` dialect. `sourceName` names the model in diagnostics. On failure,
/// emits one error naming the node (and op type and opset) and returns null.
OwningOpRef<ModuleOp> importONNXModel(StringRef bytes, StringRef sourceName,
                                      bool isText,
                                      const ONNXImportOptions &options,
                                      MLIRContext *context);

/// Imports the model in the file at `path` (binary or text). A binary model
/// is parsed from the file as a stream and its large weights are moved into
/// the module's resource blobs, so that they are held once in memory.
OwningOpRef<ModuleOp> importONNXFile(StringRef path,
                                     const ONNXImportOptions &options,
                                     MLIRContext *context);

/// The `--import-onnx` translation on a file (its command-line options, and
/// text or bytecode output), for drivers that would rather not read the
/// model into memory first: see importONNXFile.
LogicalResult translateONNXFile(StringRef path, llvm::raw_ostream &output,
                                MLIRContext *context);

/// True when `bytes` look like ONNX text syntax rather than a protobuf.
bool looksLikeONNXText(StringRef bytes, StringRef sourceName);

/// Registers `--import-onnx` with mlir-translate-style tools.
void registerONNXImportTranslation();

} // namespace mlir::snnmlir

#endif // SNN_MLIR_FRONTEND_ONNX_ONNXIMPORTER_H
