//===- AtomicFile.h - all-or-nothing file writes ----------------*- C++ -*-===//

#ifndef SNN_MLIR_RUNTIME_IO_ATOMICFILE_H
#define SNN_MLIR_RUNTIME_IO_ATOMICFILE_H

#include <cstdio>
#include <functional>
#include <string>

namespace snnrt {

/// Writes `path` through `write` into a temporary file next to it, flushes
/// and fsyncs it, then renames it over `path`: readers see the old file or
/// the complete new one, never a partial write (also after a crash or
/// kill -9). `write` returns false on failure. Returns an error message or
/// an empty string.
std::string writeFileAtomically(const std::string &path,
                                const std::function<bool(FILE *)> &write);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_IO_ATOMICFILE_H
