//===- ImageFiles.h - PNG, JPEG and NumPy files -----------------*- C++ -*-===//
//
// Decoders for the files that image data sets come in: PNG (libpng) and
// JPEG (libjpeg-turbo) images, NumPy's .npy arrays and .npz archives. Every
// size read from a file is checked against the bytes that remain before
// anything is allocated; every error names the file and the problem.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_DATA_IMAGEFILES_H
#define SNN_MLIR_RUNTIME_DATA_IMAGEFILES_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace snnrt {

/// A regular file open for reading (closed with the object); positioned
/// reads are safe from several threads.
struct ReadOnlyFile {
  int fd = -1;
  std::string path;
  int64_t size = 0;
  ReadOnlyFile() = default;
  ReadOnlyFile(const ReadOnlyFile &) = delete;
  ReadOnlyFile &operator=(const ReadOnlyFile &) = delete;
  ~ReadOnlyFile();
  /// Opens `path`; "" or a message naming it ("cannot open (...)", "not a
  /// regular file").
  std::string open(const std::string &path);
  /// Reads `n` bytes at `offset`; false on a short read or an error.
  bool readAt(int64_t offset, void *dst, size_t n) const;
};

/// A decoded image: height × width × channels bytes, row-major, channels 1
/// (gray) or 3 (RGB).
struct DecodedImage {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

/// The largest image decoded (pixels); bigger ones are refused by size
/// before their pixels are allocated.
constexpr int64_t kMaxImagePixels = int64_t(1) << 28;

/// Decodes PNG or JPEG bytes (told apart by their signature, not the file's
/// name) into `channels` channels (1: gray, 3: RGB; grayscale images are
/// replicated, colour ones turned to luminance as PIL's convert("L") does,
/// alpha dropped). `name` is used in messages. "" on success.
std::string decodeImage(const uint8_t *bytes, size_t size,
                        const std::string &name, int channels,
                        DecodedImage &out);
/// Reads and decodes an image file.
std::string decodeImageFile(const std::string &path, int channels,
                            DecodedImage &out);

/// Encodes an 8-bit image as PNG (for test data and examples).
std::string encodePNG(const DecodedImage &image, std::vector<uint8_t> &out);
/// Encodes an 8-bit image as baseline JPEG at `quality` (1 to 100).
std::string encodeJPEG(const DecodedImage &image, int quality,
                       std::vector<uint8_t> &out);

/// A NumPy array in a file: its element type, shape and where its
/// little-endian, C-ordered elements start. The elements are read on
/// demand (readNpyElements), so an array larger than memory can be used.
struct NpyArray {
  /// The open file holding the elements (shared by the members of an
  /// .npz); null for a compressed member, whose elements are `inflated`.
  std::shared_ptr<const ReadOnlyFile> file;
  std::string name;  // for messages: "FILE" or "FILE:MEMBER"
  char kind = 0;     // 'u' unsigned, 'i' signed, 'f' float, 'b' bool
  int itemSize = 0;  // bytes per element
  std::vector<int64_t> shape;
  int64_t offset = 0;             // of the first element in `file`
  std::vector<uint8_t> inflated;  // elements of a compressed npz member
  int64_t elements() const;
  /// "uint8", "float32", "int64", ... as NumPy names it.
  std::string dtypeName() const;
};

/// Parses an .npy file's header. Refuses big-endian, Fortran-ordered and
/// object arrays and a shape whose elements the file does not hold.
std::string openNpy(const std::string &path, NpyArray &out);

/// Opens the arrays of an .npz archive (a zip of .npy files, as np.savez
/// and np.savez_compressed write them): stored members are read in place,
/// deflated ones are inflated into memory (after a check that they fit).
/// Member names lose their ".npy".
std::string openNpz(const std::string &path, std::vector<NpyArray> &out);

/// Elements [first, first + count) of `a` converted to float.
std::string readNpyElements(const NpyArray &a, int64_t first, int64_t count,
                            float *out);
/// Elements [first, first + count) of `a` as raw bytes (itemSize each).
std::string readNpyBytes(const NpyArray &a, int64_t first, int64_t count,
                         uint8_t *out);

/// Writes a float32 array as .npy (atomically: temporary file + rename).
std::string writeNpy(const std::string &path, const std::vector<int64_t> &shape,
                     const float *data);
/// The bytes of an .npy file of `shape` and dtype "<u1", "<f4" or "<i8"
/// (for test data; `data` holds the elements' bytes).
std::vector<uint8_t> npyBytes(const std::string &dtype,
                              const std::vector<int64_t> &shape,
                              const void *data, size_t bytes);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_DATA_IMAGEFILES_H
