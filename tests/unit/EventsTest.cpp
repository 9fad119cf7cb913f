//===- EventsTest.cpp - event-camera readers, writers and binning ---------===//

#include "runtime/data/Events.h"

#include <gtest/gtest.h>

#include <cstdio>
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
  EXPECT_NE(err.find("truncated packet (792 of 800 payload bytes)"),
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
