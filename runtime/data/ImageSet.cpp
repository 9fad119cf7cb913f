//===- ImageSet.cpp - labelled image data sets, read on demand ------------===//

#include "runtime/data/ImageSet.h"
#include "runtime/data/ImageFiles.h"
#include "runtime/tensor/Parallel.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace snnrt {

const char *const kImageDataHelp =
    "fashion-mnist (Debian's dataset-fashion-mnist), idx:DIR or DIR (MNIST-"
    "style IDX files), imagefolder:DIR (one sub-folder of PNG/JPEG files per "
    "class; DIR/train and DIR/val are used for the splits if present), "
    "cifar10:DIR, cifar100:DIR (the binary batch files), "
    "npy:IMAGES.npy,LABELS.npy or npz:FILE (uint8 or float32; N×C×H×W, "
    "N×H×W×C or N×H×W)";

std::string setNormalization(const std::string &name, ImagePreprocess &pre) {
  if (name != "imagenet" && name != "cifar10" && name != "none")
    return "normalize must be imagenet, cifar10 or none, not '" + name + "'";
  if (!pre.mean.empty() || !pre.std.empty())
    return "normalize and mean/std exclude each other";
  if (name == "imagenet") {
    pre.mean = {0.485f, 0.456f, 0.406f};
    pre.std = {0.229f, 0.224f, 0.225f};
  } else if (name == "cifar10") {
    pre.mean = {0.4914f, 0.4822f, 0.4465f};
    pre.std = {0.2470f, 0.2435f, 0.2616f};
  }
  return "";
}

std::string checkPreprocess(const ImagePreprocess &pre) {
  if (pre.resize < 0 || pre.cropHeight < 0 || pre.cropWidth < 0)
    return "image sizes must be positive";
  if (pre.resize > 65536 || pre.cropHeight > 65536 || pre.cropWidth > 65536)
    return "image sizes above 65536 pixels are not supported";
  for (float s : pre.std)
    if (!(s > 0) || !std::isfinite(s))
      return "--std values must be positive, got " + std::to_string(s);
  for (float m : pre.mean)
    if (!std::isfinite(m))
      return "--mean values must be finite";
  if (pre.mean.size() > 4 || pre.std.size() > 4)
    return "--mean and --std take one value per channel";
  if (pre.layout != "auto" && pre.layout != "nchw" && pre.layout != "nhwc")
    return "--layout must be auto, nchw or nhwc, not '" + pre.layout + "'";
  return "";
}

std::string ImageSet::load(const std::vector<int64_t> &indices, Tensor &x,
                           std::vector<int> &labels) const {
  int64_t n = int64_t(indices.size());
  Shape shape = {n};
  shape.insert(shape.end(), shape_.begin(), shape_.end());
  x = Tensor::uninitialized(shape);
  labels.resize(size_t(n));
  int64_t per = numElements(shape_);
  std::vector<std::string> errors(static_cast<size_t>(n));
  parallelFor(n, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      int64_t k = indices[size_t(i)];
      if (k < 0 || k >= size()) {
        errors[size_t(i)] = "sample " + std::to_string(k) +
                            " is outside the data set (" +
                            std::to_string(size()) + " samples)";
        continue;
      }
      labels[size_t(i)] = labels_[size_t(k)];
      errors[size_t(i)] = loadOne(k, x.ptr() + i * per);
    }
  });
  for (const std::string &e : errors)
    if (!e.empty())
      return e;
  return "";
}

namespace {

//===----------------------------------------------------------------------===//
// Preprocessing
//===----------------------------------------------------------------------===//

/// PIL's bilinear filter with antialiasing: per output pixel, the first
/// input pixel and the normalized weights.
struct Resampler {
  std::vector<int64_t> first;
  std::vector<std::vector<float>> weights;
  Resampler(int64_t in, int64_t out) {
    double scale = double(in) / double(out);
    double filterScale = std::max(scale, 1.0);
    double support = filterScale; // bilinear's support is 1
    first.resize(size_t(out));
    weights.resize(size_t(out));
    for (int64_t i = 0; i < out; ++i) {
      double center = (double(i) + 0.5) * scale;
      int64_t lo = std::max<int64_t>(int64_t(center - support + 0.5), 0);
      int64_t hi = std::min<int64_t>(int64_t(center + support + 0.5), in);
      std::vector<float> &w = weights[size_t(i)];
      double total = 0;
      for (int64_t k = lo; k < hi; ++k) {
        double t = std::fabs((double(k) - center + 0.5) / filterScale);
        double v = t < 1.0 ? 1.0 - t : 0.0;
        w.push_back(float(v));
        total += v;
      }
      if (total > 0)
        for (float &v : w)
          v = float(v / total);
      first[size_t(i)] = lo;
    }
  }
};

float roundByte(float v) {
  return std::min(255.0f, std::max(0.0f, std::nearbyint(v)));
}

/// Python's round() of (d / 2): halves to even, as torchvision's
/// CenterCrop computes its offsets.
int64_t cropOffset(int64_t d) {
  if (d % 2 == 0)
    return d / 2;
  int64_t k = d / 2; // d / 2 = k + 0.5
  return k % 2 == 0 ? k : k + 1;
}

/// What the network wants: channels and size (0: take the data's).
struct Target {
  int64_t channels = 0, height = 0, width = 0;
  Shape input; // for messages
};

/// A sample as read: C×H×W floats, 8-bit values or floats as stored.
struct RawImage {
  int64_t channels = 0, height = 0, width = 0;
  std::vector<float> values;
  bool bytes = true;
};

std::string hwText(int64_t h, int64_t w) {
  return std::to_string(h) + "×" + std::to_string(w);
}

/// torchvision's Resize(n) (shorter side), CenterCrop, ToTensor, Normalize
/// and a channel conversion, from `raw` into `out` (C×H×W).
std::string transform(RawImage raw, const ImagePreprocess &pre,
                      const Target &target, const std::string &name,
                      float *out) {
  int64_t C = target.channels ? target.channels : raw.channels;
  if (raw.channels != C) {
    int64_t hw = raw.height * raw.width;
    std::vector<float> v(static_cast<size_t>(C * hw));
    if (raw.channels == 1) {
      for (int64_t c = 0; c < C; ++c)
        std::copy_n(raw.values.begin(), hw, v.begin() + c * hw);
    } else if (raw.channels == 3 && C == 1) {
      for (int64_t i = 0; i < hw; ++i) {
        float y = 0.299f * raw.values[size_t(i)] +
                  0.587f * raw.values[size_t(hw + i)] +
                  0.114f * raw.values[size_t(2 * hw + i)];
        v[size_t(i)] = raw.bytes ? roundByte(y) : y;
      }
    } else {
      return name + ": " + std::to_string(raw.channels) +
             " channels cannot feed the network input " +
             formatShape(target.input) + " (" + std::to_string(C) +
             " channels)";
    }
    raw.values = std::move(v);
    raw.channels = C;
  }
  int64_t H = raw.height, W = raw.width;
  if (H <= 0 || W <= 0)
    return name + ": an empty image (" + hwText(H, W) + ")";
  if (pre.resize > 0) {
    // Sizes in double first: a long, thin image can ask for a huge one.
    double dh = H <= W ? double(pre.resize)
                       : double(pre.resize) * double(H) / double(W);
    double dw = H <= W ? double(pre.resize) * double(W) / double(H)
                       : double(pre.resize);
    if (dh * dw > double(kMaxImagePixels))
      return name + ": resizing a " + hwText(H, W) + " image to a shorter "
             "side of " + std::to_string(pre.resize) + " makes more than " +
             std::to_string(kMaxImagePixels) + " pixels";
    int64_t nh = std::max<int64_t>(int64_t(dh), 1),
            nw = std::max<int64_t>(int64_t(dw), 1);
    if (nh != H || nw != W) {
      // Horizontal pass, then vertical, each rounded to 8 bits for 8-bit
      // data (as PIL does).
      std::vector<float> mid(static_cast<size_t>(C * H * nw)), res(static_cast<size_t>(C * nh * nw));
      Resampler rx(W, nw), ry(H, nh);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t y = 0; y < H; ++y) {
          const float *row = raw.values.data() + (c * H + y) * W;
          for (int64_t x = 0; x < nw; ++x) {
            const auto &w = rx.weights[size_t(x)];
            const float *s = row + rx.first[size_t(x)];
            float acc = 0;
            for (size_t k = 0; k < w.size(); ++k)
              acc += w[k] * s[k];
            mid[size_t((c * H + y) * nw + x)] = raw.bytes ? roundByte(acc) : acc;
          }
        }
      for (int64_t c = 0; c < C; ++c)
        for (int64_t y = 0; y < nh; ++y) {
          const auto &w = ry.weights[size_t(y)];
          int64_t y0 = ry.first[size_t(y)];
          for (int64_t x = 0; x < nw; ++x) {
            float acc = 0;
            for (size_t k = 0; k < w.size(); ++k)
              acc += w[k] * mid[size_t((c * H + y0 + int64_t(k)) * nw + x)];
            res[size_t((c * nh + y) * nw + x)] = raw.bytes ? roundByte(acc) : acc;
          }
        }
      raw.values = std::move(res);
      H = nh;
      W = nw;
    }
  }
  int64_t ch = pre.cropHeight, cw = pre.cropWidth;
  if (ch == 0 && pre.resize > 0 && target.height > 0) {
    ch = target.height;
    cw = target.width;
  }
  int64_t top = 0, left = 0;
  if (ch > 0) {
    if (ch > H || cw > W)
      return name + ": cannot crop " + hwText(ch, cw) + " from a " +
             hwText(H, W) + " image" +
             (pre.resize > 0 ? " (after resizing to " +
                                   std::to_string(pre.resize) + ")"
                             : std::string()) +
             ": resize it first (--resize)";
    top = cropOffset(H - ch);
    left = cropOffset(W - cw);
  } else {
    ch = H;
    cw = W;
  }
  if (target.height > 0 && (ch != target.height || cw != target.width))
    return name + ": the network input " + formatShape(target.input) +
           " takes " + hwText(target.height, target.width) +
           " images, this one is " + hwText(ch, cw) +
           (pre.resize > 0 || pre.cropHeight > 0
                ? " after resizing and cropping"
                : " (resize and crop it, e.g. --resize " +
                      std::to_string(target.height * 8 / 7) + " --crop " +
                      std::to_string(target.height) + ")");
  // Divided, not multiplied by 1/255: bit-identical to ToTensor's div(255)
  // and to the generated code's C drivers.
  float divisor = raw.bytes && pre.scale ? 255.0f : 1.0f;
  for (int64_t c = 0; c < C; ++c) {
    float m = pre.mean.empty() ? 0.0f
                               : pre.mean[size_t(std::min<int64_t>(
                                     c, int64_t(pre.mean.size()) - 1))];
    float s = pre.std.empty() ? 1.0f
                              : pre.std[size_t(std::min<int64_t>(
                                    c, int64_t(pre.std.size()) - 1))];
    int64_t dc = pre.bgr ? C - 1 - c : c;
    for (int64_t y = 0; y < ch; ++y) {
      const float *src = raw.values.data() + (c * H + top + y) * W + left;
      float *dst = out + (dc * ch + y) * cw;
      for (int64_t x = 0; x < cw; ++x)
        dst[x] = (src[x] / divisor - m) / s;
    }
  }
  return "";
}

/// The sample shape `transform` produces for images of C×H×W as stored
/// (the channels the network wants; the size after resizing and cropping).
Shape outputShape(const ImagePreprocess &pre, const Target &t, int64_t C,
                  int64_t H, int64_t W) {
  int64_t c = t.channels ? t.channels : C;
  if (pre.cropHeight > 0)
    return {c, pre.cropHeight, pre.cropWidth};
  if (pre.resize > 0) {
    if (t.height > 0) // the default crop
      return {c, t.height, t.width};
    if (H <= 0 || W <= 0)
      return {c, H, W}; // refused image by image
    if (H <= W)
      return {c, pre.resize, int64_t(double(pre.resize) * W / H)};
    return {c, int64_t(double(pre.resize) * H / W), pre.resize};
  }
  return {c, H, W};
}

std::string describe(const std::string &spec, const std::string &split,
                     int64_t n, const Shape &shape, int64_t classes) {
  std::string s = spec + " (" + split + ", " + std::to_string(n) +
                  " images of " + formatShape(shape);
  if (classes > 0)
    s += ", " + std::to_string(classes) + " classes";
  return s + ")";
}

//===----------------------------------------------------------------------===//
// The formats
//===----------------------------------------------------------------------===//

/// IDX: small enough to hold (the bytes, not floats).
class IDXImageSet : public ImageSet {
public:
  IDXArray images;
  ImagePreprocess pre;
  Target target;
  std::string name;

  std::string loadOne(int64_t index, float *out) const override {
    int64_t h = images.dims[1], w = images.dims[2];
    RawImage raw;
    raw.channels = 1;
    raw.height = h;
    raw.width = w;
    const uint8_t *p = images.bytes.data() + index * h * w;
    raw.values.assign(p, p + h * w);
    return transform(std::move(raw), pre, target,
                     name + ": image " + std::to_string(index), out);
  }
};

/// CIFAR-10/100 binary batches: records of label byte(s) + 3×32×32 bytes.
class CifarImageSet : public ImageSet {
public:
  std::vector<std::shared_ptr<ReadOnlyFile>> files;
  std::vector<int64_t> firstRecord; // per file, the set's index of record 0
  int64_t labelBytes = 1;
  ImagePreprocess pre;
  Target target;

  std::string loadOne(int64_t index, float *out) const override {
    size_t f = size_t(std::upper_bound(firstRecord.begin(), firstRecord.end(),
                                       index) -
                      firstRecord.begin() - 1);
    int64_t record = index - firstRecord[f];
    uint8_t bytes[3072];
    if (!files[f]->readAt(record * (3072 + labelBytes) + labelBytes, bytes,
                          3072))
      return files[f]->path + ": record " + std::to_string(record) +
             ": read error (the file changed since it was opened?)";
    RawImage raw;
    raw.channels = 3;
    raw.height = raw.width = 32;
    raw.values.assign(bytes, bytes + 3072);
    return transform(std::move(raw), pre, target,
                     files[f]->path + ": record " + std::to_string(record),
                     out);
  }
};

/// NumPy arrays, read per sample.
class NpyImageSet : public ImageSet {
public:
  NpyArray images;
  bool nhwc = false;
  int64_t C = 1, H = 0, W = 0;
  ImagePreprocess pre;
  Target target;

  std::string loadOne(int64_t index, float *out) const override {
    int64_t per = C * H * W;
    RawImage raw;
    raw.channels = C;
    raw.height = H;
    raw.width = W;
    raw.bytes = images.kind == 'u' && images.itemSize == 1;
    std::vector<float> v(static_cast<size_t>(per));
    if (std::string e = readNpyElements(images, index * per, per, v.data());
        !e.empty())
      return e + " (sample " + std::to_string(index) + ")";
    if (nhwc) {
      raw.values.resize(size_t(per));
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x)
          for (int64_t c = 0; c < C; ++c)
            raw.values[size_t((c * H + y) * W + x)] =
                v[size_t((y * W + x) * C + c)];
    } else {
      raw.values = std::move(v);
    }
    return transform(std::move(raw), pre, target,
                     images.name + ": sample " + std::to_string(index), out);
  }
};

/// A folder of class folders of PNG/JPEG files, decoded on demand.
class FolderImageSet : public ImageSet {
public:
  std::vector<std::string> files;
  ImagePreprocess pre;
  Target target;

  std::string loadOne(int64_t index, float *out) const override {
    DecodedImage img;
    int channels = target.channels == 1 ? 1 : 3;
    if (std::string e = decodeImageFile(files[size_t(index)], channels, img);
        !e.empty())
      return e;
    RawImage raw;
    raw.channels = img.channels;
    raw.height = img.height;
    raw.width = img.width;
    int64_t hw = img.height * img.width;
    raw.values.resize(size_t(hw * img.channels));
    for (int64_t i = 0; i < hw; ++i)
      for (int64_t c = 0; c < img.channels; ++c)
        raw.values[size_t(c * hw + i)] =
            img.pixels[size_t(i * img.channels + c)];
    return transform(std::move(raw), pre, target, files[size_t(index)], out);
  }
};

std::string lower(std::string s) {
  for (char &c : s)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool isDirectory(const std::string &p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string openFolder(const std::string &dirArg, const std::string &split,
                       const ImagePreprocess &pre, const Target &target,
                       std::unique_ptr<ImageSet> &out) {
  if (!isDirectory(dirArg))
    return dirArg + ": no such folder (imagefolder: takes a folder of class "
                    "folders)";
  // DIR/train and DIR/val (or DIR/test) for the splits, if present.
  std::string dir = dirArg;
  std::vector<std::string> candidates =
      split == "train" ? std::vector<std::string>{"train"}
                       : std::vector<std::string>{"val", "test"};
  bool hasSplits = isDirectory(dirArg + "/train") ||
                   isDirectory(dirArg + "/val") ||
                   isDirectory(dirArg + "/test");
  if (hasSplits) {
    dir.clear();
    for (const auto &c : candidates)
      if (isDirectory(dirArg + "/" + c)) {
        dir = dirArg + "/" + c;
        break;
      }
    if (dir.empty())
      return dirArg + ": has split folders but no " +
             (split == "train" ? "train/" : "val/ or test/") + " for the " +
             split + " split";
  }
  auto set = std::make_unique<FolderImageSet>();
  std::error_code ec;
  std::vector<std::string> classes;
  for (const auto &e : fs::directory_iterator(dir, ec))
    if (e.is_directory())
      classes.push_back(e.path().filename().string());
  if (ec)
    return dir + ": cannot list (" + ec.message() + ")";
  std::sort(classes.begin(), classes.end());
  if (classes.empty())
    return dir + ": no class folders (imagefolder: wants DIR/CLASS/IMAGE.png)";
  static const char *decoded[] = {".png", ".jpg", ".jpeg"};
  static const char *undecoded[] = {".bmp", ".ppm",  ".pgm", ".tif",
                                    ".tiff", ".webp", ".gif"};
  std::string skippedExample;
  int64_t skipped = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    std::vector<std::pair<std::string, std::string>> found; // (folder, name)
    fs::recursive_directory_iterator it(
        dir + "/" + classes[c], fs::directory_options::follow_directory_symlink,
        ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec))
        continue;
      std::string ext = lower(it->path().extension().string());
      if (std::find(std::begin(decoded), std::end(decoded), ext) !=
          std::end(decoded))
        found.emplace_back(it->path().parent_path().string(),
                           it->path().filename().string());
      else if (std::find(std::begin(undecoded), std::end(undecoded), ext) !=
               std::end(undecoded)) {
        ++skipped;
        skippedExample = it->path().string();
      }
    }
    if (ec)
      return dir + "/" + classes[c] + ": cannot list (" + ec.message() + ")";
    if (found.empty())
      return dir + "/" + classes[c] +
             ": no PNG or JPEG files in this class folder";
    std::sort(found.begin(), found.end());
    for (auto &[folder, name] : found) {
      set->files.push_back(folder + "/" + name);
      set->labels_.push_back(int(c));
    }
  }
  if (skipped > 0)
    return dir + ": " + std::to_string(skipped) +
           " image files in formats that are not decoded (e.g. " +
           skippedExample +
           "); only PNG and JPEG are: convert them, or the data set would "
           "silently lose them";
  set->names_ = classes;
  set->classes_ = int64_t(classes.size());
  set->pre = pre;
  set->target = target;
  // The sample shape: fixed by the network or the crop; else that of the
  // first image (every image must then have it).
  if (target.height > 0 || pre.cropHeight > 0) {
    set->shape_ = pre.cropHeight > 0 || pre.resize > 0
                      ? outputShape(pre, target, 3, 0, 0)
                      : Shape{target.channels ? target.channels : 3,
                              target.height, target.width};
  } else {
    DecodedImage first;
    if (std::string e = decodeImageFile(set->files[0],
                                        target.channels == 1 ? 1 : 3, first);
        !e.empty())
      return e;
    set->shape_ = outputShape(pre, target, first.channels, first.height,
                              first.width);
    if (pre.resize > 0 && first.height != first.width)
      return dir + ": images resized without --crop have different shapes; "
                   "give --crop";
  }
  set->description_ = describe("imagefolder:" + dir, split, set->size(),
                               set->shape_, set->classes_);
  out = std::move(set);
  return "";
}

std::string openCifar(const std::string &dirArg, bool hundred,
                      const std::string &split, const ImagePreprocess &pre,
                      const Target &target, std::unique_ptr<ImageSet> &out) {
  std::string sub = hundred ? "cifar-100-binary" : "cifar-10-batches-bin";
  std::string dir = isDirectory(dirArg + "/" + sub) ? dirArg + "/" + sub
                                                    : dirArg;
  std::vector<std::string> names;
  if (hundred)
    names = {split == "train" ? "train.bin" : "test.bin"};
  else if (split == "train")
    names = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
             "data_batch_4.bin", "data_batch_5.bin"};
  else
    names = {"test_batch.bin"};
  auto set = std::make_unique<CifarImageSet>();
  set->labelBytes = hundred ? 2 : 1;
  int64_t record = 3072 + set->labelBytes;
  int64_t classes = hundred ? 100 : 10;
  for (const auto &n : names) {
    auto f = std::make_shared<ReadOnlyFile>();
    if (std::string e = f->open(dir + "/" + n); !e.empty())
      return e + "; " + (hundred ? "cifar100:DIR" : "cifar10:DIR") +
             " wants the binary version's files";
    int64_t size = f->size;
    if (size % record != 0)
      return f->path + ": truncated record (" + std::to_string(size) +
             " bytes are " + std::to_string(size / record) +
             " records of " + std::to_string(record) + " bytes and " +
             std::to_string(size % record) + " bytes of a record more)";
    if (size == 0)
      return f->path + ": empty file";
    int64_t count = size / record;
    // Labels: read in chunks of whole records.
    set->firstRecord.push_back(set->size());
    std::vector<uint8_t> chunk;
    for (int64_t r = 0; r < count;) {
      int64_t m = std::min<int64_t>(count - r, 1024);
      chunk.resize(size_t(m * record));
      if (!f->readAt(r * record, chunk.data(), chunk.size()))
        return f->path + ": read error";
      for (int64_t i = 0; i < m; ++i) {
        int label = chunk[size_t(i * record + set->labelBytes - 1)];
        if (label >= classes)
          return f->path + ": record " + std::to_string(r + i) +
                 " has label " + std::to_string(label) + ", but " +
                 (hundred ? "CIFAR-100" : "CIFAR-10") + " has " +
                 std::to_string(classes) + " classes";
        set->labels_.push_back(label);
      }
      r += m;
    }
    set->files.push_back(std::move(f));
  }
  set->classes_ = classes;
  set->pre = pre;
  set->target = target;
  set->shape_ = outputShape(pre, target, 3, 32, 32);
  set->description_ = describe((hundred ? "cifar100:" : "cifar10:") + dir,
                               split, set->size(), set->shape_, classes);
  out = std::move(set);
  return "";
}

/// Labels from an integer array.
std::string readLabels(const NpyArray &a, std::vector<int> &labels) {
  if (a.shape.size() != 1)
    return a.name + ": labels must be a vector (rank 1), the array is " +
           formatShape(a.shape);
  if (a.kind != 'u' && a.kind != 'i')
    return a.name + ": labels must be integers, the array holds " +
           a.dtypeName();
  std::vector<float> v(static_cast<size_t>(a.elements()));
  // Integers up to 2^24 are exact in float; larger ones are refused below.
  if (std::string e = readNpyElements(a, 0, a.elements(), v.data());
      !e.empty())
    return e;
  labels.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] < 0 || v[i] > float(1 << 24))
      return a.name + ": label " + std::to_string(i) + " is " +
             std::to_string(int64_t(v[i])) +
             " (labels are class numbers from 0)";
    labels[i] = int(v[i]);
  }
  return "";
}

std::string openArrays(const std::string &spec, NpyArray images,
                       const NpyArray &labelArray, const std::string &split,
                       const ImagePreprocess &pre, const Target &target,
                       std::unique_ptr<ImageSet> &out) {
  auto set = std::make_unique<NpyImageSet>();
  bool u8 = images.kind == 'u' && images.itemSize == 1;
  bool f32 = images.kind == 'f' && images.itemSize == 4;
  if (!u8 && !f32)
    return images.name + ": images of dtype " + images.dtypeName() +
           " are not supported (uint8 and float32 are)";
  const Shape &s = images.shape;
  if (s.size() == 3) {
    set->C = 1;
    set->H = s[1];
    set->W = s[2];
  } else if (s.size() == 4) {
    bool nchw;
    if (pre.layout != "auto") {
      nchw = pre.layout == "nchw";
    } else if (target.channels > 0 && (s[1] == target.channels) !=
                                          (s[3] == target.channels)) {
      nchw = s[1] == target.channels;
    } else if ((s[1] == 1 || s[1] == 3) != (s[3] == 1 || s[3] == 3)) {
      nchw = s[1] == 1 || s[1] == 3;
    } else if (s[1] == s[3]) {
      nchw = true;
    } else {
      return images.name + ": cannot tell whether " + formatShape(s) +
             " is N×C×H×W or N×H×W×C: give --layout nchw or nhwc";
    }
    set->nhwc = !nchw;
    set->C = nchw ? s[1] : s[3];
    set->H = nchw ? s[2] : s[1];
    set->W = nchw ? s[3] : s[2];
  } else {
    return images.name + ": images must be N×C×H×W, N×H×W×C or N×H×W; the "
                         "array is " +
           formatShape(s);
  }
  if (set->C <= 0 || set->H <= 0 || set->W <= 0)
    return images.name + ": images of shape " + formatShape(s) +
           " have no pixels";
  if (std::string e = readLabels(labelArray, set->labels_); !e.empty())
    return e;
  if (int64_t(set->labels_.size()) != s[0])
    return images.name + " has " + std::to_string(s[0]) + " images but " +
           labelArray.name + " has " + std::to_string(set->labels_.size()) +
           " labels";
  set->pre = pre;
  set->target = target;
  set->shape_ = outputShape(pre, target, set->C, set->H, set->W);
  set->description_ = describe(spec, split, set->size(), set->shape_, 0);
  set->images = std::move(images);
  out = std::move(set);
  return "";
}

std::string openNpzSet(const std::string &path, const std::string &split,
                       const ImagePreprocess &pre, const Target &target,
                       std::unique_ptr<ImageSet> &out) {
  std::vector<NpyArray> arrays;
  if (std::string e = openNpz(path, arrays); !e.empty())
    return e;
  auto find = [&](std::initializer_list<std::string> names) -> NpyArray * {
    for (const auto &n : names)
      for (auto &a : arrays)
        if (a.name == path + ":" + n)
          return &a;
    return nullptr;
  };
  NpyArray *images = find({"images_" + split, "x_" + split, "images", "x",
                           "data"});
  NpyArray *labels = find({"labels_" + split, "y_" + split, "labels", "y",
                           "targets"});
  if ((!images || !labels) && arrays.size() == 2) {
    bool firstIsImages = arrays[0].shape.size() >= 3;
    images = &arrays[firstIsImages ? 0 : 1];
    labels = &arrays[firstIsImages ? 1 : 0];
  }
  if (!images || !labels) {
    std::string members;
    for (const auto &a : arrays)
      members += (members.empty() ? "" : ", ") +
                 a.name.substr(path.size() + 1);
    return path + ": no images and labels arrays (looked for images/labels, "
                  "x/y and their _" +
           split + " forms; the archive has " + members + ")";
  }
  return openArrays("npz:" + path, std::move(*images), *labels, split, pre,
                    target, out);
}

std::string openIDX(const std::string &spec, const std::string &dir,
                    const std::string &split, const ImagePreprocess &pre,
                    const Target &target, std::unique_ptr<ImageSet> &out) {
  auto set = std::make_unique<IDXImageSet>();
  IDXArray labels;
  std::string imagesPath;
  if (std::string e =
          readMNISTLike(dir, split, set->images, labels, &imagesPath);
      !e.empty())
    return e;
  set->labels_.assign(labels.bytes.begin(), labels.bytes.end());
  set->name = imagesPath;
  set->pre = pre;
  set->target = target;
  set->shape_ = outputShape(pre, target, 1, set->images.dims[1],
                            set->images.dims[2]);
  set->description_ =
      describe(spec, split, set->size(), set->shape_, 0);
  out = std::move(set);
  return "";
}

} // namespace

std::string openImageSet(const std::string &spec, const std::string &split,
                         const ImagePreprocess &pre, const Shape &input,
                         std::unique_ptr<ImageSet> &out) {
  out.reset();
  if (split != "train" && split != "test")
    return "the split must be train or test, not '" + split + "'";
  if (std::string e = checkPreprocess(pre); !e.empty())
    return e;
  Target target;
  target.input = input;
  if (input.size() == 4) {
    target.channels = input[1] > 0 ? input[1] : 0;
    if (input[2] > 0 && input[3] > 0) {
      target.height = input[2];
      target.width = input[3];
    }
  }
  if (target.channels > 0 && !pre.mean.empty() && pre.mean.size() != 1 &&
      int64_t(pre.mean.size()) != target.channels)
    return "--mean has " + std::to_string(pre.mean.size()) +
           " values; the network input " + formatShape(input) + " has " +
           std::to_string(target.channels) + " channels";
  if (target.channels > 0 && !pre.std.empty() && pre.std.size() != 1 &&
      int64_t(pre.std.size()) != target.channels)
    return "--std has " + std::to_string(pre.std.size()) +
           " values; the network input " + formatShape(input) + " has " +
           std::to_string(target.channels) + " channels";
  size_t colon = spec.find(':');
  std::string kind = colon == std::string::npos ? "" : spec.substr(0, colon);
  std::string rest = colon == std::string::npos ? spec : spec.substr(colon + 1);
  std::string e;
  if (spec == "fashion-mnist") {
    e = openIDX(spec, kFashionMNISTDir, split, pre, target, out);
    if (!e.empty())
      e += " (Fashion-MNIST comes with Debian's dataset-fashion-mnist)";
  } else if (kind == "idx") {
    e = openIDX(spec, rest, split, pre, target, out);
  } else if (kind == "imagefolder") {
    e = openFolder(rest, split, pre, target, out);
  } else if (kind == "cifar10" || kind == "cifar100") {
    e = openCifar(rest, kind == "cifar100", split, pre, target, out);
  } else if (kind == "npy") {
    size_t comma = rest.find(',');
    if (comma == std::string::npos)
      return "npy: takes IMAGES.npy,LABELS.npy (two files), got '" + rest +
             "'";
    NpyArray images, labels;
    if (e = openNpy(rest.substr(0, comma), images); !e.empty())
      return e;
    if (e = openNpy(rest.substr(comma + 1), labels); !e.empty())
      return e;
    e = openArrays(spec, std::move(images), labels, split, pre, target, out);
  } else if (kind == "npz") {
    e = openNpzSet(rest, split, pre, target, out);
  } else if (!kind.empty() && !isDirectory(spec)) {
    return "unknown data set kind '" + kind +
           ":' (data sets: fashion-mnist, idx:DIR, imagefolder:DIR, "
           "cifar10:DIR, cifar100:DIR, npy:IMAGES.npy,LABELS.npy or npz:FILE)";
  } else {
    if (!isDirectory(spec))
      return spec + ": no such folder (data sets: fashion-mnist, idx:DIR, "
                    "imagefolder:DIR, cifar10:DIR, cifar100:DIR, "
                    "npy:IMAGES.npy,LABELS.npy or npz:FILE)";
    e = openIDX(spec, spec, split, pre, target, out);
  }
  if (!e.empty()) {
    out.reset();
    return e;
  }
  if (out->size() == 0)
    return out->description() + ": no images";
  // Sets of one image size are checked here, folders image by image.
  const Shape &got = out->sampleShape();
  if (target.height > 0 && (got[1] != target.height || got[2] != target.width)) {
    std::string size = std::to_string(got[1]) + "×" + std::to_string(got[2]);
    std::string hint =
        pre.resize > 0 || pre.cropHeight > 0
            ? " after resizing and cropping"
            : " (resize and crop them, e.g. --resize " +
                  std::to_string(target.height * 8 / 7) + " --crop " +
                  std::to_string(target.height) + ")";
    e = spec + ": the network input " + formatShape(input) +
        " does not take the data's " + size + " images" + hint;
    out.reset();
  }
  return e;
}

std::string loadAllImages(const ImageSet &set, int64_t limit,
                          ImageDataset &out) {
  int64_t n = limit > 0 ? std::min(limit, set.size()) : set.size();
  if (std::string e =
          checkMemory(double(n) * double(numElements(set.sampleShape())) * 4.0,
                      "holding " + set.description() + " in memory");
      !e.empty())
    return e;
  std::vector<int64_t> indices(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    indices[size_t(i)] = i;
  return set.load(indices, out.images, out.labels);
}

std::string loadImageDataset(const std::string &spec, const std::string &split,
                             ImageDataset &out, const ImagePreprocess &pre,
                             const Shape &input, int64_t limit) {
  std::unique_ptr<ImageSet> set;
  if (std::string e = openImageSet(spec, split, pre, input, set); !e.empty())
    return e;
  return loadAllImages(*set, limit, out);
}

} // namespace snnrt
