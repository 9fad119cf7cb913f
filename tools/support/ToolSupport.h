//===- ToolSupport.h - what snn-opt, snn-translate and snn-run share -*- C++
//-*-===//
//
// The promises of docs/reliability.md, in one place for the three tools:
// outputs appear all at once or not at all (a temporary file renamed on
// success, removed on failure, on Ctrl-C and on fatal errors), inputs are
// read in full before anything is written (an input may be its own
// output), running out of memory ends in a message and exit code 1, and a
// diagnostic on a line of megabytes (inline hex weights) shows an excerpt.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_TOOLS_SUPPORT_TOOLSUPPORT_H
#define SNN_MLIR_TOOLS_SUPPORT_TOOLSUPPORT_H

#include "runtime/io/AtomicFile.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Alignment.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>

namespace mlir::snnmlir {

/// Sets up a tool's process: temporary files are removed on signals and
/// fatal errors, and out-of-memory (LLVM's handler or an uncaught
/// std::bad_alloc, on any thread) prints "TOOL: out of memory ..." and
/// exits with code 1.
void initToolProcess(const char *toolName);

/// The whole of `path` ("-": standard input) in memory, read (never
/// mapped, so that writing the output cannot pull the input from under the
/// parser); null with `error` set when it cannot be read.
std::unique_ptr<llvm::MemoryBuffer>
readInputFile(llvm::StringRef path, std::string &error,
              std::optional<llvm::Align> alignment = std::nullopt);

/// "" when `path` can be opened for reading and is not a folder, else the
/// message readInputFile would give.
std::string checkReadable(llvm::StringRef path);

/// The deepest bracket nesting ((, [, {) accepted in MLIR text: MLIR's
/// parser recurses once per level and runs out of stack at a few thousand
/// (a 20 KB file of brackets crashed it); real modules nest a few dozen.
constexpr int kMaxNesting = 1024;

/// Refuses MLIR text (not bytecode) whose brackets nest deeper than
/// kMaxNesting, before the parser sees it: "FILE:LINE:COL: error: ..." or
/// an empty string. Strings and comments are skipped.
std::string checkNesting(llvm::StringRef text, llvm::StringRef fileName);

/// An output written atomically (snnrt::AtomicOutputFile) through an
/// llvm::raw_ostream. open() creates the temporary file at once, so an
/// unwritable output fails before any work.
class ToolOutputFile {
public:
  std::string open(llvm::StringRef path);
  llvm::raw_ostream &os() { return *stream; }
  /// Flushes, checks the stream for write errors, renames into place.
  std::string commit();

private:
  snnrt::AtomicOutputFile file;
  std::unique_ptr<llvm::raw_ostream> stream;
};

/// Registers, on `context`, a handler for diagnostics located on lines of
/// `contents` (the file `fileName`) longer than a few hundred characters,
/// or with messages of megabytes: it prints them as the usual
/// `file:line:col: error: ...` with an excerpt of the line around the
/// column. Other diagnostics go to the handlers registered before it.
void registerCompactDiagnostics(MLIRContext *context, llvm::StringRef fileName,
                                llvm::StringRef contents);
/// The same for every buffer of `sources` (looked up when a diagnostic
/// comes; `sources` must outlive the context's use).
void registerCompactDiagnostics(MLIRContext *context,
                                const llvm::SourceMgr &sources);

} // namespace mlir::snnmlir

#endif // SNN_MLIR_TOOLS_SUPPORT_TOOLSUPPORT_H
