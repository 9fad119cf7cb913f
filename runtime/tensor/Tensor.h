//===- Tensor.h - dense row-major f32 tensors for the runtime ---*- C++ -*-===//
//
// The runtime is plain C++17 + Eigen with no MLIR inside (namespace snnrt).
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TENSOR_TENSOR_H
#define SNN_MLIR_RUNTIME_TENSOR_TENSOR_H

#include <cstdint>
#include <string>
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

/// Checks `inputs` against declared shapes (-1: any size); returns an error
/// naming the first input that does not fit, or an empty string.
struct Tensor;
std::string checkInputShapes(const std::vector<Shape> &declared,
                             const std::vector<Tensor> &inputs);

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(const Shape &shape);

struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  Tensor(Shape s, float fill = 0.0f)
      : shape(std::move(s)), data(numElements(shape), fill) {}
  Tensor(Shape s, std::vector<float> d)
      : shape(std::move(s)), data(std::move(d)) {}

  int64_t size() const { return int64_t(data.size()); }
  int64_t rank() const { return int64_t(shape.size()); }
  int64_t dim(int64_t i) const { return shape[i]; }
  float *ptr() { return data.data(); }
  const float *ptr() const { return data.data(); }
};

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TENSOR_TENSOR_H
