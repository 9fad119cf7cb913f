//===- AtomicFile.h - all-or-nothing file writes ----------------*- C++ -*-===//
//
// Every file a tool of ours writes goes through AtomicOutputFile: the data
// goes to a temporary file in the output's folder, which is flushed, synced
// and renamed over the output only once it is complete. A failed, killed or
// interrupted run leaves the previous file as it was (at worst a temporary
// `.NAME.tmp-*` file next to it), and an output that is also an input is
// read in full before it is replaced. Outputs that are not regular files
// (standard output as "-", /dev/null, a FIFO) are written directly: they
// cannot be replaced by a rename.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_IO_ATOMICFILE_H
#define SNN_MLIR_RUNTIME_IO_ATOMICFILE_H

#include <cstdio>
#include <functional>
#include <string>

namespace snnrt {

class AtomicOutputFile {
public:
  AtomicOutputFile() = default;
  AtomicOutputFile(const AtomicOutputFile &) = delete;
  AtomicOutputFile &operator=(const AtomicOutputFile &) = delete;
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicOutputFile();

  /// Creates the temporary file next to `path` (after following symbolic
  /// links, so that a link keeps pointing at the new file). Fails at once,
  /// before any work, when the folder does not exist or does not take new
  /// files. Returns an error message or an empty string.
  std::string open(const std::string &path);

  /// The open descriptor, or the stdio stream over it; use one of the two.
  int descriptor() const { return fd; }
  FILE *stream();

  /// The temporary file while open (empty when writing directly).
  const std::string &temporaryPath() const { return tmp; }

  /// Flushes and syncs the data, then renames the temporary file over the
  /// output. Returns an error message or an empty string.
  std::string commit();
  /// Closes and removes the temporary file; the output stays as it was.
  void discard();

private:
  std::string path, tmp;
  int fd = -1;
  FILE *file = nullptr;
  bool direct = false;
  bool ownsDescriptor = true;
};

/// Told of each temporary file when it is made and when it is gone (renamed
/// or removed). The tools register LLVM's RemoveFileOnSignal here, so that
/// an interrupt or a fatal error removes the temporary file as well.
struct TemporaryFileHooks {
  void (*made)(const std::string &path) = nullptr;
  void (*gone)(const std::string &path) = nullptr;
};
void setTemporaryFileHooks(const TemporaryFileHooks &hooks);

/// Writes `path` through `write` (which returns false on failure) with an
/// AtomicOutputFile. Returns an error message or an empty string.
std::string writeFileAtomically(const std::string &path,
                                const std::function<bool(FILE *)> &write);

/// Checks, before any long work, that `path` can be written: its folder
/// exists and takes a new file (a temporary probe file is made and removed)
/// and `path` itself is not a folder. Returns an error message or "".
std::string checkOutputPath(const std::string &path);

/// True when `a` and `b` name the same file: the same inode when both
/// exist, else the same absolute, normalized path.
bool sameFile(const std::string &a, const std::string &b);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_IO_ATOMICFILE_H
