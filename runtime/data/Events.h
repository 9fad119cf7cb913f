//===- Events.h - event-camera data: N-MNIST, AEDAT 2.0 / 3.1, frames --*- C++
//-*-===//
//
// Readers and writers for the polarity-event formats of the event-camera
// data sets (N-MNIST `.bin`, AEDAT 2.0 as in CIFAR10-DVS, AEDAT 3.1 as in
// DVS128-Gesture; layouts in ../shared/design/algorithms.md), and binning of
// an event stream into T frames of ON/OFF counts.
//
// Readers stream the file in blocks and hand every event to a callback;
// they fail with a message that names the file and the byte offset of the
// problem (bad header, truncated record or packet, coordinates outside the
// sensor). Writers are atomic (temporary file, then rename) and write what
// the readers read back exactly.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_DATA_EVENTS_H
#define SNN_MLIR_RUNTIME_DATA_EVENTS_H

#include "runtime/tensor/Tensor.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace snnrt {

/// One polarity event: time in µs, pixel (origin top-left), ON (brighter)
/// or OFF.
struct Event {
  int64_t t = 0;
  int32_t x = 0, y = 0;
  bool on = true;
  bool operator==(const Event &o) const {
    return t == o.t && x == o.x && y == o.y && on == o.on;
  }
};

using EventSink = std::function<void(const Event &)>;

/// N-MNIST: 5-byte events (x, y, polarity bit 7 + 23-bit µs time); an event
/// with y = 240 marks a time overflow that adds 2^13 µs to later events (as
/// the data set's own reader does) and is not an event itself.
std::string readNMNIST(const std::string &path, const EventSink &sink);
/// Times must be ascending and ≥ 0; x, y < 240 (the sensor is 34×34).
std::string writeNMNIST(const std::string &path,
                        const std::vector<Event> &events);

/// AEDAT 2.0 (DVS128 addresses): `#` header lines, then big-endian
/// (address, µs) pairs; address bit 0 polarity (1 = ON), bits 1–7 x, bits
/// 8–14 y with the origin lower-left, which is flipped to top-left here.
std::string readAedat2(const std::string &path, const EventSink &sink);
std::string writeAedat2(const std::string &path,
                        const std::vector<Event> &events);

/// AEDAT 3.1: header ending with `#!END-HEADER`, then little-endian packets
/// (28-byte header; polarity events are type 1, 8 bytes each; other packet
/// types are skipped; invalid events are dropped). 64-bit time =
/// tsOverflow << 31 | timestamp.
std::string readAedat31(const std::string &path, const EventSink &sink);
std::string writeAedat31(const std::string &path,
                         const std::vector<Event> &events);

/// Reads any of the three formats by its extension: .bin (N-MNIST),
/// .aedat (AEDAT 2.0 or 3.1, from the header's first line).
std::string readEvents(const std::string &path, std::vector<Event> &out);

struct BinOptions {
  int64_t bins = 16;    // T
  bool byCount = false; // equal event counts per bin, else equal time
  int64_t width = 34, height = 34;
  int64_t downsample = 1; // pixel (x, y) goes to (x / d, y / d)
};

/// Frames T×2×⌈H/d⌉×⌈W/d⌉ of event counts (channel 0 ON, 1 OFF). By time:
/// bin k holds events with t in [t0 + k·Δ, t0 + (k+1)·Δ), Δ = (t_end − t0
/// + 1)/T; by count: bin k holds events [k·n/T, (k+1)·n/T) in file order.
/// Events outside width × height are an error.
std::string binEvents(const std::vector<Event> &events, const BinOptions &o,
                      Tensor &frames);

/// The samples of an event data set in N-MNIST's layout,
/// DIR/SPLIT/LABEL/NAME.{bin,aedat} with SPLIT "Train" or "Test" (any case)
/// and LABEL a class number; sorted by file name, then label (N-MNIST
/// numbers each class's samples from 1, so classes interleave and any prefix
/// or tail of the list holds every class).
struct EventDataset {
  std::vector<std::string> files;
  std::vector<int> labels;
};
/// The largest class number a class folder may have.
constexpr int kMaxEventClass = 1000000;
std::string listEventDataset(const std::string &dir, const std::string &split,
                             EventDataset &out);

/// Frames of samples [first, first + count) of `data`, N×T×2×H'×W' (see
/// binEvents), read in parallel.
std::string loadEventFrames(const EventDataset &data, int64_t first,
                            int64_t count, const BinOptions &o, Tensor &frames);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_DATA_EVENTS_H
