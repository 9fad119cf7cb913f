//===- SaccadeEmulator.cpp - static images to event streams ---------------===//

#include "runtime/data/SaccadeEmulator.h"
#include "runtime/sim/Simulator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace snnrt {

std::vector<Event> emulateSaccades(const float *image, int64_t H, int64_t W,
                                   const SaccadeOptions &o, uint64_t index) {
  int64_t S = o.canvas;
  if (H > S || W > S || H < 1 || W < 1 || o.stepUs < 1 || o.saccadeUs < 1)
    return {};
  std::mt19937_64 rng(splitmix64(o.seed ^ splitmix64(index)));
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);

  // Where the image's top-left corner sits on the canvas: a triangle (apex
  // at the top, then bottom right, bottom left, back to the apex) inside
  // the free margin.
  double mx = double(S - W), my = double(S - H);
  const double px[4] = {0.5 * mx, 0.9 * mx, 0.1 * mx, 0.5 * mx};
  const double py[4] = {0.1 * my, 0.9 * my, 0.9 * my, 0.1 * my};
  auto offsetAt = [&](int64_t t, double &ox, double &oy) {
    int64_t seg = std::min<int64_t>(2, t / o.saccadeUs);
    double f = std::min(1.0, double(t - seg * o.saccadeUs) / o.saccadeUs);
    ox = px[seg] + f * (px[seg + 1] - px[seg]);
    oy = py[seg] + f * (py[seg + 1] - py[seg]);
  };
  // Bilinear sample of the image at (x, y), zero outside.
  auto pixel = [&](int64_t y, int64_t x) -> double {
    return y < 0 || y >= H || x < 0 || x >= W ? 0.0 : double(image[y * W + x]);
  };
  auto logIntensity = [&](double x, double y) {
    double x0 = std::floor(x), y0 = std::floor(y), fx = x - x0, fy = y - y0;
    int64_t ix = int64_t(x0), iy = int64_t(y0);
    double v = (1 - fy) * ((1 - fx) * pixel(iy, ix) + fx * pixel(iy, ix + 1)) +
               fy * ((1 - fx) * pixel(iy + 1, ix) + fx * pixel(iy + 1, ix + 1));
    return std::log(std::clamp(v, 0.0, 1.0) + double(o.epsilon));
  };

  int64_t N = S * S;
  std::vector<double> ref(static_cast<size_t>(N)), thOn(static_cast<size_t>(N)),
      thOff(static_cast<size_t>(N));
  std::vector<int64_t> last(size_t(N), std::numeric_limits<int64_t>::min() / 2);
  double ox, oy;
  offsetAt(0, ox, oy);
  for (int64_t i = 0; i < N; ++i) {
    // Adapted to the still scene at t = 0; thresholds vary per pixel.
    ref[size_t(i)] = logIntensity(double(i % S) - ox, double(i / S) - oy);
    auto mismatch = [&] {
      return std::max(0.25 * o.threshold,
                      o.threshold * (1.0 + o.thresholdSpread * normal(rng)));
    };
    thOn[size_t(i)] = mismatch();
    thOff[size_t(i)] = mismatch();
  }

  std::vector<Event> out, step;
  double noiseP = double(o.noiseHz) * double(o.stepUs) * 1e-6;
  int64_t end = 3 * o.saccadeUs;
  for (int64_t t = o.stepUs; t <= end; t += o.stepUs) {
    offsetAt(t, ox, oy);
    step.clear();
    int64_t t0 = t - o.stepUs;
    for (int64_t i = 0; i < N; ++i) {
      int32_t x = int32_t(i % S), y = int32_t(i / S);
      double d = logIntensity(double(x) - ox, double(y) - oy) - ref[size_t(i)];
      bool on = d > 0;
      double th = on ? thOn[size_t(i)] : thOff[size_t(i)];
      int64_t crossings = int64_t(std::fabs(d) / th);
      if (crossings > 0) {
        // At most one event per refractory period since the last one.
        int64_t allowed = o.refractoryUs > 0
                              ? (t - last[size_t(i)]) / o.refractoryUs
                              : crossings;
        int64_t n = std::min(crossings, allowed);
        for (int64_t j = 0; j < n; ++j)
          step.push_back({t0 + (j + 1) * o.stepUs / (n + 1), x, y, on});
        if (n > 0) {
          ref[size_t(i)] += (on ? 1.0 : -1.0) * double(n) * th;
          last[size_t(i)] = t0 + n * o.stepUs / (n + 1);
        }
      }
      if (noiseP > 0 && uniform(rng) < noiseP)
        step.push_back({t0 + int64_t(uniform(rng) * double(o.stepUs)), x, y,
                        uniform(rng) < 0.5});
    }
    std::stable_sort(step.begin(), step.end(),
                     [](const Event &a, const Event &b) { return a.t < b.t; });
    out.insert(out.end(), step.begin(), step.end());
  }
  return out;
}

} // namespace snnrt
