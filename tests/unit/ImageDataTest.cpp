//===- ImageDataTest.cpp - image data sets in every format ----------------===//
//
// One small RGB data set written as an image folder (PNG), CIFAR-10 batch
// files, .npy (N×H×W×C, N×C×H×W, uint8 and float32) and .npz (stored and
// deflated) must read back as the same tensors; preprocessing follows
// torchvision; bad files get errors that name the file and the problem.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/ImageFiles.h"
#include "runtime/data/ImageSet.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>

using namespace snnrt;

namespace {

constexpr int64_t kN = 6, kC = 3, kH = 32, kW = 32;
const int kLabels[kN] = {0, 1, 2, 0, 1, 2};

std::string folder(const std::string &name) {
  std::string dir = ::testing::TempDir() + "/imagedata-" + name;
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return dir;
}

void writeBytes(const std::string &path, const std::vector<uint8_t> &b) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(b.data()), std::streamsize(b.size()));
}

std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

/// Pixel (n, y, x, c) of the test set: smooth gradients, different per image.
uint8_t pixel(int64_t n, int64_t y, int64_t x, int64_t c) {
  return uint8_t((n * 37 + y * 5 + x * 3 + c * 80) % 256);
}

DecodedImage image(int64_t n, int64_t h = kH, int64_t w = kW) {
  DecodedImage d;
  d.height = h;
  d.width = w;
  d.channels = 3;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t c = 0; c < 3; ++c)
        d.pixels.push_back(pixel(n, y, x, c));
  return d;
}

/// A zip archive of (name, bytes) members, stored or deflated.
std::vector<uint8_t>
zipArchive(const std::vector<std::pair<std::string, std::vector<uint8_t>>> &m,
           bool compress) {
  std::vector<uint8_t> out, dir;
  auto put16 = [](std::vector<uint8_t> &v, uint32_t x) {
    v.push_back(uint8_t(x));
    v.push_back(uint8_t(x >> 8));
  };
  auto put32 = [&](std::vector<uint8_t> &v, uint32_t x) {
    put16(v, x & 0xffff);
    put16(v, x >> 16);
  };
  for (const auto &[name, data] : m) {
    std::vector<uint8_t> packed = data;
    if (compress) {
      z_stream z;
      std::memset(&z, 0, sizeof z);
      deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
      packed.resize(deflateBound(&z, uLong(data.size())));
      z.next_in = const_cast<uint8_t *>(data.data());
      z.avail_in = uInt(data.size());
      z.next_out = packed.data();
      z.avail_out = uInt(packed.size());
      ::deflate(&z, Z_FINISH);
      packed.resize(z.total_out);
      deflateEnd(&z);
    }
    uint32_t crc = uint32_t(crc32(0, data.data(), uInt(data.size())));
    uint32_t offset = uint32_t(out.size());
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, 0);
    put16(out, compress ? 8 : 0);
    put32(out, 0);
    put32(out, crc);
    put32(out, uint32_t(packed.size()));
    put32(out, uint32_t(data.size()));
    put16(out, uint32_t(name.size()));
    put16(out, 0);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), packed.begin(), packed.end());
    put32(dir, 0x02014b50);
    put16(dir, 20);
    put16(dir, 20);
    put16(dir, 0);
    put16(dir, compress ? 8 : 0);
    put32(dir, 0);
    put32(dir, crc);
    put32(dir, uint32_t(packed.size()));
    put32(dir, uint32_t(data.size()));
    put16(dir, uint32_t(name.size()));
    put16(dir, 0);
    put16(dir, 0);
    put16(dir, 0);
    put16(dir, 0);
    put32(dir, 0);
    put32(dir, offset);
    dir.insert(dir.end(), name.begin(), name.end());
  }
  uint32_t dirAt = uint32_t(out.size());
  out.insert(out.end(), dir.begin(), dir.end());
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, uint32_t(m.size()));
  put16(out, uint32_t(m.size()));
  put32(out, uint32_t(dir.size()));
  put32(out, dirAt);
  put16(out, 0);
  return out;
}

/// The test set in every format under `dir`.
struct Fixture {
  std::string dir;
  std::vector<uint8_t> nhwc, nchw; // uint8 arrays
  std::vector<int64_t> labels;

  explicit Fixture(const std::string &name) : dir(folder(name)) {
    for (int64_t n = 0; n < kN; ++n) {
      labels.push_back(kLabels[n]);
      for (int64_t y = 0; y < kH; ++y)
        for (int64_t x = 0; x < kW; ++x)
          for (int64_t c = 0; c < kC; ++c)
            nhwc.push_back(pixel(n, y, x, c));
      for (int64_t c = 0; c < kC; ++c)
        for (int64_t y = 0; y < kH; ++y)
          for (int64_t x = 0; x < kW; ++x)
            nchw.push_back(pixel(n, y, x, c));
    }
    // Image folder: test split in DIR/folder/val/CLASS.
    for (int64_t n = 0; n < kN; ++n) {
      std::string cls = dir + "/folder/val/class" + std::to_string(kLabels[n]);
      EXPECT_EQ(std::system(("mkdir -p '" + cls + "'").c_str()), 0);
      std::vector<uint8_t> png;
      EXPECT_EQ(encodePNG(image(n), png), "");
      writeBytes(cls + "/img" + std::to_string(n) + ".png", png);
    }
    EXPECT_EQ(std::system(("mkdir -p '" + dir + "/folder/train/a'").c_str()),
              0);
    // CIFAR-10's test batch.
    std::vector<uint8_t> cifar;
    for (int64_t n = 0; n < kN; ++n) {
      cifar.push_back(uint8_t(kLabels[n]));
      cifar.insert(cifar.end(), nchw.begin() + n * kC * kH * kW,
                   nchw.begin() + (n + 1) * kC * kH * kW);
    }
    EXPECT_EQ(std::system(("mkdir -p '" + dir + "/cifar'").c_str()), 0);
    writeBytes(dir + "/cifar/test_batch.bin", cifar);
    // NumPy.
    writeBytes(dir + "/nhwc.npy",
               npyBytes("|u1", {kN, kH, kW, kC}, nhwc.data(), nhwc.size()));
    writeBytes(dir + "/nchw.npy",
               npyBytes("|u1", {kN, kC, kH, kW}, nchw.data(), nchw.size()));
    std::vector<float> f(nchw.begin(), nchw.end());
    for (float &v : f)
      v /= 255.0f;
    writeBytes(dir + "/float.npy",
               npyBytes("<f4", {kN, kC, kH, kW}, f.data(), f.size() * 4));
    writeBytes(dir + "/labels.npy",
               npyBytes("<i8", {kN}, labels.data(), labels.size() * 8));
    auto members = std::vector<std::pair<std::string, std::vector<uint8_t>>>{
        {"x_test.npy",
         npyBytes("|u1", {kN, kH, kW, kC}, nhwc.data(), nhwc.size())},
        {"y_test.npy",
         npyBytes("<i8", {kN}, labels.data(), labels.size() * 8)}};
    writeBytes(dir + "/stored.npz", zipArchive(members, false));
    writeBytes(dir + "/deflated.npz", zipArchive(members, true));
  }
};

Tensor loadAll(const std::string &spec, const Shape &input,
               std::vector<int> &labels,
               const ImagePreprocess &pre = ImagePreprocess()) {
  std::unique_ptr<ImageSet> set;
  std::string e = openImageSet(spec, "test", pre, input, set);
  EXPECT_EQ(e, "") << spec;
  Tensor x;
  if (!set)
    return x;
  std::vector<int64_t> all;
  for (int64_t i = 0; i < set->size(); ++i)
    all.push_back(i);
  EXPECT_EQ(set->load(all, x, labels), "") << spec;
  return x;
}

std::string openError(const std::string &spec, const Shape &input,
                      const ImagePreprocess &pre = ImagePreprocess()) {
  std::unique_ptr<ImageSet> set;
  std::string e = openImageSet(spec, "test", pre, input, set);
  if (!e.empty())
    return e;
  Tensor x;
  std::vector<int> labels;
  std::vector<int64_t> all;
  for (int64_t i = 0; i < set->size(); ++i)
    all.push_back(i);
  return set->load(all, x, labels);
}

} // namespace

TEST(ImageData, EveryFormatReadsTheSameTensors) {
  Fixture f("formats");
  Shape input = {-1, 3, 32, 32};
  std::vector<int> labels;
  Tensor want = loadAll("npy:" + f.dir + "/nchw.npy," + f.dir + "/labels.npy",
                        input, labels);
  ASSERT_EQ(want.shape, (Shape{kN, 3, 32, 32}));
  EXPECT_EQ(labels, std::vector<int>(kLabels, kLabels + kN));
  EXPECT_FLOAT_EQ(want.data[0], pixel(0, 0, 0, 0) / 255.0f);
  EXPECT_FLOAT_EQ(want.data[size_t(2 * kH * kW + 5 * kW + 7)],
                  pixel(0, 5, 7, 2) / 255.0f);
  // The folder sorts files within classes: class0 holds images 0 and 3.
  std::vector<int> order = {0, 3, 1, 4, 2, 5};
  for (const std::string &spec :
       {"npy:" + f.dir + "/nhwc.npy," + f.dir + "/labels.npy",
        "npy:" + f.dir + "/float.npy," + f.dir + "/labels.npy",
        "npz:" + f.dir + "/stored.npz", "npz:" + f.dir + "/deflated.npz",
        "cifar10:" + f.dir + "/cifar", "imagefolder:" + f.dir + "/folder"}) {
    std::vector<int> got;
    Tensor x = loadAll(spec, input, got);
    ASSERT_EQ(x.shape, want.shape) << spec;
    bool isFolder = contains(spec, "imagefolder:");
    int64_t per = kC * kH * kW;
    for (int64_t n = 0; n < kN; ++n) {
      int64_t src = isFolder ? order[size_t(n)] : n;
      EXPECT_EQ(got[size_t(n)], kLabels[src]) << spec;
      for (int64_t i = 0; i < per; ++i)
        ASSERT_NEAR(x.data[size_t(n * per + i)], want.data[size_t(src * per + i)],
                    1e-6)
            << spec << " sample " << n << " element " << i;
    }
  }
}

TEST(ImageData, PreprocessingAsTorchvision) {
  Fixture f("preprocess");
  std::vector<int> labels;
  std::string spec = "npy:" + f.dir + "/nchw.npy," + f.dir + "/labels.npy";
  // Normalize and BGR order.
  ImagePreprocess pre;
  ASSERT_EQ(setNormalization("imagenet", pre), "");
  ImagePreprocess both = pre;
  EXPECT_EQ(setNormalization("cifar10", both),
            "normalize and mean/std exclude each other");
  EXPECT_NE(setNormalization("coco", both), "");
  pre.bgr = true;
  Tensor x = loadAll(spec, {-1, 3, 32, 32}, labels, pre);
  ASSERT_EQ(x.shape, (Shape{kN, 3, 32, 32}));
  // Channel 0 of the output is blue, normalized with the blue statistics.
  EXPECT_NEAR(x.data[0], (pixel(0, 0, 0, 2) / 255.0f - 0.406f) / 0.225f, 1e-5);
  // Resize the shorter side to 20 and center-crop 16×12: the offsets follow
  // Python's round(): (20 - 16) / 2 = 2, (20 - 12) / 2 = 4.
  ImagePreprocess small;
  small.resize = 20;
  small.cropHeight = 16;
  small.cropWidth = 12;
  Tensor y = loadAll(spec, {-1, 3, 16, 12}, labels, small);
  EXPECT_EQ(y.shape, (Shape{kN, 3, 16, 12}));
  // A constant image stays constant through the antialiased resize.
  std::vector<uint8_t> flat(size_t(2 * 48 * 64 * 3), 200);
  writeBytes(f.dir + "/flat.npy", npyBytes("|u1", {2, 48, 64, 3}, flat.data(),
                                           flat.size()));
  std::vector<int64_t> two = {0, 1};
  writeBytes(f.dir + "/two.npy", npyBytes("<i8", {2}, two.data(), 16));
  ImagePreprocess r;
  r.resize = 32; // 48×64 -> 32×42, then the network's 32×32 crop
  Tensor z = loadAll("npy:" + f.dir + "/flat.npy," + f.dir + "/two.npy",
                     {-1, 3, 32, 32}, labels, r);
  ASSERT_EQ(z.shape, (Shape{2, 3, 32, 32}));
  for (float v : z.data)
    ASSERT_FLOAT_EQ(v, 200.0f / 255.0f);
  // Gray IDX-style arrays feed an RGB network (replicated), RGB a gray one
  // (ITU-R 601 luma, as PIL's convert("L")).
  Tensor g = loadAll(spec, {-1, 1, 32, 32}, labels);
  ASSERT_EQ(g.shape, (Shape{kN, 1, 32, 32}));
  float luma = std::nearbyint(0.299f * pixel(0, 0, 0, 0) +
                              0.587f * pixel(0, 0, 0, 1) +
                              0.114f * pixel(0, 0, 0, 2));
  EXPECT_FLOAT_EQ(g.data[0], luma / 255.0f);
}

TEST(ImageData, JpegDecodesCloseToTheSource) {
  // A smooth image (JPEG's 4:2:0 chroma blurs edges).
  DecodedImage src = image(0), back;
  for (int64_t y = 0; y < kH; ++y)
    for (int64_t x = 0; x < kW; ++x)
      for (int64_t c = 0; c < 3; ++c)
        src.pixels[size_t((y * kW + x) * 3 + c)] = uint8_t(y * 4 + x * 2 + c * 30);
  std::vector<uint8_t> jpeg;
  ASSERT_EQ(encodeJPEG(src, 95, jpeg), "");
  ASSERT_EQ(decodeImage(jpeg.data(), jpeg.size(), "x.jpg", 3, back), "");
  ASSERT_EQ(back.pixels.size(), src.pixels.size());
  double err = 0;
  for (size_t i = 0; i < src.pixels.size(); ++i)
    err += std::abs(int(src.pixels[i]) - int(back.pixels[i]));
  EXPECT_LT(err / double(src.pixels.size()), 2.0);
}

TEST(ImageData, BadFilesNameTheFileAndTheProblem) {
  Fixture f("bad");
  Shape input = {-1, 3, 32, 32};
  std::string cls = f.dir + "/folder/val/class0";
  // A corrupt PNG: cut in the middle.
  std::vector<uint8_t> png = readBytes(cls + "/img0.png");
  png.resize(png.size() / 2);
  writeBytes(cls + "/img0.png", png);
  std::string e = openError("imagefolder:" + f.dir + "/folder", input);
  EXPECT_TRUE(contains(e, cls + "/img0.png") && contains(e, "corrupt PNG"))
      << e;
  // A truncated JPEG.
  std::vector<uint8_t> jpeg;
  ASSERT_EQ(encodeJPEG(image(0), 90, jpeg), "");
  jpeg.resize(jpeg.size() / 2);
  writeBytes(cls + "/img0.png", readBytes(cls + "/img3.png")); // repair
  writeBytes(cls + "/img9.jpg", jpeg);
  e = openError("imagefolder:" + f.dir + "/folder", input);
  EXPECT_TRUE(contains(e, cls + "/img9.jpg") && contains(e, "corrupt JPEG"))
      << e;
  // An image of the wrong size.
  std::vector<uint8_t> small;
  ASSERT_EQ(encodePNG(image(0, 16, 20), small), "");
  writeBytes(cls + "/img9.jpg", small); // a PNG named .jpg: decoded by content
  e = openError("imagefolder:" + f.dir + "/folder", input);
  EXPECT_TRUE(contains(e, cls + "/img9.jpg") && contains(e, "takes 32×32") &&
              contains(e, "16×20"))
      << e;
  // Not an image at all.
  writeBytes(cls + "/img9.jpg", {'h', 'e', 'l', 'l', 'o'});
  e = openError("imagefolder:" + f.dir + "/folder", input);
  EXPECT_TRUE(contains(e, "not a PNG or JPEG")) << e;
  // A truncated CIFAR record.
  std::vector<uint8_t> cifar = readBytes(f.dir + "/cifar/test_batch.bin");
  cifar.resize(cifar.size() - 100);
  writeBytes(f.dir + "/cifar/test_batch.bin", cifar);
  e = openError("cifar10:" + f.dir + "/cifar", input);
  EXPECT_TRUE(contains(e, "test_batch.bin") && contains(e, "truncated record"))
      << e;
  // A CIFAR-10 label out of range.
  cifar.resize(3073);
  cifar[0] = 10;
  writeBytes(f.dir + "/cifar/test_batch.bin", cifar);
  e = openError("cifar10:" + f.dir + "/cifar", input);
  EXPECT_TRUE(contains(e, "label 10")) << e;
  // An npy of an unsupported dtype.
  std::vector<int16_t> shorts(size_t(kN * kC * kH * kW), 1);
  writeBytes(f.dir + "/shorts.npy", npyBytes("<i2", {kN, kC, kH, kW},
                                             shorts.data(), shorts.size() * 2));
  e = openError("npy:" + f.dir + "/shorts.npy," + f.dir + "/labels.npy",
                input);
  EXPECT_TRUE(contains(e, "shorts.npy") && contains(e, "int16") &&
              contains(e, "uint8 and float32"))
      << e;
  // Label counts that do not match.
  std::vector<int64_t> five = {0, 1, 2, 0, 1};
  writeBytes(f.dir + "/five.npy", npyBytes("<i8", {5}, five.data(), 40));
  e = openError("npy:" + f.dir + "/nchw.npy," + f.dir + "/five.npy", input);
  EXPECT_TRUE(contains(e, "6 images") && contains(e, "5 labels")) << e;
  // A header that claims more than the file holds.
  std::vector<uint8_t> npy = readBytes(f.dir + "/nchw.npy");
  npy.resize(npy.size() - 1);
  writeBytes(f.dir + "/cut.npy", npy);
  e = openError("npy:" + f.dir + "/cut.npy," + f.dir + "/labels.npy", input);
  EXPECT_TRUE(contains(e, "cut.npy") && contains(e, "truncated array")) << e;
  // A corrupt deflated npz member.
  std::vector<uint8_t> npz = readBytes(f.dir + "/deflated.npz");
  npz[60] ^= 0x55;
  writeBytes(f.dir + "/bad.npz", npz);
  e = openError("npz:" + f.dir + "/bad.npz", input);
  EXPECT_TRUE(contains(e, "bad.npz") && contains(e, "corrupt")) << e;
  // A deflated member claiming more than deflate can expand to (a zip bomb
  // or a lie): refused before the allocation.
  std::vector<uint8_t> bomb = readBytes(f.dir + "/deflated.npz");
  for (size_t i = 0; i + 28 < bomb.size(); ++i)
    if (bomb[i] == 0x50 && bomb[i + 1] == 0x4b && bomb[i + 2] == 1 &&
        bomb[i + 3] == 2) { // central directory entry: uncompressed size
      bomb[i + 24] = bomb[i + 25] = bomb[i + 26] = 0xff;
      bomb[i + 27] = 0x7f;
      break;
    }
  writeBytes(f.dir + "/bomb.npz", bomb);
  e = openError("npz:" + f.dir + "/bomb.npz", input);
  EXPECT_TRUE(contains(e, "bomb.npz") && contains(e, "cannot hold")) << e;
  // Unknown kinds and missing folders.
  e = openError("tfrecord:" + f.dir, input);
  EXPECT_TRUE(contains(e, "unknown data set kind 'tfrecord:'")) << e;
  e = openError("imagefolder:" + f.dir + "/nothing", input);
  EXPECT_TRUE(contains(e, "no such folder")) << e;
  // Channels that cannot be converted.
  std::vector<uint8_t> two(size_t(kN * 2 * kH * kW), 0);
  writeBytes(f.dir + "/two.npy", npyBytes("|u1", {kN, 2, kH, kW}, two.data(),
                                          two.size()));
  ImagePreprocess nchw;
  nchw.layout = "nchw";
  e = openError("npy:" + f.dir + "/two.npy," + f.dir + "/labels.npy", input,
                nchw);
  EXPECT_TRUE(contains(e, "2 channels")) << e;
}
