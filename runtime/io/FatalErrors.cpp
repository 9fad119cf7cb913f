//===- FatalErrors.cpp - no aborts: fatal errors end in a message ---------===//

#include "runtime/io/FatalErrors.h"

#include <cstdio>
#include <new>
#include <stdexcept>
#include <unistd.h>

namespace snnrt {

namespace {
const char *gTool = "snn-mlir";
void (*gCleanup)() = nullptr;

[[noreturn]] void finish(const std::string &message) {
  if (gCleanup)
    gCleanup();
  std::fprintf(stderr, "%s: %s\n", gTool, message.c_str());
  std::fflush(stderr);
  _exit(1);
}
} // namespace

std::string describeException(std::exception_ptr error) {
  try {
    if (error)
      std::rethrow_exception(error);
  } catch (const std::bad_alloc &) {
    return "out of memory: a request for more memory than the machine has "
           "(reduce the batch, the time steps or the data, or the model's "
           "size)";
  } catch (const std::length_error &e) {
    return std::string("out of memory: a size beyond what can be "
                       "allocated (") +
           e.what() + ")";
  } catch (const std::exception &e) {
    return std::string("internal error: ") + e.what() +
           " (please report it with the command that caused it)";
  } catch (...) {
  }
  return "internal error: an unknown exception (please report it with the "
         "command that caused it)";
}

void installFatalErrorHandlers(const char *tool, void (*cleanup)()) {
  gTool = tool;
  gCleanup = cleanup;
  std::set_terminate([] {
    std::exception_ptr error = std::current_exception();
    finish(error ? describeException(error)
                 : "internal error: terminated without an exception");
  });
}

void exitOutOfMemory(const char *detail) {
  finish(std::string("out of memory") + (detail && *detail ? ": " : "") +
         (detail ? detail : ""));
}

} // namespace snnrt
