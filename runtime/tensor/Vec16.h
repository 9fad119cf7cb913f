//===- Vec16.h - sixteen-float vectors for blocked kernels -----*- C++ -*-===//
//
// One AVX-512 register (two AVX ones, or four SSE ones, elsewhere) as a GCC
// vector type: the register-blocked event kernels of 3×3 convolutions keep
// their accumulators or weights in arrays of these. Include only from
// runtime sources (built for the host CPU): passing these by value between
// code built for different instruction sets would change the ABI.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TENSOR_VEC16_H
#define SNN_MLIR_RUNTIME_TENSOR_VEC16_H

#include <cstring>

namespace snnrt {

typedef float Vec16 __attribute__((vector_size(64)));

inline Vec16 loadVec16(const float *p) {
  Vec16 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void storeVec16(float *p, Vec16 v) { std::memcpy(p, &v, sizeof(v)); }

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TENSOR_VEC16_H
