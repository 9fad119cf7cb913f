//===- AtomicFile.cpp - all-or-nothing file writes ------------------------===//

#include "runtime/io/AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace snnrt {

std::string writeFileAtomically(const std::string &path,
                                const std::function<bool(FILE *)> &write) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    return "cannot write " + tmp + ": " + std::strerror(errno);
  bool ok = write(f);
  ok &= std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  ok &= std::fclose(f) == 0;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errno ? std::strerror(errno) : "write failed";
    std::remove(tmp.c_str());
    return "cannot write " + path + ": " + why;
  }
  return "";
}

} // namespace snnrt
