//===- SNNDialect.h - the snn dialect ---------------------------*- C++ -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNNDIALECT_H
#define SNN_MLIR_DIALECT_SNN_SNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialect/SNN/SNNDialect.h.inc"

#include <cstdint>

namespace mlir::snn {
/// The most time steps of #snn.discrete<timesteps>: the runtime counts
/// spikes in float32, exact up to 2^24 (snnrt::kMaxTimesteps, the same).
constexpr int64_t kMaxTimesteps = int64_t(1) << 24;
/// The longest refractory period: the simulator and generated code count
/// it down in 32 bits.
constexpr int64_t kMaxRefractory = 2147483647;
} // namespace mlir::snn

#endif // SNN_MLIR_DIALECT_SNN_SNNDIALECT_H
