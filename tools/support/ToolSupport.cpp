//===- ToolSupport.cpp - what snn-opt, snn-translate and snn-run share ----===//

#include "tools/support/ToolSupport.h"
#include "runtime/io/FatalErrors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <unistd.h>

using namespace mlir;

namespace {

void removeTemporaryFiles() { llvm::sys::RunInterruptHandlers(); }

/// A raw_ostream over a descriptor that records write errors instead of
/// reporting them as fatal (llvm::raw_fd_ostream does that when an error is
/// left unchecked), so that a failed write becomes a message and the
/// temporary file is removed.
class DescriptorStream : public llvm::raw_ostream {
public:
  explicit DescriptorStream(int fd) : fd(fd) {}
  ~DescriptorStream() override { flush(); }
  int error() const { return err; }

private:
  void write_impl(const char *p, size_t n) override {
    while (n > 0 && err == 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno != EINTR)
          err = errno;
        continue;
      }
      p += w;
      n -= size_t(w);
      pos += uint64_t(w);
    }
  }
  uint64_t current_pos() const override { return pos; }
  // Large outputs (printed weights, objects) in few system calls.
  size_t preferred_buffer_size() const override { return size_t(1) << 20; }

  int fd;
  int err = 0;
  uint64_t pos = 0;
};

constexpr size_t kLongLine = 300;     // longer source lines get an excerpt
constexpr size_t kExcerpt = 60;       // characters each side of the column
constexpr size_t kLongMessage = 4000; // longer messages are shortened

/// Line `line` (1-based) of `contents`; empty when there is none.
StringRef lineOf(StringRef contents, unsigned line) {
  size_t start = 0;
  for (unsigned l = 1; l < line; ++l) {
    size_t nl = contents.find('\n', start);
    if (nl == StringRef::npos)
      return {};
    start = nl + 1;
  }
  return contents.slice(start, contents.find('\n', start));
}

std::string shorten(const std::string &message) {
  if (message.size() <= kLongMessage)
    return message;
  return message.substr(0, kLongMessage / 2) + " ... [" +
         std::to_string(message.size() - kLongMessage / 2 - 200) +
         " characters elided] ... " + message.substr(message.size() - 200);
}

const char *severityName(DiagnosticSeverity s) {
  switch (s) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}

struct CompactPrinter {
  /// The contents of an input file, or an empty reference.
  std::function<StringRef(StringRef)> contentsOf;

  /// The location in a known input file, or null.
  FileLineColLoc locationOf(Location loc) const {
    FileLineColLoc f = loc->findInstanceOf<FileLineColLoc>();
    return f && contentsOf(f.getFilename().getValue()).data()
               ? f
               : FileLineColLoc();
  }
  StringRef lineAt(FileLineColLoc f) const {
    return lineOf(contentsOf(f.getFilename().getValue()), f.getLine());
  }
  bool isLong(Location loc, const std::string &message) const {
    if (message.size() > kLongMessage)
      return true;
    FileLineColLoc f = locationOf(loc);
    return f && lineAt(f).size() > kLongLine;
  }
  void print(llvm::raw_ostream &os, Location loc, DiagnosticSeverity severity,
             const std::string &message) const {
    FileLineColLoc f = loc->findInstanceOf<FileLineColLoc>();
    if (f)
      os << f.getFilename().getValue() << ":" << f.getLine() << ":"
         << f.getColumn() << ": ";
    os << severityName(severity) << ": " << shorten(message) << "\n";
    if (!(f = locationOf(loc)))
      return;
    StringRef line = lineAt(f);
    size_t col = f.getColumn() > 0 ? f.getColumn() - 1 : 0;
    col = std::min(col, line.size());
    size_t begin = col > kExcerpt ? col - kExcerpt : 0;
    size_t end = std::min(line.size(), col + kExcerpt);
    std::string lead = begin > 0 ? "..." : "";
    os << lead << line.slice(begin, end) << (end < line.size() ? "..." : "")
       << "\n"
       << std::string(lead.size() + col - begin, ' ') << "^\n";
  }
};

} // namespace

void mlir::snnmlir::initToolProcess(const char *toolName) {
  snnrt::TemporaryFileHooks hooks;
  hooks.made = [](const std::string &path) {
    llvm::sys::RemoveFileOnSignal(path);
  };
  hooks.gone = [](const std::string &path) {
    llvm::sys::DontRemoveFileOnSignal(path);
  };
  snnrt::setTemporaryFileHooks(hooks);
  snnrt::installFatalErrorHandlers(toolName, removeTemporaryFiles);
  llvm::install_bad_alloc_error_handler(
      [](void *, const char *, bool) {
        snnrt::exitOutOfMemory(
            "a request for more memory than the machine has");
      },
      nullptr);
}

std::unique_ptr<llvm::MemoryBuffer>
mlir::snnmlir::readInputFile(StringRef path, std::string &error,
                             std::optional<llvm::Align> alignment) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      path == "-" ? llvm::MemoryBuffer::getSTDIN()
                  : llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                                /*RequiresNullTerminator=*/true,
                                                /*IsVolatile=*/true, alignment);
  if (!buffer) {
    error = ("cannot read " + path + ": " + buffer.getError().message()).str();
    return nullptr;
  }
  return std::move(*buffer);
}

std::string mlir::snnmlir::checkReadable(StringRef path) {
  auto message = [&](std::error_code ec) {
    return ("cannot read " + path + ": " + ec.message()).str();
  };
  if (llvm::sys::fs::is_directory(path))
    return message(std::make_error_code(std::errc::is_a_directory));
  llvm::Expected<llvm::sys::fs::file_t> file =
      llvm::sys::fs::openNativeFileForRead(path);
  if (!file)
    return message(llvm::errorToErrorCode(file.takeError()));
  llvm::sys::fs::closeFile(*file);
  return "";
}

std::string mlir::snnmlir::checkNesting(StringRef text, StringRef fileName) {
  if (text.starts_with("ML\xefR")) // bytecode
    return "";
  int depth = 0;
  size_t lineStart = 0, line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      lineStart = i + 1;
    } else if (c == '"') { // a string: to its unescaped end
      size_t start = i;
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
      // MLIR 22's lexer reads past the end of the buffer after a string
      // that the file's end cuts off (in a truncated resource blob): say so
      // first.
      if (i >= text.size())
        return (fileName + ":" + Twine(line) + ":" +
                Twine(start - lineStart + 1) +
                ": error: string not terminated before the end of the file "
                "(is the file truncated?)")
            .str();
      if (text[i] == '\n')
        --i; // the newline is counted above
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      size_t end = text.find('\n', i);
      i = (end == StringRef::npos ? text.size() : end) - 1;
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth > kMaxNesting)
        return (fileName + ":" + Twine(line) + ":" + Twine(i - lineStart + 1) +
                ": error: brackets nested more than " + Twine(kMaxNesting) +
                " deep: refused before parsing (MLIR's parser recurses once "
                "per level and would run out of stack)")
            .str();
    } else if (c == ')' || c == ']' || c == '}') {
      depth = std::max(0, depth - 1);
    }
  }
  return "";
}

std::string mlir::snnmlir::ToolOutputFile::open(StringRef path) {
  if (std::string e = file.open(path.str()); !e.empty())
    return e;
  stream = std::make_unique<DescriptorStream>(file.descriptor());
  return "";
}

std::string mlir::snnmlir::ToolOutputFile::commit() {
  auto *s = static_cast<DescriptorStream *>(stream.get());
  s->flush();
  if (int err = s->error()) {
    file.discard();
    return std::string("cannot write the output: ") + std::strerror(err);
  }
  stream.reset();
  return file.commit();
}

static void registerCompact(MLIRContext *context, CompactPrinter printer) {
  context->getDiagEngine().registerHandler(
      [printer](Diagnostic &diag) -> LogicalResult {
        bool isLong = printer.isLong(diag.getLocation(), diag.str());
        for (Diagnostic &note : diag.getNotes())
          isLong |= printer.isLong(note.getLocation(), note.str());
        if (!isLong)
          return failure(); // the usual handler prints it
        printer.print(llvm::errs(), diag.getLocation(), diag.getSeverity(),
                      diag.str());
        for (Diagnostic &note : diag.getNotes())
          printer.print(llvm::errs(), note.getLocation(), note.getSeverity(),
                        note.str());
        return success();
      });
}

void mlir::snnmlir::registerCompactDiagnostics(MLIRContext *context,
                                               StringRef fileName,
                                               StringRef contents) {
  registerCompact(context, {[fileName, contents](StringRef file) {
                    return file == fileName ? contents : StringRef();
                  }});
}

void mlir::snnmlir::registerCompactDiagnostics(MLIRContext *context,
                                               const llvm::SourceMgr &sources) {
  registerCompact(context, {[&sources](StringRef file) {
                    for (unsigned i = 1; i <= sources.getNumBuffers(); ++i)
                      if (sources.getMemoryBuffer(i)->getBufferIdentifier() ==
                          file)
                        return sources.getMemoryBuffer(i)->getBuffer();
                    return StringRef();
                  }});
}
