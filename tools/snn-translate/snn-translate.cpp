//===- snn-translate.cpp - translations in and out of snn-mlir ------------===//
//
// Hosts the translations between MLIR and other formats: LLVM IR export for
// lowered networks, ONNX import, and the CPU backend's object files and C
// headers (--snn-to-object, --snn-to-c-header); NIR export registers here
// when it lands.
//
// The driver is ours rather than MLIR's mlirTranslateMain so that it keeps
// the promises of docs/reliability.md: the input is read in full, the
// output appears only after the translation succeeded (temporary file +
// rename, so an input may be its own output and a failure leaves an
// existing output as it was), an unwritable output is refused before any
// work, and diagnostics on lines of megabytes show an excerpt.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/CodeGen.h"
#include "frontend/onnx/ONNXImporter.h"
#include "tools/support/ToolSupport.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllTranslations.h"
#include "mlir/Support/Timing.h"
#include "mlir/Support/ToolUtilities.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  snnmlir::initToolProcess("snn-translate");
  snnmlir::registerONNXImportTranslation();
  registerToLLVMIRTranslation();
  snnmlir::cpu::registerCPUTranslations();

  static llvm::cl::opt<std::string> inputPath(llvm::cl::Positional,
                                              llvm::cl::desc("<input file>"),
                                              llvm::cl::init("-"));
  static llvm::cl::opt<std::string> outputPath(
      "o", llvm::cl::desc("Output file (written atomically)"),
      llvm::cl::value_desc("filename"), llvm::cl::init("-"));
  static llvm::cl::opt<std::string> splitMarker(
      "split-input-file", llvm::cl::ValueOptional,
      llvm::cl::callback([](const std::string &marker) {
        if (marker.empty())
          splitMarker.setValue(kDefaultSplitMarker);
      }),
      llvm::cl::desc("Split the input into chunks at the given (or the "
                     "default '// -----') marker and translate each alone"),
      llvm::cl::init(""));
  static llvm::cl::opt<bool> verifyDiagnostics(
      "verify-diagnostics",
      llvm::cl::desc("Check that the diagnostics match the expected-* "
                     "comments of the input"),
      llvm::cl::init(false));
  llvm::cl::opt<const Translation *, false, TranslationParser> translation(
      "", llvm::cl::desc("Translation to perform"), llvm::cl::Required);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerTranslationCLOptions();
  registerDefaultTimingManagerCLOptions();
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "snn-translate: translations in and out of snn-mlir\n");

  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();

  auto fail = [](const std::string &message) {
    llvm::errs() << "snn-translate: " << message << "\n";
    return 1;
  };
  snnmlir::ToolOutputFile output;
  if (std::string e = output.open(outputPath); !e.empty())
    return fail(e);
  // Every translation but the ONNX importer parses MLIR text.
  bool importsONNX = llvm::any_of(
      llvm::ArrayRef(argv + 1, argv + argc), [](llvm::StringRef arg) {
        return arg == "--import-onnx" || arg == "-import-onnx";
      });
  // A model file is imported as a stream: its bytes are never held twice
  // (a 500 MB model would otherwise be in memory as the file, the parsed
  // protobuf and the module's weights at once).
  if (importsONNX && inputPath != "-" && splitMarker.empty() &&
      !verifyDiagnostics) {
    if (std::string e = snnmlir::checkReadable(inputPath); !e.empty())
      return fail(e);
    MLIRContext context;
    llvm::SourceMgr sources;
    // Diagnostics name the model's file: an empty buffer of that name keeps
    // the handler from loading the file to show a line.
    sources.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer("", inputPath),
                               llvm::SMLoc());
    SourceMgrDiagnosticHandler handler(sources, &context);
    snnmlir::registerCompactDiagnostics(&context, inputPath, "");
    TimingScope scope = timing.nest(translation->getDescription());
    if (failed(snnmlir::translateONNXFile(inputPath, output.os(), &context)))
      return 1;
    if (std::string e = output.commit(); !e.empty())
      return fail(e);
    return 0;
  }
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = snnmlir::readInputFile(
      inputPath, error, translation->getInputAlignment());
  if (!input)
    return fail(error);
  if (!importsONNX)
    if (std::string e = snnmlir::checkNesting(input->getBuffer(),
                                              input->getBufferIdentifier());
        !e.empty()) {
      llvm::errs() << e << "\n";
      return 1;
    }

  bool compact = !verifyDiagnostics && splitMarker.empty();
  auto translateChunk = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                            llvm::raw_ostream &os) -> LogicalResult {
    // Translations may expect a terminating NUL, which chunks lack.
    if (!chunk->getBuffer().ends_with('\0'))
      chunk = llvm::MemoryBuffer::getMemBufferCopy(
          chunk->getBuffer(), chunk->getBufferIdentifier());
    MLIRContext context;
    context.printOpOnDiagnostic(!verifyDiagnostics);
    auto sources = std::make_shared<llvm::SourceMgr>();
    llvm::StringRef name = chunk->getBufferIdentifier(),
                    contents = chunk->getBuffer();
    sources->AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
    TimingScope scope = timing.nest(translation->getDescription());
    if (verifyDiagnostics) {
      SourceMgrDiagnosticVerifierHandler handler(*sources, &context);
      (void)(*translation)(sources, os, &context);
      return handler.verify();
    }
    SourceMgrDiagnosticHandler handler(*sources, &context);
    if (compact)
      snnmlir::registerCompactDiagnostics(&context, name, contents);
    return (*translation)(sources, os, &context);
  };
  if (failed(splitAndProcessBuffer(std::move(input), translateChunk,
                                   output.os(), splitMarker, "")))
    return 1; // the temporary file is removed; an existing output stays
  if (std::string e = output.commit(); !e.empty())
    return fail(e);
  return 0;
}
