//===- Events.cpp - event-camera data: N-MNIST, AEDAT 2.0 / 3.1, frames ---===//

#include "runtime/data/Events.h"
#include "runtime/io/AtomicFile.h"
#include "runtime/tensor/Parallel.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace snnrt {

namespace {

/// Reads a file in blocks; `at` is the absolute offset of the next byte.
class BlockReader {
public:
  explicit BlockReader(const std::string &path) : in(path, std::ios::binary) {
    std::error_code ec;
    uintmax_t n = std::filesystem::file_size(path, ec);
    size = ec ? 0 : int64_t(n);
  }
  /// Bytes after the read position (by the file's size when opened).
  int64_t remaining() const { return std::max<int64_t>(0, size - at); }
  /// Skips n bytes; returns how many were skipped.
  size_t skip(size_t n) {
    unsigned char scratch[4096];
    size_t done = 0;
    while (done < n) {
      size_t got = read(scratch, std::min(n - done, sizeof scratch));
      if (got == 0)
        break;
      done += got;
    }
    return done;
  }
  bool ok() const { return bool(in) || in.eof(); }
  bool opened() const { return in.is_open(); }
  /// Up to n bytes into `out`; returns how many were read.
  size_t read(unsigned char *out, size_t n) {
    size_t got = 0;
    while (got < n) {
      if (pos == len) {
        in.read(reinterpret_cast<char *>(buf), sizeof buf);
        len = size_t(in.gcount());
        pos = 0;
        if (len == 0)
          break;
      }
      size_t take = std::min(n - got, len - pos);
      std::memcpy(out + got, buf + pos, take);
      pos += take;
      got += take;
    }
    at += got;
    return got;
  }
  /// Header lines are short; a longer one ends the line read early.
  static constexpr size_t kMaxLine = 1 << 16;
  /// One header line (without the line end); false at end of file.
  bool line(std::string &out) {
    out.clear();
    unsigned char c;
    bool any = false;
    while (out.size() < kMaxLine && read(&c, 1) == 1) {
      any = true;
      if (c == '\n')
        break;
      out += char(c);
    }
    if (!out.empty() && out.back() == '\r')
      out.pop_back();
    return any;
  }
  /// Peeks the next byte (-1 at end of file).
  int peek() {
    unsigned char c;
    if (read(&c, 1) != 1)
      return -1;
    --pos;
    --at;
    return c;
  }
  int64_t at = 0;

private:
  std::ifstream in;
  int64_t size = 0;
  unsigned char buf[1 << 16];
  size_t pos = 0, len = 0;
};

std::string where(const std::string &path, int64_t offset) {
  return path + " (byte " + std::to_string(offset) + "): ";
}

uint32_t bigEndian32(const unsigned char *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}
uint32_t littleEndian32(const unsigned char *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
void putBigEndian32(unsigned char *p, uint32_t v) {
  p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8),
  p[3] = uint8_t(v);
}
void putLittleEndian32(unsigned char *p, uint32_t v) {
  p[0] = uint8_t(v), p[1] = uint8_t(v >> 8), p[2] = uint8_t(v >> 16),
  p[3] = uint8_t(v >> 24);
}

std::string cannotOpen(const std::string &path) {
  return path + ": cannot open the file";
}

constexpr int64_t kNMNISTOverflow = int64_t(1) << 13;
constexpr int64_t kNMNISTTimeLimit = int64_t(1) << 23;

/// Checks that events are sorted by time and inside [0, limit) pixels.
std::string checkEvents(const std::vector<Event> &events, int64_t maxX,
                        int64_t maxY, const char *format) {
  for (size_t i = 0; i < events.size(); ++i) {
    const Event &e = events[i];
    if (e.t < 0 || (i > 0 && e.t < events[i - 1].t))
      return std::string(format) + ": event " + std::to_string(i) +
             " has a negative or decreasing time";
    if (e.x < 0 || e.y < 0 || e.x >= maxX || e.y >= maxY)
      return std::string(format) + ": event " + std::to_string(i) +
             " lies outside the " + std::to_string(maxX) + "×" +
             std::to_string(maxY) + " address space";
  }
  return "";
}

/// Reads the `#` header lines of an AEDAT file; `first` gets the first one.
std::string readHeader(BlockReader &r, const std::string &path,
                       const std::string &endLine, std::string &first) {
  std::string line;
  bool start = true;
  while (true) {
    if (endLine.empty() && r.peek() != '#')
      return "";
    int64_t at = r.at;
    if (!r.line(line))
      return where(path, at) + "the header ends without data" +
             (endLine.empty() ? "" : " (no " + endLine + " line)");
    if (line.empty() || line[0] != '#')
      return where(path, at) + "expected a '#' header line";
    if (line.size() >= BlockReader::kMaxLine)
      return where(path, at) + "a header line longer than " +
             std::to_string(BlockReader::kMaxLine) + " bytes";
    if (start)
      first = line;
    start = false;
    if (!endLine.empty() && line == endLine)
      return "";
  }
}

} // namespace

std::string readNMNIST(const std::string &path, const EventSink &sink) {
  BlockReader r(path);
  if (!r.opened())
    return cannotOpen(path);
  unsigned char e[5];
  int64_t base = 0;
  while (true) {
    int64_t at = r.at;
    size_t got = r.read(e, 5);
    if (got == 0)
      break;
    if (got < 5)
      return where(path, at) + "truncated event (" + std::to_string(got) +
             " of 5 bytes)";
    if (e[1] == 240) { // time overflow marker
      base += kNMNISTOverflow;
      continue;
    }
    Event ev;
    ev.x = e[0];
    ev.y = e[1];
    ev.on = (e[2] & 0x80) != 0;
    ev.t = base + (int64_t(e[2] & 0x7F) << 16 | int64_t(e[3]) << 8 | e[4]);
    sink(ev);
  }
  return r.ok() ? "" : path + ": read error";
}

std::string writeNMNIST(const std::string &path,
                        const std::vector<Event> &events) {
  if (std::string e = checkEvents(events, 240, 240, "N-MNIST"); !e.empty())
    return path + ": " + e;
  return writeFileAtomically(path, [&](FILE *f) {
    int64_t base = 0;
    unsigned char rec[5];
    for (const Event &ev : events) {
      while (ev.t - base >= kNMNISTTimeLimit) { // an overflow marker
        unsigned char marker[5] = {0, 240, 0, 0, 0};
        if (std::fwrite(marker, 1, 5, f) != 5)
          return false;
        base += kNMNISTOverflow;
      }
      int64_t t = ev.t - base;
      rec[0] = uint8_t(ev.x);
      rec[1] = uint8_t(ev.y);
      rec[2] = uint8_t((ev.on ? 0x80 : 0) | (t >> 16 & 0x7F));
      rec[3] = uint8_t(t >> 8);
      rec[4] = uint8_t(t);
      if (std::fwrite(rec, 1, 5, f) != 5)
        return false;
    }
    return true;
  });
}

std::string readAedat2(const std::string &path, const EventSink &sink) {
  BlockReader r(path);
  if (!r.opened())
    return cannotOpen(path);
  std::string first;
  if (std::string e = readHeader(r, path, "", first); !e.empty())
    return e;
  if (first.rfind("#!AER-DAT2.0", 0) != 0)
    return where(path, 0) + "not an AEDAT 2.0 file (the first line is '" +
           first.substr(0, 40) + "', expected '#!AER-DAT2.0')";
  unsigned char rec[8];
  int64_t high = 0, last = -1;
  while (true) {
    int64_t at = r.at;
    size_t got = r.read(rec, 8);
    if (got == 0)
      break;
    if (got < 8)
      return where(path, at) + "truncated event (" + std::to_string(got) +
             " of 8 bytes)";
    uint32_t address = bigEndian32(rec), stamp = bigEndian32(rec + 4);
    if (address & 0x8000) // an external (non-DVS) event
      continue;
    // 32-bit µs stamps wrap after about 71 minutes.
    int64_t t = high + int64_t(stamp);
    if (t < last)
      high += int64_t(1) << 32, t += int64_t(1) << 32;
    last = t;
    Event ev;
    ev.on = (address & 1) != 0;
    ev.x = int32_t(address >> 1 & 0x7F);
    ev.y = 127 - int32_t(address >> 8 & 0x7F);
    ev.t = t;
    sink(ev);
  }
  return r.ok() ? "" : path + ": read error";
}

std::string writeAedat2(const std::string &path,
                        const std::vector<Event> &events) {
  if (std::string e = checkEvents(events, 128, 128, "AEDAT 2.0"); !e.empty())
    return path + ": " + e;
  return writeFileAtomically(path, [&](FILE *f) {
    const char *header =
        "#!AER-DAT2.0\r\n"
        "# This is a raw AE data file written by snn-mlir\r\n"
        "# Data format is int32 address, int32 timestamp "
        "(8 bytes total), repeated for each event\r\n"
        "# DVS128: polarity bit 0, x bits 1-7, y bits 8-14\r\n";
    if (std::fputs(header, f) < 0)
      return false;
    unsigned char rec[8];
    for (const Event &ev : events) {
      uint32_t address =
          uint32_t(ev.on) | uint32_t(ev.x) << 1 | uint32_t(127 - ev.y) << 8;
      putBigEndian32(rec, address);
      putBigEndian32(rec + 4, uint32_t(ev.t & 0xFFFFFFFFll));
      if (std::fwrite(rec, 1, 8, f) != 8)
        return false;
    }
    return true;
  });
}

std::string readAedat31(const std::string &path, const EventSink &sink) {
  BlockReader r(path);
  if (!r.opened())
    return cannotOpen(path);
  std::string first;
  if (std::string e = readHeader(r, path, "#!END-HEADER", first); !e.empty())
    return e;
  if (first.rfind("#!AER-DAT3", 0) != 0)
    return where(path, 0) + "not an AEDAT 3.x file (the first line is '" +
           first.substr(0, 40) + "', expected '#!AER-DAT3.1')";
  unsigned char head[28];
  while (true) {
    int64_t at = r.at;
    size_t got = r.read(head, 28);
    if (got == 0)
      break;
    if (got < 28)
      return where(path, at) + "truncated packet header (" +
             std::to_string(got) + " of 28 bytes)";
    int type = int(int16_t(head[0] | head[1] << 8));
    int64_t size = int32_t(littleEndian32(head + 4));
    int64_t overflow = int32_t(littleEndian32(head + 12));
    int64_t capacity = int32_t(littleEndian32(head + 16));
    if (size < 1 || capacity < 0 || overflow < 0 ||
        size * capacity > (int64_t(1) << 30))
      return where(path, at) + "corrupt packet header (event size " +
             std::to_string(size) + ", capacity " + std::to_string(capacity) +
             ", time overflow " + std::to_string(overflow) + ")";
    if (type == 1 && size != 8)
      return where(path, at) + "polarity packet with " + std::to_string(size) +
             "-byte events (expected 8)";
    // The payload is checked against the file and streamed, never held.
    int64_t payload = size * capacity;
    if (payload > r.remaining())
      return where(path, at) + "truncated packet (the header claims " +
             std::to_string(payload) + " payload bytes, the file holds " +
             std::to_string(r.remaining()) + ")";
    if (type != 1) {
      if (r.skip(size_t(payload)) < size_t(payload))
        return where(path, at) + "truncated packet";
      continue;
    }
    for (int64_t i = 0; i < capacity; ++i) {
      unsigned char p[8];
      if (r.read(p, 8) < 8)
        return where(path, at) + "truncated packet (event " +
               std::to_string(i) + " of " + std::to_string(capacity) + ")";
      uint32_t data = littleEndian32(p);
      if (!(data & 1))
        continue; // invalid event
      Event ev;
      ev.on = (data >> 1 & 1) != 0;
      ev.y = int32_t(data >> 2 & 0x7FFF);
      ev.x = int32_t(data >> 17 & 0x7FFF);
      ev.t = overflow << 31 | int64_t(littleEndian32(p + 4) & 0x7FFFFFFF);
      sink(ev);
    }
  }
  return r.ok() ? "" : path + ": read error";
}

std::string writeAedat31(const std::string &path,
                         const std::vector<Event> &events) {
  if (std::string e = checkEvents(events, 32768, 32768, "AEDAT 3.1");
      !e.empty())
    return path + ": " + e;
  return writeFileAtomically(path, [&](FILE *f) {
    const char *header = "#!AER-DAT3.1\r\n#Format: RAW\r\n"
                         "#Source 1: written by snn-mlir\r\n#!END-HEADER\r\n";
    if (std::fputs(header, f) < 0)
      return false;
    // Packets of at most 4096 events that share one time overflow.
    size_t i = 0;
    std::vector<unsigned char> packet;
    while (i < events.size()) {
      int64_t overflow = events[i].t >> 31;
      size_t end = i;
      while (end < events.size() && end - i < 4096 &&
             events[end].t >> 31 == overflow)
        ++end;
      int64_t n = int64_t(end - i);
      packet.assign(size_t(28 + 8 * n), 0);
      packet[0] = 1; // polarity events
      packet[2] = 1; // source
      putLittleEndian32(&packet[4], 8);
      putLittleEndian32(&packet[8], 4); // timestamp offset in an event
      putLittleEndian32(&packet[12], uint32_t(overflow));
      putLittleEndian32(&packet[16], uint32_t(n));
      putLittleEndian32(&packet[20], uint32_t(n));
      putLittleEndian32(&packet[24], uint32_t(n));
      for (int64_t k = 0; k < n; ++k) {
        const Event &ev = events[i + size_t(k)];
        uint32_t data = 1u | uint32_t(ev.on) << 1 | uint32_t(ev.y) << 2 |
                        uint32_t(ev.x) << 17;
        putLittleEndian32(&packet[size_t(28 + 8 * k)], data);
        putLittleEndian32(&packet[size_t(32 + 8 * k)],
                          uint32_t(ev.t & 0x7FFFFFFF));
      }
      if (std::fwrite(packet.data(), 1, packet.size(), f) != packet.size())
        return false;
      i = end;
    }
    return true;
  });
}

std::string readEvents(const std::string &path, std::vector<Event> &out) {
  out.clear();
  auto sink = [&](const Event &e) { out.push_back(e); };
  auto endsWith = [&](const char *s) {
    size_t n = std::strlen(s);
    return path.size() >= n && path.compare(path.size() - n, n, s) == 0;
  };
  if (endsWith(".bin"))
    return readNMNIST(path, sink);
  if (!endsWith(".aedat"))
    return path + ": unknown event file type (expected .bin for N-MNIST or "
                  ".aedat for AEDAT 2.0 / 3.1)";
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return cannotOpen(path);
  std::string first;
  std::getline(in, first);
  if (first.rfind("#!AER-DAT3", 0) == 0)
    return readAedat31(path, sink);
  return readAedat2(path, sink);
}

std::string binEvents(const std::vector<Event> &events, const BinOptions &o,
                      Tensor &frames) {
  if (o.bins < 1 || o.downsample < 1 || o.width < 1 || o.height < 1)
    return "binning needs at least one bin, a positive size and downsampling";
  int64_t W = (o.width + o.downsample - 1) / o.downsample,
          H = (o.height + o.downsample - 1) / o.downsample;
  if (std::string e = checkMemory(double(o.bins) * 2.0 * double(H * W) * 4.0,
                                  std::to_string(o.bins) + " frames of " +
                                      std::to_string(W) + "×" +
                                      std::to_string(H) + " pixels");
      !e.empty())
    return e;
  frames = Tensor({o.bins, 2, H, W});
  int64_t n = int64_t(events.size());
  if (n == 0)
    return "";
  int64_t t0 = events.front().t, t1 = events.front().t;
  for (const Event &e : events) {
    t0 = std::min(t0, e.t);
    t1 = std::max(t1, e.t);
  }
  double span = double(t1 - t0 + 1);
  for (int64_t i = 0; i < n; ++i) {
    const Event &e = events[size_t(i)];
    if (e.x < 0 || e.y < 0 || e.x >= o.width || e.y >= o.height)
      return "event " + std::to_string(i) + " at (" + std::to_string(e.x) +
             ", " + std::to_string(e.y) + ") lies outside the " +
             std::to_string(o.width) + "×" + std::to_string(o.height) +
             " sensor";
    int64_t bin = o.byCount ? i * o.bins / n
                            : int64_t(double(e.t - t0) * double(o.bins) / span);
    bin = std::min(bin, o.bins - 1);
    int64_t c = e.on ? 0 : 1;
    frames.data[size_t(((bin * 2 + c) * H + e.y / o.downsample) * W +
                       e.x / o.downsample)] += 1.0f;
  }
  return "";
}

std::string listEventDataset(const std::string &dir, const std::string &split,
                             EventDataset &out) {
  namespace fs = std::filesystem;
  out = EventDataset();
  std::error_code ec;
  fs::path root;
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (entry.is_directory() && name == split)
      root = entry.path();
  }
  if (ec)
    return dir + ": cannot list the folder (" + ec.message() + ")";
  if (root.empty())
    return dir + ": no '" + split +
           "' folder (expected N-MNIST's layout: Train/ and Test/ with one "
           "folder per class)";
  std::vector<std::pair<int, std::string>> samples;
  for (const auto &cls : fs::directory_iterator(root, ec)) {
    std::string label = cls.path().filename().string();
    if (!cls.is_directory() || label.empty() ||
        !std::all_of(label.begin(), label.end(),
                     [](unsigned char c) { return std::isdigit(c); }))
      continue;
    int number = 0;
    auto [end, err] =
        std::from_chars(label.data(), label.data() + label.size(), number);
    if (err != std::errc() || end != label.data() + label.size() ||
        number > kMaxEventClass)
      return cls.path().string() +
             ": the class folder's name is not a class "
             "number from 0 to " +
             std::to_string(kMaxEventClass);
    for (const auto &f : fs::directory_iterator(cls.path(), ec)) {
      std::string ext = f.path().extension().string();
      if (f.is_regular_file() && (ext == ".bin" || ext == ".aedat"))
        samples.push_back({number, f.path().string()});
    }
  }
  if (ec)
    return root.string() + ": cannot list the folder (" + ec.message() + ")";
  if (samples.empty())
    return root.string() + ": no .bin or .aedat samples in class folders";
  // By file name, then label: N-MNIST numbers the samples of each class
  // from 1, so this interleaves the classes (a prefix or a held-out tail
  // holds every class); the emulator names samples by image index.
  std::sort(samples.begin(), samples.end(), [](const auto &a, const auto &b) {
    std::string na = fs::path(a.second).filename().string(),
                nb = fs::path(b.second).filename().string();
    return na != nb ? na < nb : a.first < b.first;
  });
  for (auto &[label, file] : samples) {
    out.labels.push_back(label);
    out.files.push_back(std::move(file));
  }
  return "";
}

std::string loadEventFrames(const EventDataset &data, int64_t first,
                            int64_t count, const BinOptions &o,
                            Tensor &frames) {
  if (first < 0 || count < 0 || first + count > int64_t(data.files.size()))
    return "samples [" + std::to_string(first) + ", " +
           std::to_string(first + count) + ") are outside the data set of " +
           std::to_string(data.files.size());
  Tensor one;
  if (std::string e = binEvents({}, o, one); !e.empty())
    return e;
  int64_t per = one.size();
  if (std::string e = checkMemory(double(count) * double(per) * 4.0,
                                  "a batch of " + std::to_string(count) +
                                      " event samples binned into frames");
      !e.empty())
    return e;
  Shape shape = {count};
  shape.insert(shape.end(), one.shape.begin(), one.shape.end());
  frames = Tensor(shape);
  std::mutex failed;
  std::string error;
  parallelFor(count, 1, [&](int64_t s, int64_t e) {
    std::vector<Event> events;
    Tensor f;
    for (int64_t i = s; i < e; ++i) {
      const std::string &path = data.files[size_t(first + i)];
      std::string err = readEvents(path, events);
      if (err.empty())
        err = binEvents(events, o, f);
      if (!err.empty()) {
        std::lock_guard<std::mutex> lock(failed);
        if (error.empty())
          error = err.rfind(path, 0) == 0 ? err : path + ": " + err;
        return;
      }
      std::copy(f.data.begin(), f.data.end(), frames.data.begin() + i * per);
    }
  });
  return error;
}

} // namespace snnrt
