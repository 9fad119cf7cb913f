//===- checkpoint-fuzzer.cpp - libFuzzer target for the checkpoint reader -===//
//
// Checkpoints end in a CRC-32 over everything before it, which random bytes
// never match: to reach the parser behind it, the harness usually frames
// the input as a checkpoint of this run (the magic, its fingerprint, the
// fuzzed blocks, a correct CRC). Every fourth input is read as it is. The
// reader must refuse anything that is not a checkpoint of these parameters
// with a message, allocate no more than the parameters need, and leave the
// parameters alone unless it succeeds.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzFiles.h"

#include "runtime/train/TrainLoop.h"

#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  static const std::string fingerprint = "fuzz run";
  std::vector<unsigned char> file;
  if (data[0] % 4 == 0) {
    file.assign(data + 1, data + size);
  } else {
    const char magic[] = "SNNCKPT2";
    file.insert(file.end(), magic, magic + 8);
    uint64_t len = fingerprint.size();
    const auto *l = reinterpret_cast<const unsigned char *>(&len);
    file.insert(file.end(), l, l + 8);
    file.insert(file.end(), fingerprint.begin(), fingerprint.end());
    file.insert(file.end(), data + 1, data + size);
    uint32_t crc = uint32_t(crc32(0L, file.data(), uInt(file.size())));
    const auto *c = reinterpret_cast<const unsigned char *>(&crc);
    file.insert(file.end(), c, c + 4);
  }
  std::string path =
      snnfuzz::writeScratch("run.ckpt", file.data(), file.size());

  std::vector<float> w(6, 0.5f), b(2, 0.25f);
  std::vector<snnrt::Parameter> params(2);
  params[0].name = "w";
  params[0].data = w.data();
  params[0].size = int64_t(w.size());
  params[1].name = "b";
  params[1].data = b.data();
  params[1].size = int64_t(b.size());
  snnrt::OptimizerOptions adam;
  snnrt::Optimizer opt(adam, params);
  std::vector<snnrt::EpochReport> reports;
  int64_t epochsDone = 0;
  bool found = false;
  std::string e = snnrt::loadCheckpoint(path, fingerprint, 3, epochsDone, opt,
                                        params, reports, found);
  if (!e.empty()) {
    // Refused: the parameters are as they were.
    for (float v : w)
      if (v != 0.5f)
        std::abort();
    return 0;
  }
  if (epochsDone < 1 || epochsDone > 3 || reports.size() != size_t(epochsDone))
    std::abort();
  for (float v : w)
    if (!std::isfinite(v))
      std::abort();
  return 0;
}
