//===- IDX.cpp - IDX reader (gzip through zlib) ---------------------------===//

#include "runtime/data/IDX.h"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <memory>

namespace snnrt {

namespace {
struct GzCloser {
  void operator()(gzFile_s *f) const { gzclose(f); }
};
} // namespace

std::string readIDX(const std::string &path, IDXArray &out) {
  // gzread reads plain files transparently too.
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  if (!f)
    return path + ": cannot open";
  auto readAll = [&](void *dst, size_t n) {
    size_t done = 0;
    while (done < n) {
      int got = gzread(f.get(), static_cast<char *>(dst) + done,
                       unsigned(std::min<size_t>(n - done, 1u << 30)));
      if (got <= 0)
        return false;
      done += size_t(got);
    }
    return true;
  };
  unsigned char magic[4];
  if (!readAll(magic, 4))
    return path + ": truncated header";
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08)
    return path + ": not an unsigned-byte IDX file";
  int rank = magic[3];
  if (rank < 1 || rank > 4)
    return path + ": unsupported rank " + std::to_string(rank);
  out.dims.clear();
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    unsigned char b[4];
    if (!readAll(b, 4))
      return path + ": truncated header";
    int64_t d = (int64_t(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    if (d <= 0 || d > (int64_t(1) << 28) || total > (int64_t(1) << 34) / d)
      return path + ": absurd dimension " + std::to_string(d);
    total *= d;
    out.dims.push_back(d);
  }
  out.bytes.resize(size_t(total));
  if (!readAll(out.bytes.data(), out.bytes.size()))
    return path + ": truncated data (expected " + std::to_string(total) +
           " bytes)";
  return "";
}

static std::string findFile(const std::string &dir, const std::string &stem) {
  for (const char *suffix : {".gz", ""}) {
    std::string p = dir + "/" + stem + suffix;
    if (std::ifstream(p).good())
      return p;
  }
  return dir + "/" + stem + ".gz";
}

std::string loadMNISTLike(const std::string &dir, const std::string &split,
                          ImageDataset &out) {
  std::string prefix = split == "train" ? "train" : "t10k";
  if (split != "train" && split != "test")
    return "unknown split '" + split + "' (train or test)";
  IDXArray images, labels;
  if (auto e = readIDX(findFile(dir, prefix + "-images-idx3-ubyte"), images);
      !e.empty())
    return e;
  if (auto e = readIDX(findFile(dir, prefix + "-labels-idx1-ubyte"), labels);
      !e.empty())
    return e;
  if (images.dims.size() != 3 || labels.dims.size() != 1 ||
      images.dims[0] != labels.dims[0])
    return dir + ": images and labels do not match";
  int64_t n = images.dims[0], h = images.dims[1], w = images.dims[2];
  out.images = Tensor({n, 1, h, w});
  for (size_t i = 0; i < images.bytes.size(); ++i)
    out.images.data[i] = float(images.bytes[i]) / 255.0f;
  out.labels.assign(labels.bytes.begin(), labels.bytes.end());
  return "";
}

std::string datasetDirectory(const std::string &data) {
  return data == "fashion-mnist" ? kFashionMNISTDir : data;
}

std::string loadImageDataset(const std::string &data, const std::string &split,
                             ImageDataset &out) {
  std::string e = loadMNISTLike(datasetDirectory(data), split, out);
  if (!e.empty())
    e += " (Fashion-MNIST comes with Debian's dataset-fashion-mnist)";
  return e;
}

bool fitImagesToInput(const Shape &want, Tensor &batch) {
  int64_t n = batch.shape[0], per = batch.size() / std::max<int64_t>(n, 1);
  if (want.size() == 2 && (want[1] < 0 || want[1] == per)) {
    batch.shape = {n, per};
    return true;
  }
  if (want.size() == 3 && batch.shape.size() == 4) {
    batch.shape = {n, batch.shape[2], batch.shape[3]};
    return (want[1] < 0 || want[1] == batch.shape[1]) &&
           (want[2] < 0 || want[2] == batch.shape[2]);
  }
  if (want.size() != batch.shape.size())
    return false;
  for (size_t d = 1; d < want.size(); ++d)
    if (want[d] >= 0 && want[d] != batch.shape[d])
      return false;
  return true;
}

Tensor imageBatch(const ImageDataset &data, int64_t first, int64_t count) {
  int64_t per = data.images.size() / std::max<int64_t>(data.images.dim(0), 1);
  Shape shape = data.images.shape;
  shape[0] = count;
  return Tensor(shape, std::vector<float>(
                           data.images.data.begin() + first * per,
                           data.images.data.begin() + (first + count) * per));
}

} // namespace snnrt
