//===- Tensor.h - dense row-major f32 tensors for the runtime ---*- C++ -*-===//
//
// The runtime is plain C++17 + Eigen with no MLIR inside (namespace snnrt).
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TENSOR_TENSOR_H
#define SNN_MLIR_RUNTIME_TENSOR_TENSOR_H

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace snnrt {

/// Largest tensor the runtime allocates (elements); larger requests are
/// reported as errors instead of exhausting memory.
constexpr int64_t kMaxTensorElements = int64_t(1) << 32;

using Shape = std::vector<int64_t>;

/// Product of the dimensions.
int64_t numElements(const Shape &shape);

/// "[2, 3, 4]".
std::string formatShape(const Shape &shape);

/// "1.5 GiB", "340 MiB", "12 KiB", "100 bytes".
std::string formatBytes(double bytes);
/// This machine's physical memory in bytes (0 when unknown).
double physicalMemoryBytes();
/// "" when `bytes` fit in this machine's memory; else "WHAT needs 154 GiB,
/// more than this machine's 23 GiB of memory". For sizes that come from a
/// user's numbers (time steps, bins): checked before the allocation, so
/// that the request is named instead of failing somewhere inside.
std::string checkMemory(double bytes, const std::string &what);

/// Checks `inputs` against declared shapes (-1: any size); returns an error
/// naming the first input that does not fit, or an empty string.
struct Tensor;
std::string checkInputShapes(const std::vector<Shape> &declared,
                             const std::vector<Tensor> &inputs);

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(const Shape &shape);

/// madvise(MADV_HUGEPAGE) where the system offers it; a hint, errors ignored.
void adviseHugePages(void *p, std::size_t bytes);

/// Allocates on 64-byte boundaries. Eigen's vectorised reductions take a
/// different summation order depending on where an array starts; with every
/// tensor aligned alike, results depend only on shapes and thread counts,
/// never on where malloc put the data (training is bit-reproducible).
template <typename T> struct AlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlignment = 64;
  AlignedAllocator() = default;
  template <typename U> AlignedAllocator(const AlignedAllocator<U> &) {}
  /// Buffers of four huge pages (8 MiB) or more are aligned to and rounded
  /// up to 2 MiB pages and offered to the kernel as transparent huge pages:
  /// activation tensors of tens of MiB then cost one page fault per 2 MiB,
  /// not per 4 KiB, the first time they are touched.
  static constexpr std::size_t kHugePage = std::size_t(2) << 20;
  T *allocate(std::size_t n) {
    std::size_t bytes = n * sizeof(T);
    bool huge = bytes >= 4 * kHugePage;
    std::size_t align = huge ? kHugePage : kAlignment;
    bytes = (bytes + align - 1) / align * align;
    void *p = std::aligned_alloc(align, bytes ? bytes : align);
    if (!p)
      throw std::bad_alloc();
    if (huge)
      adviseHugePages(p, bytes);
    return static_cast<T *>(p);
  }
  void deallocate(T *p, std::size_t) { std::free(p); }
  /// Default-initialises: resize() and FloatBuffer(n) leave floats
  /// unset (see Tensor::uninitialized); explicit values are still written.
  template <typename U> void construct(U *p) noexcept {
    ::new (static_cast<void *>(p)) U;
  }
  template <typename U, typename... Args> void construct(U *p, Args &&...args) {
    ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
  }
  template <typename U> bool operator==(const AlignedAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const AlignedAllocator<U> &) const {
    return false;
  }
};

using FloatBuffer = std::vector<float, AlignedAllocator<float>>;

struct Tensor {
  Shape shape;
  FloatBuffer data;

  Tensor() = default;
  Tensor(Shape s, float fill = 0.0f)
      : shape(std::move(s)), data(numElements(shape), fill) {}
  Tensor(Shape s, const std::vector<float> &d)
      : shape(std::move(s)), data(d.begin(), d.end()) {}
  Tensor(Shape s, FloatBuffer d) : shape(std::move(s)), data(std::move(d)) {}

  /// A tensor whose elements are not initialised, for outputs that are
  /// overwritten in full (saves clearing large buffers).
  static Tensor uninitialized(Shape s) {
    Tensor t;
    t.data.resize(size_t(numElements(s)));
    t.shape = std::move(s);
    return t;
  }

  int64_t size() const { return int64_t(data.size()); }
  int64_t rank() const { return int64_t(shape.size()); }
  int64_t dim(int64_t i) const { return shape[i]; }
  float *ptr() { return data.data(); }
  const float *ptr() const { return data.data(); }
};

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TENSOR_TENSOR_H
