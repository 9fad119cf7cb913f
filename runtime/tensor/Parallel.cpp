//===- Parallel.cpp -------------------------------------------------------===//

#include "runtime/tensor/Parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace snnrt {

static std::atomic<int> gThreads{0};

int numThreads() {
  int t = gThreads.load();
  if (t > 0)
    return t;
  return std::max(1u, std::thread::hardware_concurrency());
}

void setNumThreads(int threads) { gThreads = std::max(0, threads); }

void parallelFor(int64_t n, int64_t grain,
                 const std::function<void(int64_t, int64_t)> &body) {
  if (n <= 0)
    return;
  int64_t chunks = std::min<int64_t>(
      numThreads(), std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
  if (chunks <= 1) {
    body(0, n);
    return;
  }
  std::vector<std::thread> workers;
  int64_t per = (n + chunks - 1) / chunks;
  for (int64_t c = 1; c < chunks; ++c) {
    int64_t b = c * per, e = std::min(n, b + per);
    if (b < e)
      workers.emplace_back([&body, b, e] { body(b, e); });
  }
  body(0, std::min(n, per));
  for (auto &w : workers)
    w.join();
}

int64_t chunkCount(int64_t n) {
  return std::max<int64_t>(1, std::min<int64_t>(numThreads(), n));
}

void parallelChunks(
    int64_t n, const std::function<void(int64_t, int64_t, int64_t)> &body) {
  int64_t chunks = chunkCount(n);
  int64_t per = (n + chunks - 1) / chunks;
  parallelFor(chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c)
      body(c, c * per, std::min(n, (c + 1) * per));
  });
}

} // namespace snnrt
