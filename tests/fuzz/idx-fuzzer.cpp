//===- idx-fuzzer.cpp - libFuzzer target for the IDX reader ---------------===//
//
// The first byte picks how the rest is read: as a plain IDX file, as a
// gzip-compressed one, or split (at the second byte) into an images file
// and a labels file that load as a data set, whose labels are then checked
// and whose first images are batched and shaped for a 28×28 network input.
// Every outcome but a crash, a hang or an allocation beyond the input's
// size is fine: errors must come back as messages.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzFiles.h"

#include "runtime/data/IDX.h"

#include <zlib.h>

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  int mode = data[0] % 3;
  const uint8_t *rest = data + 1;
  size_t n = size - 1;
  if (mode == 0) {
    snnrt::IDXArray a;
    (void)snnrt::readIDX(snnfuzz::writeScratch("plain", rest, n), a);
    return 0;
  }
  if (mode == 1) {
    std::string path = snnfuzz::scratchFolder() + "/compressed.gz";
    gzFile f = gzopen(path.c_str(), "wb");
    if (!f)
      return 0;
    if (n)
      gzwrite(f, rest, unsigned(n));
    gzclose(f);
    snnrt::IDXArray a;
    (void)snnrt::readIDX(path, a);
    return 0;
  }
  size_t cut = std::min<size_t>(rest[0] * 4, n - 1);
  snnfuzz::writeScratch("t10k-images-idx3-ubyte", rest + 1, cut);
  snnfuzz::writeScratch("t10k-labels-idx1-ubyte", rest + 1 + cut, n - 1 - cut);
  snnrt::ImageDataset set;
  if (!snnrt::loadMNISTLike(snnfuzz::scratchFolder(), "test", set).empty())
    return 0;
  (void)snnrt::checkLabels(set.labels, 10);
  int64_t count = std::min<int64_t>(set.images.dim(0), 4);
  snnrt::Tensor batch = snnrt::imageBatch(set, 0, count);
  (void)snnrt::fitImagesToInput({-1, 1, 28, 28}, batch);
  return 0;
}
