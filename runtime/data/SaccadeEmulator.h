//===- SaccadeEmulator.h - static images to event streams -------*- C++ -*-===//
//
// Turns a still image into the event stream an event camera would record
// while moving over it in three saccades, as N-MNIST was recorded (an ATIS
// sensor moved along a triangle in front of a still MNIST digit): the image
// sits on a 34×34 canvas, the sensor sees it shift along the three edges of
// a triangle in `saccadeUs` each, and every pixel emits ON/OFF events when
// its log intensity moves by its contrast threshold from the level of its
// last event, at most one event per refractory period, plus background
// noise. Deterministic for a seed and sample index.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_DATA_SACCADEEMULATOR_H
#define SNN_MLIR_RUNTIME_DATA_SACCADEEMULATOR_H

#include "runtime/data/Events.h"

#include <cstdint>
#include <vector>

namespace snnrt {

struct SaccadeOptions {
  int64_t canvas = 34;           // sensor width and height (N-MNIST: 34)
  int64_t saccadeUs = 100000;    // duration of each of the three saccades
  int64_t stepUs = 1000;         // time resolution of the simulation
  float threshold = 0.2f;        // log-intensity contrast threshold
  float thresholdSpread = 0.03f; // per-pixel mismatch (σ, relative)
  int64_t refractoryUs = 1000;   // minimum time between a pixel's events
  float noiseHz = 0.2f;          // background events per pixel and second
  float epsilon = 0.1f;          // log(I + ε): intensity floor
  uint64_t seed = 1;
};

/// The event stream of one image (`height` × `width` values in [0, 1],
/// row-major), sorted by time; `index` varies the noise and mismatch
/// between samples. Empty when the image does not fit on the canvas.
std::vector<Event> emulateSaccades(const float *image, int64_t height,
                                   int64_t width, const SaccadeOptions &o,
                                   uint64_t index);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_DATA_SACCADEEMULATOR_H
