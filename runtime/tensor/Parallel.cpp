//===- Parallel.cpp -------------------------------------------------------===//

#include "runtime/tensor/Parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
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

void setNumThreads(int threads) {
  gThreads = std::clamp(threads, 0, kMaxThreads);
}

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
  // An exception in a worker (std::bad_alloc) is rethrown here, on the
  // calling thread, once every worker has finished.
  std::exception_ptr failure;
  std::mutex failureLock;
  auto run = [&](int64_t b, int64_t e) {
    try {
      body(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failureLock);
      if (!failure)
        failure = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  int64_t per = (n + chunks - 1) / chunks;
  for (int64_t c = 1; c < chunks; ++c) {
    int64_t b = c * per, e = std::min(n, b + per);
    if (b < e)
      workers.emplace_back([&run, b, e] { run(b, e); });
  }
  run(0, std::min(n, per));
  for (auto &w : workers)
    w.join();
  if (failure)
    std::rethrow_exception(failure);
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
