//===- Tensor.cpp ---------------------------------------------------------===//

#include "runtime/tensor/Tensor.h"

#include <cstdio>
#include <unistd.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace snnrt {

void adviseHugePages(void *p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void)madvise(p, bytes, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string formatShape(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string formatBytes(double bytes) {
  const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 5) {
    bytes /= 1024.0;
    ++u;
  }
  char text[64];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3g %s", bytes,
                units[u]);
  return text;
}

double physicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? double(pages) * double(size) : 0.0;
}

std::string checkMemory(double bytes, const std::string &what) {
  double have = physicalMemoryBytes();
  if (have <= 0 || bytes <= have)
    return "";
  return what + " needs " + formatBytes(bytes) + ", more than this machine's " +
         formatBytes(have) + " of memory";
}

std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::string checkInputShapes(const std::vector<Shape> &declared,
                             const std::vector<Tensor> &inputs) {
  if (inputs.size() != declared.size())
    return "expected " + std::to_string(declared.size()) + " input(s), got " +
           std::to_string(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape &want = declared[i];
    bool ok = want.size() == inputs[i].shape.size();
    for (size_t d = 0; ok && d < want.size(); ++d)
      ok = want[d] < 0 || want[d] == inputs[i].shape[d];
    if (!ok)
      return "input " + std::to_string(i) + " has shape " +
             formatShape(inputs[i].shape) + ", expected " + formatShape(want);
  }
  return "";
}

} // namespace snnrt
