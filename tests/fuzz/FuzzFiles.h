//===- FuzzFiles.h - fuzz inputs as files for the file readers -*- C++ -*-===//
//
// The readers under test take paths; a harness writes each input to a file
// in a private temporary folder first.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_TESTS_FUZZ_FUZZFILES_H
#define SNN_MLIR_TESTS_FUZZ_FUZZFILES_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace snnfuzz {

/// A folder of this process's own, made once.
inline const std::string &scratchFolder() {
  static std::string dir = [] {
    const char *base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base && *base ? base : "/tmp") + "/snn-fuzz-XXXXXX";
    if (!mkdtemp(pattern.data()))
      std::abort();
    return pattern;
  }();
  return dir;
}

/// Writes `size` bytes to scratchFolder()/name and returns the path.
inline std::string writeScratch(const std::string &name, const uint8_t *data,
                                size_t size) {
  std::string path = scratchFolder() + "/" + name;
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    std::abort();
  if (size && std::fwrite(data, 1, size, f) != size)
    std::abort();
  std::fclose(f);
  return path;
}

} // namespace snnfuzz

#endif // SNN_MLIR_TESTS_FUZZ_FUZZFILES_H
