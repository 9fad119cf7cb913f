//===- FatalErrors.h - no aborts: fatal errors end in a message -*- C++ -*-===//
//
// An exception that nothing catches (std::bad_alloc when a request is larger
// than memory, or a defect) would end a tool with "terminate called ..."
// and SIGABRT. With these handlers it ends instead with one line on stderr
// and exit code 1, after `cleanup` (which removes temporary files), also
// when it escapes from a worker thread.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_IO_FATALERRORS_H
#define SNN_MLIR_RUNTIME_IO_FATALERRORS_H

#include <exception>
#include <string>

namespace snnrt {

/// What went wrong, for a message: "out of memory (...)" for
/// std::bad_alloc, "internal error: WHAT" for anything else.
std::string describeException(std::exception_ptr error);

/// Sets std::terminate's handler: prints "TOOL: " + describeException(...)
/// and exits with code 1 after `cleanup` (may be null).
void installFatalErrorHandlers(const char *tool, void (*cleanup)());

/// Prints "TOOL: out of memory ..." and exits with code 1 after the
/// cleanup given to installFatalErrorHandlers.
[[noreturn]] void exitOutOfMemory(const char *detail);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_IO_FATALERRORS_H
