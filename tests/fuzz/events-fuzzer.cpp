//===- events-fuzzer.cpp - libFuzzer target for the event-camera readers -===//
//
// The first byte picks the format (N-MNIST .bin, AEDAT 2.0, AEDAT 3.1 by
// its header line: readEvents chooses by the extension and the first line)
// and, with the second, how the events are binned into frames afterwards.
// Errors must come back as messages; memory stays bounded by the input.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzFiles.h"

#include "runtime/data/Events.h"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  int format = data[0] % 3;
  std::string file;
  if (format == 0) {
    file = snnfuzz::writeScratch("sample.bin", data + 2, size - 2);
  } else {
    // AEDAT files start with their header lines; the fuzzer varies the rest.
    std::string bytes =
        format == 1 ? "#!AER-DAT2.0\r\n" : "#!AER-DAT3.1\r\n#!END-HEADER\r\n";
    bytes.append(reinterpret_cast<const char *>(data + 2), size - 2);
    file = snnfuzz::writeScratch(
        "sample.aedat", reinterpret_cast<const uint8_t *>(bytes.data()),
        bytes.size());
  }
  std::vector<snnrt::Event> events;
  if (!snnrt::readEvents(file, events).empty())
    return 0;
  snnrt::BinOptions bins;
  bins.bins = 1 + data[1] % 16;
  bins.byCount = data[1] & 0x80;
  bins.width = bins.height = format == 0 ? 34 : 128;
  bins.downsample = 1 + (data[1] >> 4 & 3);
  snnrt::Tensor frames;
  (void)snnrt::binEvents(events, bins, frames);
  return 0;
}
