//===- EventsTest.cpp - event-camera readers, writers and binning ---------===//

#include "runtime/data/Events.h"
#include "runtime/data/SaccadeEmulator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace snnrt;

namespace {

/// A temporary file name, removed at the end of the test.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string &suffix) {
    path = ::testing::TempDir() + "/events-" + std::to_string(::getpid()) +
           "-" + std::to_string(counter++) + suffix;
  }
  ~TempFile() { std::remove(path.c_str()); }
  static inline int counter = 0;
};

/// `n` events with ascending times (steps of up to `maxStep` µs) on a
/// width × height sensor.
std::vector<Event> randomEvents(int n, int width, int height, int64_t maxStep,
                                unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> out;
  int64_t t = 0;
  for (int i = 0; i < n; ++i) {
    t += int64_t(rng() % uint64_t(maxStep + 1));
    out.push_back({t, int32_t(rng() % uint64_t(width)),
                   int32_t(rng() % uint64_t(height)), bool(rng() & 1)});
  }
  return out;
}

std::vector<Event> readAll(const std::string &path, std::string &err) {
  std::vector<Event> out;
  err = readEvents(path, out);
  return out;
}

void truncateBy(const std::string &path, long bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  in.close();
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(data.data(), long(data.size()) - bytes);
}

} // namespace

TEST(Events, NMNISTRoundTripWithTimeOverflow) {
  // Steps up to 20 ms over 2,000 events pass 2^23 µs several times.
  std::vector<Event> events = randomEvents(2000, 34, 34, 20000, 1);
  ASSERT_GT(events.back().t, int64_t(1) << 24);
  TempFile f(".bin");
  ASSERT_EQ(writeNMNIST(f.path, events), "");
  std::string err;
  EXPECT_EQ(readAll(f.path, err), events);
  EXPECT_EQ(err, "");
}

TEST(Events, Aedat2RoundTripFlipsTheOrigin) {
  std::vector<Event> events = randomEvents(3000, 128, 128, 500, 2);
  events.push_back({events.back().t + 1, 0, 0, true}); // top-left pixel
  TempFile f(".aedat");
  ASSERT_EQ(writeAedat2(f.path, events), "");
  std::string err;
  EXPECT_EQ(readAll(f.path, err), events);
  EXPECT_EQ(err, "");
  // Stored with the origin lower-left: (0, 0) is address row 127.
  std::ifstream in(f.path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  const unsigned char *last =
      reinterpret_cast<const unsigned char *>(data.data()) + data.size() - 8;
  EXPECT_EQ(int(last[2]), 127);
  EXPECT_EQ(int(last[3]), 1); // x = 0, ON
}

TEST(Events, Aedat31RoundTripAcrossPacketsAndTimeOverflow) {
  // More than one 4096-event packet, and times past 2^31 µs.
  std::vector<Event> events = randomEvents(9000, 128, 128, 600000, 3);
  ASSERT_GT(events.back().t, int64_t(1) << 31);
  TempFile f(".aedat");
  ASSERT_EQ(writeAedat31(f.path, events), "");
  std::string err;
  EXPECT_EQ(readAll(f.path, err), events);
  EXPECT_EQ(err, "");
}

TEST(Events, TruncatedFilesAreReportedWithTheirOffset) {
  std::vector<Event> events = randomEvents(100, 34, 34, 100, 4);
  std::string err;
  TempFile bin(".bin");
  ASSERT_EQ(writeNMNIST(bin.path, events), "");
  truncateBy(bin.path, 2);
  readAll(bin.path, err);
  EXPECT_NE(err.find("byte 495): truncated event (3 of 5 bytes)"),
            std::string::npos)
      << err;

  TempFile a2(".aedat");
  ASSERT_EQ(writeAedat2(a2.path, events), "");
  truncateBy(a2.path, 3);
  readAll(a2.path, err);
  EXPECT_NE(err.find("truncated event (5 of 8 bytes)"), std::string::npos)
      << err;

  TempFile a3(".aedat");
  ASSERT_EQ(writeAedat31(a3.path, events), "");
  truncateBy(a3.path, 8);
  readAll(a3.path, err);
  EXPECT_NE(err.find("truncated packet (the header claims 800 payload "
                     "bytes, the file holds 792)"),
            std::string::npos)
      << err;
}

TEST(Events, CorruptHeadersAndBadEventsAreRefused) {
  std::string err;
  TempFile notAedat(".aedat");
  std::ofstream(notAedat.path) << "#!AER-DAT1.0\r\n#x\r\n";
  readAll(notAedat.path, err);
  EXPECT_NE(err.find("not an AEDAT 2.0 file"), std::string::npos) << err;

  TempFile noEnd(".aedat");
  std::ofstream(noEnd.path) << "#!AER-DAT3.1\r\n#Format: RAW\r\n";
  readAll(noEnd.path, err);
  EXPECT_NE(err.find("no #!END-HEADER line"), std::string::npos) << err;

  TempFile badPacket(".aedat");
  {
    std::ofstream out(badPacket.path, std::ios::binary);
    out << "#!AER-DAT3.1\r\n#!END-HEADER\r\n";
    unsigned char head[28] = {1, 0, 1, 0, 8, 0, 0, 0};
    head[16] = 0xFF, head[17] = 0xFF, head[18] = 0xFF, head[19] = 0x7F;
    out.write(reinterpret_cast<char *>(head), 28);
  }
  readAll(badPacket.path, err);
  EXPECT_NE(err.find("corrupt packet header"), std::string::npos) << err;

  readAll("/nonexistent/x.bin", err);
  EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
  readAll("events.csv", err);
  EXPECT_NE(err.find("unknown event file type"), std::string::npos) << err;

  TempFile out(".bin");
  EXPECT_NE(writeNMNIST(out.path, {{10, 0, 0, true}, {5, 0, 0, true}})
                .find("decreasing time"),
            std::string::npos);
  EXPECT_NE(writeAedat2(out.path, {{0, 128, 0, true}}).find("outside"),
            std::string::npos);
}

TEST(Events, BinningByTimeAndByCount) {
  // Ten events at t = 0..7, 800, 900 µs, x = i, alternating polarity.
  std::vector<Event> events;
  for (int i = 0; i < 10; ++i)
    events.push_back({i * (i < 8 ? 1 : 100), i, 1, i % 2 == 0});
  Tensor f;
  BinOptions o;
  o.bins = 2;
  o.width = 10;
  o.height = 2;
  ASSERT_EQ(binEvents(events, o, f), "");
  ASSERT_EQ(f.shape, (Shape{2, 2, 2, 10}));
  // By time, bins of 450.5 µs: t = 800 and 900 fall into the second.
  float first = 0, total = 0;
  for (int64_t i = 0; i < f.size(); ++i) {
    total += f.data[size_t(i)];
    if (i < 40)
      first += f.data[size_t(i)];
  }
  EXPECT_EQ(total, 10.0f);
  EXPECT_EQ(first, 8.0f);
  EXPECT_EQ(f.data[size_t(((1 * 2 + 1) * 2 + 1) * 10 + 9)], 1.0f); // OFF x=9
  o.byCount = true;
  ASSERT_EQ(binEvents(events, o, f), "");
  first = 0;
  for (int64_t i = 0; i < 40; ++i)
    first += f.data[size_t(i)];
  EXPECT_EQ(first, 5.0f);
  // Downsampling by 4: 10 → 3 columns; pixels 0–3 fall into column 0.
  o.downsample = 4;
  ASSERT_EQ(binEvents(events, o, f), "");
  ASSERT_EQ(f.shape, (Shape{2, 2, 1, 3}));
  EXPECT_EQ(f.data[0] + f.data[3], 4.0f); // bin 0, column 0, ON + OFF
  events.push_back({1000, 10, 0, true});
  EXPECT_NE(binEvents(events, o, f).find("outside"), std::string::npos);
}

TEST(Events, SaccadeEmulatorRecordsEdgesNotUniformAreas) {
  // A bright square on black: events come from its edges as the sensor
  // moves, inside the canvas, sorted, the same for the same seed and index.
  std::vector<float> image(28 * 28, 0.0f);
  for (int y = 8; y < 20; ++y)
    for (int x = 8; x < 20; ++x)
      image[size_t(y * 28 + x)] = 1.0f;
  SaccadeOptions o;
  o.noiseHz = 0.0f;
  std::vector<Event> a = emulateSaccades(image.data(), 28, 28, o, 7);
  std::vector<Event> b = emulateSaccades(image.data(), 28, 28, o, 7);
  EXPECT_EQ(a, b);
  ASSERT_GT(a.size(), 500u);
  int64_t on = 0, centre = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(a[i].x >= 0 && a[i].x < 34 && a[i].y >= 0 && a[i].y < 34);
    if (i > 0) {
      EXPECT_LE(a[i - 1].t, a[i].t);
    }
    EXPECT_LE(a[i].t, 3 * o.saccadeUs);
    on += a[i].on;
    // The square's middle stays bright under every shift (≤ 6 px): silent.
    centre += a[i].x >= 15 && a[i].x <= 17 && a[i].y >= 15 && a[i].y <= 17;
  }
  EXPECT_EQ(centre, 0);
  // Back where it started: about as many ON as OFF events.
  EXPECT_NEAR(double(on) / double(a.size()), 0.5, 0.1);
  // A blank image gives nothing but noise; noise differs between indices.
  std::vector<float> blank(28 * 28, 0.0f);
  EXPECT_TRUE(emulateSaccades(blank.data(), 28, 28, o, 1).empty());
  o.noiseHz = 5.0f;
  std::vector<Event> n1 = emulateSaccades(blank.data(), 28, 28, o, 1),
                     n2 = emulateSaccades(blank.data(), 28, 28, o, 2);
  EXPECT_NEAR(double(n1.size()), 34 * 34 * 5 * 0.3, 60.0);
  EXPECT_NE(n1, n2);
  // Images larger than the canvas are refused (empty stream).
  std::vector<float> big(40 * 40, 1.0f);
  EXPECT_TRUE(emulateSaccades(big.data(), 40, 40, o, 1).empty());
}

TEST(Events, DataSetLayoutListsAndLoadsFrames) {
  std::string root =
      ::testing::TempDir() + "/events-set-" + std::to_string(::getpid());
  std::vector<Event> events = randomEvents(50, 34, 34, 100, 9);
  for (int label : {3, 1})
    for (int k = 0; k < 2; ++k) {
      std::string dir = root + "/Test/" + std::to_string(label);
      ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
      ASSERT_EQ(writeNMNIST(dir + "/0000" + std::to_string(k) + ".bin", events),
                "");
    }
  EventDataset data;
  ASSERT_EQ(listEventDataset(root, "test", data), "");
  EXPECT_EQ(data.labels, (std::vector<int>{1, 3, 1, 3}));
  BinOptions o;
  o.bins = 4;
  Tensor frames;
  ASSERT_EQ(loadEventFrames(data, 1, 3, o, frames), "");
  ASSERT_EQ(frames.shape, (Shape{3, 4, 2, 34, 34}));
  double sum = 0;
  for (float v : frames.data)
    sum += v;
  EXPECT_EQ(sum, 150.0);
  EXPECT_NE(loadEventFrames(data, 2, 3, o, frames).find("outside"),
            std::string::npos);
  EXPECT_NE(listEventDataset(root, "train", data).find("no 'train' folder"),
            std::string::npos);
  ASSERT_EQ(std::system(("rm -rf " + root).c_str()), 0);
}
