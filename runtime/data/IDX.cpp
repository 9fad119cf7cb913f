//===- IDX.cpp - IDX reader (gzip through zlib) ---------------------------===//

#include "runtime/data/IDX.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sys/stat.h>

namespace snnrt {

namespace {
struct GzCloser {
  void operator()(gzFile_s *f) const { gzclose(f); }
};
} // namespace

std::string readIDX(const std::string &path, IDXArray &out) {
  out = IDXArray();
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return path + ": cannot open (" + std::strerror(errno) + ")";
  if (S_ISDIR(st.st_mode))
    return path + ": is a folder, not an IDX file";
  // gzread reads plain files transparently too.
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  if (!f)
    return path + ": cannot open (" + std::strerror(errno) + ")";
  bool compressed = gzdirect(f.get()) == 0;
  // Reads up to n bytes; the count read, or -1 after a gzip error.
  auto readSome = [&](void *dst, size_t n) -> int64_t {
    size_t done = 0;
    while (done < n) {
      int got = gzread(f.get(), static_cast<char *>(dst) + done,
                       unsigned(std::min<size_t>(n - done, 1u << 30)));
      if (got < 0)
        return -1;
      if (got == 0)
        break;
      done += size_t(got);
    }
    return int64_t(done);
  };
  auto gzipError = [&] {
    int code = 0;
    const char *msg = gzerror(f.get(), &code);
    return path + ": corrupt gzip data (" + (msg ? msg : "unknown") + ")";
  };
  unsigned char header[4 + 4 * 4];
  int64_t got = readSome(header, 4);
  if (got < 0)
    return gzipError();
  if (got < 4)
    return path + ": truncated header (" + std::to_string(got) + " of 4 bytes)";
  if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
    return path + ": not an unsigned-byte IDX file (magic " +
           std::to_string(header[0]) + " " + std::to_string(header[1]) + " " +
           std::to_string(header[2]) + ", expected 0 0 8)";
  int rank = header[3];
  if (rank < 1 || rank > 4)
    return path + ": unsupported rank " + std::to_string(rank) + " (1 to 4)";
  got = readSome(header + 4, size_t(4 * rank));
  if (got < 0)
    return gzipError();
  if (got < 4 * rank)
    return path + ": truncated header (" + std::to_string(4 + got) + " of " +
           std::to_string(4 + 4 * rank) + " bytes)";
  int64_t total = 1;
  std::string dims;
  for (int i = 0; i < rank; ++i) {
    const unsigned char *b = header + 4 + 4 * i;
    int64_t d = int64_t(b[0]) << 24 | int64_t(b[1]) << 16 | int64_t(b[2]) << 8 |
                int64_t(b[3]);
    dims += (i ? "×" : "") + std::to_string(d);
    if (d <= 0 || d > kMaxIDXBytes || total > kMaxIDXBytes / d)
      return path + ": the header claims " + (d <= 0 ? "an empty " : "a ") +
             std::to_string(rank) + "-d array (dimension " + std::to_string(i) +
             " is " + std::to_string(d) + ")" +
             (d <= 0 ? ""
                     : "; at most " + std::to_string(kMaxIDXBytes) +
                           " bytes are read");
    total *= d;
    out.dims.push_back(d);
  }
  int64_t headerBytes = 4 + 4 * rank;
  if (!compressed && st.st_size - headerBytes < total)
    return path + ": truncated data (the header claims " + dims + " = " +
           std::to_string(total) + " bytes, the file holds " +
           std::to_string(st.st_size - headerBytes) + ")";
  // A gzip stream's size is known only by reading it: grow the array with
  // the data that is there, so that a header claiming more costs nothing.
  constexpr int64_t kChunk = int64_t(1) << 24;
  int64_t have = 0;
  while (have < total) {
    int64_t n = std::min(kChunk, total - have);
    out.bytes.resize(size_t(have + n));
    got = readSome(out.bytes.data() + have, size_t(n));
    if (got < 0)
      return gzipError();
    have += got;
    if (got < n)
      return path + ": truncated data (the header claims " + dims + " = " +
             std::to_string(total) + " bytes, the file holds " +
             std::to_string(have) + ")";
  }
  // One read past the array reaches the end of a gzip stream, where zlib
  // checks the stream's CRC: corrupt data is found here, not used.
  unsigned char extra;
  if (compressed && readSome(&extra, 1) < 0)
    return gzipError();
  return "";
}

std::string checkLabels(const std::vector<int> &labels, int64_t classes,
                        int64_t first) {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      return "sample " + std::to_string(first + int64_t(i)) + " has label " +
             std::to_string(labels[i]) + ", but the network has " +
             std::to_string(classes) + " outputs (classes 0 to " +
             std::to_string(classes - 1) + ")";
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

std::string readMNISTLike(const std::string &dir, const std::string &split,
                         IDXArray &images, IDXArray &labels,
                         std::string *imagesPathOut) {
  std::string prefix = split == "train" ? "train" : "t10k";
  if (split != "train" && split != "test")
    return "unknown split '" + split + "' (train or test)";
  std::string imagesPath = findFile(dir, prefix + "-images-idx3-ubyte"),
              labelsPath = findFile(dir, prefix + "-labels-idx1-ubyte");
  if (auto e = readIDX(imagesPath, images); !e.empty())
    return e;
  if (images.dims.size() != 3)
    return imagesPath +
           ": images must be an N×H×W array (rank 3), the file "
           "has rank " +
           std::to_string(images.dims.size());
  if (auto e = readIDX(labelsPath, labels); !e.empty())
    return e;
  if (labels.dims.size() != 1)
    return labelsPath +
           ": labels must be a vector (rank 1), the file has "
           "rank " +
           std::to_string(labels.dims.size());
  if (images.dims[0] != labels.dims[0])
    return dir + ": " + std::to_string(images.dims[0]) + " images but " +
           std::to_string(labels.dims[0]) + " labels";
  if (imagesPathOut)
    *imagesPathOut = imagesPath;
  return "";
}

std::string loadMNISTLike(const std::string &dir, const std::string &split,
                          ImageDataset &out) {
  IDXArray images, labels;
  if (std::string e = readMNISTLike(dir, split, images, labels); !e.empty())
    return e;
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

std::string fitImagesToInput(const Shape &want, Tensor &batch) {
  Shape given = batch.shape;
  auto mismatch = [&] {
    std::string c = given.size() == 4 && given[1] != 1
                        ? " with " + std::to_string(given[1]) + " channels"
                        : "";
    std::string size = given.size() == 4 ? std::to_string(given[2]) + "×" +
                                               std::to_string(given[3])
                                         : formatShape(given);
    return "the network input " + formatShape(want) +
           " does not take the data's " + size + " images" + c;
  };
  int64_t n = batch.shape[0], per = batch.size() / std::max<int64_t>(n, 1);
  if (want.size() == 2) {
    if (want[1] >= 0 && want[1] != per)
      return mismatch();
    batch.shape = {n, per};
    return "";
  }
  if (want.size() == 3 && batch.shape.size() == 4) {
    if (batch.shape[1] != 1 || (want[1] >= 0 && want[1] != batch.shape[2]) ||
        (want[2] >= 0 && want[2] != batch.shape[3]))
      return mismatch();
    batch.shape = {n, batch.shape[2], batch.shape[3]};
    return "";
  }
  if (want.size() != batch.shape.size())
    return mismatch();
  for (size_t d = 1; d < want.size(); ++d)
    if (want[d] >= 0 && want[d] != batch.shape[d])
      return mismatch();
  return "";
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
