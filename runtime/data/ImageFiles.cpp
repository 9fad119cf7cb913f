//===- ImageFiles.cpp - PNG, JPEG and NumPy files --------------------------===//

#include "runtime/data/ImageFiles.h"
#include "runtime/io/AtomicFile.h"
#include "runtime/tensor/Tensor.h"

#include <jpeglib.h>
// after jpeglib.h, which it needs
#include <jerror.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace snnrt {

ReadOnlyFile::~ReadOnlyFile() {
  if (fd >= 0)
    ::close(fd);
}

std::string ReadOnlyFile::open(const std::string &p) {
  path = p;
  fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return p + ": cannot open (" + std::strerror(errno) + ")";
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return p + ": not a regular file";
  size = st.st_size;
  return "";
}

bool ReadOnlyFile::readAt(int64_t offset, void *dst, size_t n) const {
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd, static_cast<char *>(dst) + done, n - done,
                          off_t(offset + int64_t(done)));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return false;
    done += size_t(got);
  }
  return true;
}

namespace {

/// The whole of a regular file, at most `limit` bytes.
std::string readWholeFile(const std::string &path, int64_t limit,
                          std::vector<uint8_t> &out) {
  ReadOnlyFile f;
  if (std::string e = f.open(path); !e.empty())
    return e;
  if (f.size > limit)
    return path + ": " + formatBytes(double(f.size)) +
           " is more than the largest image file read (" +
           formatBytes(double(limit)) + ")";
  out.resize(size_t(f.size));
  if (!f.readAt(0, out.data(), out.size()))
    return path + ": read error (" + std::strerror(errno) + ")";
  return "";
}

std::string tooLarge(const std::string &name, int64_t w, int64_t h) {
  return name + ": a " + std::to_string(w) + "×" + std::to_string(h) +
         " image is larger than the largest decoded (" +
         std::to_string(kMaxImagePixels) + " pixels)";
}

/// "" when a file of `bytes` bytes can hold a w×h image, else a message.
/// Deflate expands at most 1032:1 and a 1-bit PNG packs 8 pixels per byte;
/// a JPEG needs at least a few bits per 8×8 block: no real file holds more
/// than ~8,300 pixels per byte. A header claiming more is refused before
/// its pixels are allocated (bounded memory for bounded input).
std::string checkClaim(const std::string &name, const char *kind, int64_t w,
                       int64_t h, size_t bytes) {
  if (w * h > kMaxImagePixels)
    return tooLarge(name, w, h);
  if (w * h > 8300 * int64_t(bytes) + (int64_t(1) << 20))
    return name + ": corrupt " + kind + " (a " + std::to_string(w) + "×" +
           std::to_string(h) + " image cannot fit in " +
           std::to_string(bytes) + " bytes)";
  return "";
}

/// PIL's RGB to L: ITU-R 601-2 luma in 16-bit fixed point.
uint8_t luma(const uint8_t *rgb) {
  return uint8_t((rgb[0] * 19595u + rgb[1] * 38470u + rgb[2] * 7471u +
                  0x8000u) >>
                 16);
}

std::string decodePNG(const uint8_t *bytes, size_t size,
                      const std::string &name, int channels,
                      DecodedImage &out) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes, size))
    return name + ": corrupt PNG (" + image.message + ")";
  if (std::string e =
          checkClaim(name, "PNG", image.width, image.height, size);
      !e.empty()) {
    png_image_free(&image);
    return e;
  }
  // Read with alpha and drop it (libpng would compose it onto a
  // background; PIL's convert drops it); colour to gray with PIL's luma.
  bool sourceGray = (image.format & PNG_FORMAT_FLAG_COLOR) == 0;
  image.format = sourceGray ? PNG_FORMAT_GA : PNG_FORMAT_RGBA;
  int in = sourceGray ? 2 : 4;
  std::vector<uint8_t> raw(size_t(image.width) * image.height * in);
  if (!png_image_finish_read(&image, nullptr, raw.data(), 0, nullptr))
    return name + ": corrupt PNG (" + image.message + ")";
  out.height = image.height;
  out.width = image.width;
  out.channels = channels;
  out.pixels.resize(size_t(out.height * out.width * channels));
  int64_t n = out.height * out.width;
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t *s = &raw[size_t(i * in)];
    uint8_t *d = &out.pixels[size_t(i * channels)];
    if (sourceGray)
      std::fill_n(d, channels, s[0]);
    else if (channels == 1)
      d[0] = luma(s);
    else
      std::copy_n(s, 3, d);
  }
  return "";
}

struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {0};
};

void jpegFail(j_common_ptr info) {
  auto *e = reinterpret_cast<JpegError *>(info->err);
  (*info->err->format_message)(info, e->message);
  std::longjmp(e->jump, 1);
}

/// Warnings are ignored (e.g. extraneous bytes, which PIL accepts too),
/// except a premature end of data: libjpeg would fill the rest of the image
/// with gray, PIL refuses a truncated file.
void jpegWarning(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF)
    jpegFail(info);
}

std::string decodeJPEG(const uint8_t *bytes, size_t size,
                       const std::string &name, int channels,
                       DecodedImage &out) {
  jpeg_decompress_struct info;
  JpegError err;
  info.err = jpeg_std_error(&err.manager);
  err.manager.error_exit = jpegFail;
  err.manager.emit_message = jpegWarning;
  // Nothing with a destructor may be created between setjmp and longjmp.
  std::vector<uint8_t> row;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&info);
    return name + ": corrupt JPEG (" + err.message + ")";
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  if (int64_t(info.image_width) * info.image_height > kMaxImagePixels ||
      int64_t(info.image_width) * info.image_height >
          8300 * int64_t(size) + (int64_t(1) << 20)) {
    int64_t w = info.image_width, h = info.image_height;
    jpeg_destroy_decompress(&info);
    return checkClaim(name, "JPEG", w, h, size);
  }
  bool cmyk = info.jpeg_color_space == JCS_CMYK ||
              info.jpeg_color_space == JCS_YCCK;
  // Colour to gray as PIL does (from RGB), not libjpeg's Y channel.
  info.out_color_space =
      cmyk ? JCS_CMYK
           : (info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB);
  jpeg_start_decompress(&info);
  int in = info.output_components;
  out.height = info.output_height;
  out.width = info.output_width;
  out.channels = channels;
  row.assign(size_t(out.width) * in, 0);
  out.pixels.resize(size_t(out.height * out.width * channels));
  for (int64_t y = 0; info.output_scanline < info.output_height; ++y) {
    JSAMPROW rows[1] = {row.data()};
    jpeg_read_scanlines(&info, rows, 1);
    uint8_t *dst = out.pixels.data() + y * out.width * channels;
    for (int64_t x = 0; x < out.width; ++x) {
      const uint8_t *s = row.data() + x * in;
      uint8_t rgb[3];
      if (in == 1) {
        rgb[0] = rgb[1] = rgb[2] = s[0];
      } else if (in == 4) {
        // Adobe's inverted CMYK, as PIL turns it into RGB.
        for (int c = 0; c < 3; ++c)
          rgb[c] = uint8_t(255 - std::min(255, (255 - s[c]) + (255 - s[3])));
      } else {
        std::copy_n(s, 3, rgb);
      }
      if (channels == 1)
        dst[x] = in == 1 ? s[0] : luma(rgb);
      else
        std::copy_n(rgb, 3, dst + x * 3);
    }
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return "";
}

} // namespace

std::string decodeImage(const uint8_t *bytes, size_t size,
                        const std::string &name, int channels,
                        DecodedImage &out) {
  out = DecodedImage();
  if (channels != 1 && channels != 3)
    return name + ": images are decoded to 1 or 3 channels, not " +
           std::to_string(channels);
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (size >= 8 && std::memcmp(bytes, png, 8) == 0)
    return decodePNG(bytes, size, name, channels, out);
  if (size >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff)
    return decodeJPEG(bytes, size, name, channels, out);
  if (size == 0)
    return name + ": empty file, not an image";
  return name + ": not a PNG or JPEG image (unknown signature)";
}

std::string decodeImageFile(const std::string &path, int channels,
                            DecodedImage &out) {
  std::vector<uint8_t> bytes;
  if (std::string e = readWholeFile(path, int64_t(1) << 30, bytes); !e.empty())
    return e;
  return decodeImage(bytes.data(), bytes.size(), path, channels, out);
}

std::string encodePNG(const DecodedImage &image, std::vector<uint8_t> &out) {
  png_image p;
  std::memset(&p, 0, sizeof p);
  p.version = PNG_IMAGE_VERSION;
  p.width = png_uint_32(image.width);
  p.height = png_uint_32(image.height);
  p.format = image.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&p, nullptr, &size, 0, image.pixels.data(), 0,
                                 nullptr))
    return std::string("PNG encoding failed (") + p.message + ")";
  out.resize(size);
  if (!png_image_write_to_memory(&p, out.data(), &size, 0, image.pixels.data(),
                                 0, nullptr))
    return std::string("PNG encoding failed (") + p.message + ")";
  out.resize(size);
  return "";
}

std::string encodeJPEG(const DecodedImage &image, int quality,
                       std::vector<uint8_t> &out) {
  jpeg_compress_struct info;
  JpegError err;
  info.err = jpeg_std_error(&err.manager);
  err.manager.error_exit = jpegFail;
  unsigned char *buffer = nullptr;
  unsigned long size = 0;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&info);
    std::free(buffer);
    return std::string("JPEG encoding failed (") + err.message + ")";
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = JDIMENSION(image.width);
  info.image_height = JDIMENSION(image.height);
  info.input_components = int(image.channels);
  info.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row[1] = {const_cast<uint8_t *>(image.pixels.data()) +
                       size_t(info.next_scanline) * image.width *
                           image.channels};
    jpeg_write_scanlines(&info, row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  out.assign(buffer, buffer + size);
  std::free(buffer);
  return "";
}

//===----------------------------------------------------------------------===//
// NumPy
//===----------------------------------------------------------------------===//

int64_t NpyArray::elements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string NpyArray::dtypeName() const {
  std::string bits = std::to_string(itemSize * 8);
  switch (kind) {
  case 'u':
    return "uint" + bits;
  case 'i':
    return "int" + bits;
  case 'f':
    return "float" + bits;
  case 'b':
    return "bool";
  default:
    return std::string(1, kind) + std::to_string(itemSize);
  }
}

namespace {

/// The value of `key` in the header's Python dict literal, as written
/// (quotes and parentheses included), or "" when absent.
std::string dictValue(const std::string &header, const std::string &key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return "";
  size_t colon = header.find(':', k);
  if (colon == std::string::npos)
    return "";
  size_t b = header.find_first_not_of(' ', colon + 1);
  if (b == std::string::npos)
    return "";
  size_t e;
  if (header[b] == '\'')
    e = header.find('\'', b + 1);
  else if (header[b] == '(')
    e = header.find(')', b);
  else if (header[b] == '[')
    e = header.find(']', b);
  else {
    e = header.find_first_of(",}", b);
    if (e != std::string::npos)
      --e;
  }
  if (e == std::string::npos)
    return "";
  return header.substr(b, e - b + 1);
}

/// Parses an npy header from `bytes` (at least the first 10 of the file);
/// `headerBytes` gets the offset of the elements.
std::string parseNpyHeader(const std::string &name,
                           const std::function<bool(int64_t, size_t, void *)>
                               &read,
                           int64_t available, NpyArray &out,
                           int64_t &headerBytes) {
  unsigned char pre[12];
  if (available < 10 || !read(0, 10, pre))
    return name + ": truncated NumPy header";
  if (std::memcmp(pre, "\x93NUMPY", 6) != 0)
    return name + ": not a NumPy .npy file (no \\x93NUMPY magic)";
  int major = pre[6];
  int64_t len, start;
  if (major == 1) {
    len = pre[8] | (int64_t(pre[9]) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (available < 12 || !read(0, 12, pre))
      return name + ": truncated NumPy header";
    len = pre[8] | (int64_t(pre[9]) << 8) | (int64_t(pre[10]) << 16) |
          (int64_t(pre[11]) << 24);
    start = 12;
  } else {
    return name + ": NumPy format version " + std::to_string(major) +
           " is not supported (1, 2 and 3 are)";
  }
  if (len > (int64_t(1) << 20) || start + len > available)
    return name + ": truncated NumPy header (" + std::to_string(len) +
           " bytes claimed)";
  std::string header(size_t(len), '\0');
  if (!read(start, size_t(len), header.data()))
    return name + ": truncated NumPy header";
  headerBytes = start + len;
  std::string descr = dictValue(header, "descr");
  std::string fortran = dictValue(header, "fortran_order");
  std::string shape = dictValue(header, "shape");
  if (descr.size() < 2 || descr.front() != '\'' || shape.empty() ||
      shape.front() != '(')
    return name + ": the NumPy header has no descr or shape (structured "
                  "arrays are not supported): " +
           header.substr(0, 200);
  descr = descr.substr(1, descr.size() - 2);
  if (descr.size() < 3 || std::string("<>|=").find(descr[0]) == std::string::npos)
    return name + ": unsupported NumPy dtype '" + descr + "'";
  if (descr[0] == '>' && descr.substr(1) != "u1" && descr.substr(1) != "i1")
    return name + ": big-endian arrays ('" + descr +
           "') are not supported; save the array little-endian";
  out.kind = descr[1];
  if (std::string("uifb").find(out.kind) == std::string::npos ||
      descr.find_first_not_of("0123456789", 2) != std::string::npos)
    return name + ": unsupported NumPy dtype '" + descr +
           "' (integers, floats and bools are)";
  out.itemSize = std::atoi(descr.c_str() + 2);
  if (out.itemSize != 1 && out.itemSize != 2 && out.itemSize != 4 &&
      out.itemSize != 8)
    return name + ": unsupported NumPy dtype '" + descr + "'";
  if (fortran == "True")
    return name + ": Fortran-ordered arrays are not supported; save it with "
                  "np.ascontiguousarray";
  out.shape.clear();
  std::string dims = shape.substr(1, shape.size() - 2);
  size_t p = 0;
  while (p < dims.size()) {
    size_t b = dims.find_first_not_of(" ,", p);
    if (b == std::string::npos)
      break;
    size_t e = dims.find_first_of(" ,", b);
    std::string d = dims.substr(b, e == std::string::npos ? e : e - b);
    if (d.empty() || d.size() > 12 ||
        d.find_first_not_of("0123456789") != std::string::npos)
      return name + ": bad NumPy shape " + shape;
    out.shape.push_back(std::stoll(d));
    p = e == std::string::npos ? dims.size() : e;
  }
  double bytes = double(out.itemSize);
  for (int64_t d : out.shape)
    bytes *= double(d);
  if (bytes > double(available - headerBytes))
    return name + ": truncated array (the header claims " +
           formatShape(out.shape) + " of " + out.dtypeName() + ", " +
           formatBytes(bytes) + "; the file holds " +
           formatBytes(double(available - headerBytes)) + ")";
  return "";
}

uint32_t le32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
uint16_t le16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }
uint64_t le64(const uint8_t *p) {
  return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32;
}

} // namespace

std::string openNpy(const std::string &path, NpyArray &out) {
  out = NpyArray();
  out.name = path;
  auto f = std::make_shared<ReadOnlyFile>();
  if (std::string e = f->open(path); !e.empty())
    return e;
  int64_t headerBytes = 0;
  std::string e = parseNpyHeader(
      path,
      [&](int64_t at, size_t n, void *dst) { return f->readAt(at, dst, n); },
      f->size, out, headerBytes);
  out.offset = headerBytes;
  out.file = std::move(f);
  return e;
}

std::string openNpz(const std::string &path, std::vector<NpyArray> &out) {
  out.clear();
  auto file = std::make_shared<ReadOnlyFile>();
  if (std::string e = file->open(path); !e.empty())
    return e;
  const ReadOnlyFile &f = *file;
  int64_t size = f.size;
  // The end of central directory record: in the last 64 KiB + 22 bytes.
  int64_t tail = std::min<int64_t>(size, 65536 + 22);
  std::vector<uint8_t> end(static_cast<size_t>(tail));
  if (tail < 22 || !f.readAt(size - tail, end.data(), end.size()))
    return path + ": not a zip archive (too short for an .npz)";
  int64_t eocd = -1;
  for (int64_t i = tail - 22; i >= 0; --i)
    if (le32(&end[size_t(i)]) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0)
    return path + ": not a zip archive (no end of central directory; an .npz "
                  "is written by np.savez)";
  const uint8_t *e = &end[size_t(eocd)];
  uint64_t entries = le16(e + 10), dirSize = le32(e + 12),
           dirOffset = le32(e + 16);
  if (entries == 0xffff || dirSize == 0xffffffffu || dirOffset == 0xffffffffu) {
    // Zip64: the locator just before the record points at the real one.
    uint8_t loc[20], rec[56];
    int64_t at = size - tail + eocd - 20;
    if (at < 0 || !f.readAt(at, loc, 20) || le32(loc) != 0x07064b50)
      return path + ": corrupt zip64 archive (no locator)";
    uint64_t recAt = le64(loc + 8);
    if (recAt + 56 > uint64_t(size) || !f.readAt(int64_t(recAt), rec, 56) ||
        le32(rec) != 0x06064b50)
      return path + ": corrupt zip64 archive (no end record)";
    entries = le64(rec + 32);
    dirSize = le64(rec + 40);
    dirOffset = le64(rec + 48);
  }
  if (dirOffset + dirSize > uint64_t(size) || dirSize > (uint64_t(1) << 28) ||
      entries > dirSize / 46)
    return path + ": corrupt zip archive (the central directory lies outside "
                  "the file)";
  std::vector<uint8_t> dir(dirSize);
  if (!f.readAt(int64_t(dirOffset), dir.data(), dir.size()))
    return path + ": read error";
  size_t p = 0;
  for (uint64_t k = 0; k < entries; ++k) {
    if (p + 46 > dir.size() || le32(&dir[p]) != 0x02014b50)
      return path + ": corrupt zip archive (central directory entry " +
             std::to_string(k) + ")";
    const uint8_t *c = &dir[p];
    int method = le16(c + 10);
    uint32_t crc = le32(c + 16);
    uint64_t packed = le32(c + 20), unpacked = le32(c + 24);
    size_t nameLen = le16(c + 28), extraLen = le16(c + 30),
           commentLen = le16(c + 32);
    uint64_t local = le32(c + 42);
    if (p + 46 + nameLen + extraLen + commentLen > dir.size())
      return path + ": corrupt zip archive (central directory entry " +
             std::to_string(k) + ")";
    std::string member(reinterpret_cast<const char *>(c + 46), nameLen);
    // Zip64 extra field: the 64-bit values of the fields set to all ones.
    const uint8_t *x = c + 46 + nameLen, *xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      uint16_t tag = le16(x), len = le16(x + 2);
      if (x + 4 + len > xEnd)
        break;
      if (tag == 1) {
        const uint8_t *v = x + 4, *vEnd = v + len;
        if (unpacked == 0xffffffffu && v + 8 <= vEnd)
          unpacked = le64(v), v += 8;
        if (packed == 0xffffffffu && v + 8 <= vEnd)
          packed = le64(v), v += 8;
        if (local == 0xffffffffu && v + 8 <= vEnd)
          local = le64(v), v += 8;
      }
      x += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (member.size() < 4 || member.substr(member.size() - 4) != ".npy")
      continue; // not an array
    std::string label = path + ":" + member.substr(0, member.size() - 4);
    uint8_t lh[30];
    if (local + 30 > uint64_t(size) || !f.readAt(int64_t(local), lh, 30) ||
        le32(lh) != 0x04034b50)
      return label + ": corrupt zip archive (bad local header)";
    uint64_t data = local + 30 + le16(lh + 26) + le16(lh + 28);
    if (data + packed > uint64_t(size))
      return label + ": truncated zip member (" + std::to_string(packed) +
             " bytes claimed, " + std::to_string(size - int64_t(data)) +
             " left)";
    NpyArray a;
    a.name = label;
    int64_t headerBytes = 0;
    std::string err;
    if (method == 0) {
      err = parseNpyHeader(
          label,
          [&](int64_t at, size_t n, void *dst) {
            return f.readAt(int64_t(data) + at, dst, n);
          },
          int64_t(packed), a, headerBytes);
      a.offset = int64_t(data) + headerBytes;
      a.file = file;
    } else if (method == 8) {
      // Deflate expands at most 1032:1: a larger claim is a lie, refused
      // before anything is allocated for it.
      if (unpacked > packed * 1032 + 1024)
        return label + ": corrupt zip member (" + std::to_string(packed) +
               " compressed bytes cannot hold the " +
               std::to_string(unpacked) + " bytes claimed)";
      if (std::string m = checkMemory(double(unpacked) + double(packed),
                                      "inflating " + label);
          !m.empty())
        return m;
      std::vector<uint8_t> in(packed);
      if (!f.readAt(int64_t(data), in.data(), in.size()))
        return label + ": read error";
      std::vector<uint8_t> outBytes(unpacked);
      z_stream z;
      std::memset(&z, 0, sizeof z);
      if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return label + ": zlib failed";
      z.next_in = in.data();
      z.avail_in = uInt(std::min<uint64_t>(in.size(), 1u << 30));
      uint64_t fedIn = z.avail_in, produced = 0;
      int rc = Z_OK;
      while (rc == Z_OK) {
        z.next_out = outBytes.data() + produced;
        z.avail_out =
            uInt(std::min<uint64_t>(outBytes.size() - produced, 1u << 30));
        uInt before = z.avail_out;
        rc = inflate(&z, Z_NO_FLUSH);
        produced += before - z.avail_out;
        if (z.avail_in == 0 && fedIn < in.size()) {
          z.next_in = in.data() + fedIn;
          z.avail_in = uInt(std::min<uint64_t>(in.size() - fedIn, 1u << 30));
          fedIn += z.avail_in;
        }
        if (rc == Z_OK && z.avail_out == before && z.avail_in == 0)
          break; // no progress: truncated
      }
      inflateEnd(&z);
      if (rc != Z_STREAM_END || produced != unpacked)
        return label + ": corrupt compressed zip member";
      uLong sum = crc32(0L, Z_NULL, 0);
      for (uint64_t at = 0; at < produced; at += 1u << 30)
        sum = crc32(sum, outBytes.data() + at,
                    uInt(std::min<uint64_t>(produced - at, 1u << 30)));
      if (uint32_t(sum) != crc)
        return label + ": corrupt zip member (CRC mismatch)";
      err = parseNpyHeader(
          label,
          [&](int64_t at, size_t n, void *dst) {
            if (at + int64_t(n) > int64_t(outBytes.size()))
              return false;
            std::memcpy(dst, outBytes.data() + at, n);
            return true;
          },
          int64_t(outBytes.size()), a, headerBytes);
      outBytes.erase(outBytes.begin(), outBytes.begin() + headerBytes);
      a.inflated = std::move(outBytes);
      a.offset = 0;
    } else {
      return label + ": zip compression method " + std::to_string(method) +
             " is not supported (stored and deflate are)";
    }
    if (!err.empty())
      return err;
    out.push_back(std::move(a));
  }
  if (out.empty())
    return path + ": the archive holds no .npy arrays";
  return "";
}

std::string readNpyBytes(const NpyArray &a, int64_t first, int64_t count,
                         uint8_t *out) {
  if (first < 0 || count < 0 || first + count > a.elements())
    return a.name + ": elements " + std::to_string(first) + " to " +
           std::to_string(first + count) + " lie outside the array";
  size_t bytes = size_t(count) * size_t(a.itemSize);
  int64_t at = a.offset + first * a.itemSize;
  if (a.file) {
    if (!a.file->readAt(at, out, bytes))
      return a.name + ": read error (the file changed since it was opened?)";
    return "";
  }
  std::memcpy(out, a.inflated.data() + at, bytes);
  return "";
}

std::string readNpyElements(const NpyArray &a, int64_t first, int64_t count,
                            float *out) {
  std::vector<uint8_t> raw(static_cast<size_t>(count) * size_t(a.itemSize));
  if (std::string e = readNpyBytes(a, first, count, raw.data()); !e.empty())
    return e;
  const uint8_t *r = raw.data();
  for (int64_t i = 0; i < count; ++i, r += a.itemSize) {
    float v = 0;
    switch (a.kind) {
    case 'b':
    case 'u':
      v = a.itemSize == 1   ? float(r[0])
          : a.itemSize == 2 ? float(le16(r))
          : a.itemSize == 4 ? float(le32(r))
                            : float(le64(r));
      break;
    case 'i':
      v = a.itemSize == 1   ? float(int8_t(r[0]))
          : a.itemSize == 2 ? float(int16_t(le16(r)))
          : a.itemSize == 4 ? float(int32_t(le32(r)))
                            : float(int64_t(le64(r)));
      break;
    case 'f':
      if (a.itemSize == 4) {
        uint32_t u = le32(r);
        std::memcpy(&v, &u, 4);
      } else if (a.itemSize == 8) {
        uint64_t u = le64(r);
        double d;
        std::memcpy(&d, &u, 8);
        v = float(d);
      } else {
        return a.name + ": float16 arrays are not supported";
      }
      break;
    }
    out[i] = v;
  }
  return "";
}

std::vector<uint8_t> npyBytes(const std::string &dtype,
                              const std::vector<int64_t> &shape,
                              const void *data, size_t bytes) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 2);
  else if (shape.size() == 1)
    dims.resize(dims.size() - 1);
  std::string header = "{'descr': '" + dtype +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(uint8_t(header.size() & 0xff));
  out.push_back(uint8_t(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  const auto *d = static_cast<const uint8_t *>(data);
  out.insert(out.end(), d, d + bytes);
  return out;
}

std::string writeNpy(const std::string &path, const std::vector<int64_t> &shape,
                     const float *data) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::vector<uint8_t> bytes =
      npyBytes("<f4", shape, data, size_t(n) * sizeof(float));
  return writeFileAtomically(path, [&](FILE *f) {
    return std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  });
}

} // namespace snnrt
