//===- image-fuzzer.cpp - libFuzzer target for the image data readers -----===//
//
// The first byte picks what the rest is: a PNG or JPEG image (decoded to
// gray or RGB), an .npy array, an .npz archive (each array's first elements
// read), a CIFAR-10 test batch or an .npz opened as an image set and read
// through the preprocessing (resize, crop, normalize, channel conversion).
// Every outcome but a crash, a hang or an allocation beyond the input's
// size is fine: errors must come back as messages.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzFiles.h"

#include "runtime/data/ImageFiles.h"
#include "runtime/data/ImageSet.h"

#include <algorithm>

namespace {

void readSet(const std::string &spec, const snnrt::ImagePreprocess &pre,
             const snnrt::Shape &input) {
  std::unique_ptr<snnrt::ImageSet> set;
  if (!snnrt::openImageSet(spec, "test", pre, input, set).empty())
    return;
  std::vector<int64_t> first;
  for (int64_t i = 0; i < std::min<int64_t>(set->size(), 3); ++i)
    first.push_back(i);
  snnrt::Tensor x;
  std::vector<int> labels;
  (void)set->load(first, x, labels);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  int mode = data[0] % 6;
  const uint8_t *rest = data + 1;
  size_t n = size - 1;
  switch (mode) {
  case 0: {
    snnrt::DecodedImage image;
    (void)snnrt::decodeImage(rest, n, "fuzz", rest[0] % 2 ? 3 : 1, image);
    break;
  }
  case 1: {
    snnrt::NpyArray a;
    if (snnrt::openNpy(snnfuzz::writeScratch("a.npy", rest, n), a).empty()) {
      std::vector<float> v(size_t(std::min<int64_t>(a.elements(), 64)));
      (void)snnrt::readNpyElements(a, 0, int64_t(v.size()), v.data());
    }
    break;
  }
  case 2: {
    std::vector<snnrt::NpyArray> arrays;
    if (snnrt::openNpz(snnfuzz::writeScratch("a.npz", rest, n), arrays)
            .empty())
      for (const auto &a : arrays) {
        std::vector<float> v(size_t(std::min<int64_t>(a.elements(), 64)));
        (void)snnrt::readNpyElements(a, 0, int64_t(v.size()), v.data());
      }
    break;
  }
  case 3:
    snnfuzz::writeScratch("test_batch.bin", rest, n);
    readSet("cifar10:" + snnfuzz::scratchFolder(), snnrt::ImagePreprocess(),
            {-1, 3, 32, 32});
    break;
  case 4:
  case 5: {
    // An .npz image set, preprocessed for a network input the byte chooses.
    snnrt::ImagePreprocess pre;
    pre.resize = mode == 5 ? 1 + rest[0] % 40 : 0;
    pre.mean = {0.5f};
    pre.std = {0.25f};
    int64_t c = rest[0] % 3 == 0 ? 1 : 3;
    readSet("npz:" + snnfuzz::writeScratch("set.npz", rest, n), pre,
            {-1, c, 8, 8});
    break;
  }
  }
  return 0;
}
