//===- Parallel.h - a small parallel-for over index ranges ------*- C++ -*-===//

#ifndef SNN_MLIR_RUNTIME_TENSOR_PARALLEL_H
#define SNN_MLIR_RUNTIME_TENSOR_PARALLEL_H

#include <cstdint>
#include <functional>

namespace snnrt {

/// The most worker threads the runtime starts (--threads above it is
/// refused by the tools; setNumThreads caps it).
constexpr int kMaxThreads = 256;

/// Number of worker threads kernels use (default: hardware concurrency).
int numThreads();
/// 0: hardware concurrency; capped at kMaxThreads.
void setNumThreads(int threads);

/// Calls `body(begin, end)` on disjoint chunks covering [0, n), on up to
/// numThreads() threads; chunks smaller than `grain` are not split further.
/// An exception thrown by `body` on any thread is rethrown to the caller.
void parallelFor(int64_t n, int64_t grain,
                 const std::function<void(int64_t, int64_t)> &body);

/// The number of chunks parallelChunks splits [0, n) into: at most
/// numThreads(), at least 1.
int64_t chunkCount(int64_t n);

/// Calls body(chunk, begin, end) on a fixed split of [0, n) into
/// chunkCount(n) contiguous chunks, one thread per chunk. The split depends
/// only on n and numThreads(), so per-chunk partial sums added in chunk order
/// give the same result on every run.
void parallelChunks(int64_t n,
                    const std::function<void(int64_t, int64_t, int64_t)> &body);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TENSOR_PARALLEL_H
