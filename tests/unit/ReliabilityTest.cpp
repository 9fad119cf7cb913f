//===- ReliabilityTest.cpp - atomic files, bounded readers, checkpoints ---===//
//
// The runtime's side of docs/reliability.md: outputs appear whole or not at
// all, readers allocate by what a file holds rather than what its header
// claims, labels are checked, worker exceptions reach the caller, and
// checkpoints refuse anything but an intact checkpoint of the same run.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/IDX.h"
#include "runtime/io/AtomicFile.h"
#include "runtime/tensor/Parallel.h"
#include "runtime/train/TrainLoop.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

using namespace snnrt;

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

std::string folder(const std::string &name) {
  std::string dir = ::testing::TempDir() + "/reliability-" + name;
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return dir;
}

} // namespace

TEST(AtomicFile, ReplacesOnlyWhenComplete) {
  std::string dir = folder("atomic");
  std::string path = dir + "/out.txt";
  writeFile(path, "old");
  // A failed write leaves the old file and no temporary file.
  EXPECT_NE(writeFileAtomically(path,
                                [](FILE *f) {
                                  std::fputs("partial", f);
                                  return false;
                                }),
            "");
  EXPECT_EQ(readFile(path), "old");
  {
    AtomicOutputFile out;
    ASSERT_EQ(out.open(path), "");
    std::fputs("new", out.stream());
    // Not committed: the destructor discards it.
  }
  EXPECT_EQ(readFile(path), "old");
  EXPECT_EQ(writeFileAtomically(
                path, [](FILE *f) { return std::fputs("new", f) >= 0; }),
            "");
  EXPECT_EQ(readFile(path), "new");
  EXPECT_EQ(std::system(("test $(ls -A '" + dir + "' | wc -l) -eq 1").c_str()),
            0)
      << "a temporary file was left behind";
}

TEST(AtomicFile, KeepsModeAndFollowsLinks) {
  std::string dir = folder("mode");
  std::string path = dir + "/model.mlir", link = dir + "/link.mlir";
  writeFile(path, "old");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  ASSERT_EQ(symlink(path.c_str(), link.c_str()), 0);
  ASSERT_EQ(writeFileAtomically(
                link, [](FILE *f) { return std::fputs("new", f) >= 0; }),
            "");
  struct stat st;
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link was replaced by a file";
  EXPECT_EQ(readFile(path), "new");
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(AtomicFile, DevicesAreWrittenNotReplaced) {
  ASSERT_EQ(writeFileAtomically(
                "/dev/null", [](FILE *f) { return std::fputs("x", f) >= 0; }),
            "");
  struct stat st;
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(AtomicFile, OutputPathsAreCheckedBeforeWork) {
  std::string dir = folder("check");
  EXPECT_EQ(checkOutputPath(dir + "/new.mlir"), "");
  EXPECT_TRUE(contains(checkOutputPath(dir + "/missing/x.mlir"),
                       "the folder " + dir + "/missing does not exist"));
  EXPECT_TRUE(contains(checkOutputPath(dir), "it is a folder"));
  writeFile(dir + "/file", "x");
  EXPECT_TRUE(
      contains(checkOutputPath(dir + "/file/x.mlir"), "is not a folder"));
  EXPECT_TRUE(sameFile(dir + "/file", dir + "/./file"));
  EXPECT_TRUE(
      sameFile(dir + "/new.mlir", dir + "/../reliability-check/new.mlir"));
  EXPECT_FALSE(sameFile(dir + "/file", dir + "/new.mlir"));
}

TEST(Parallel, WorkerExceptionsReachTheCaller) {
  setNumThreads(4);
  EXPECT_THROW(parallelFor(1000, 1,
                           [](int64_t b, int64_t) {
                             if (b > 0)
                               throw std::bad_alloc();
                           }),
               std::bad_alloc);
  setNumThreads(0);
}

TEST(IDXReader, HeadersCannotClaimMoreThanTheFileHolds) {
  std::string dir = folder("idx");
  // 2^28 × 8 × 8 bytes claimed by a 16-byte file.
  const unsigned char huge[] = {0, 0, 8, 3, 0x10, 0, 0, 0,
                                0, 0, 0, 8, 0,    0, 0, 8};
  writeFile(dir + "/huge",
            std::string(reinterpret_cast<const char *>(huge), sizeof(huge)));
  IDXArray a;
  std::string e = readIDX(dir + "/huge", a);
  EXPECT_TRUE(contains(e, "truncated data (the header claims "
                          "268435456×8×8 = 17179869184 bytes, the file "
                          "holds 0)"))
      << e;
  EXPECT_TRUE(a.bytes.empty());

  // The same claim inside a gzip stream: found by reading, not allocating.
  std::string gz = dir + "/huge.gz";
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, huge, sizeof(huge));
  gzwrite(f, "0123456789", 10);
  gzclose(f);
  e = readIDX(gz, a);
  EXPECT_TRUE(contains(e, "the file holds 10)")) << e;
  EXPECT_LT(a.bytes.capacity(), size_t(1) << 25);

  // A corrupt gzip stream is an error, not data.
  const unsigned char small[] = {0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4};
  f = gzopen(gz.c_str(), "wb");
  gzwrite(f, small, sizeof(small));
  gzclose(f);
  std::string bytes = readFile(gz);
  bytes[bytes.size() - 6] ^= 0x55; // the CRC in the trailer
  writeFile(gz, bytes);
  EXPECT_TRUE(contains(readIDX(gz, a), "corrupt gzip data")) << readIDX(gz, a);
  EXPECT_TRUE(contains(readIDX(dir, a), "is a folder, not an IDX file"));
}

TEST(IDXReader, LabelsAreCheckedAgainstTheClasses) {
  EXPECT_EQ(checkLabels({0, 9, 3}, 10), "");
  EXPECT_EQ(checkLabels({0, 255, 3}, 10, 100),
            "sample 101 has label 255, but the network has 10 outputs "
            "(classes 0 to 9)");
  EXPECT_NE(checkLabels({-1}, 10), "");
}

namespace {

/// Two small parameters with the optimizer state of a run that trained
/// one epoch, saved as a checkpoint of `fingerprint`.
struct CheckpointFixture {
  std::vector<float> w = {0.5f, -1.0f, 2.0f}, b = {0.25f};
  std::vector<Parameter> params;
  OptimizerOptions adam;
  std::unique_ptr<Optimizer> opt;
  std::vector<EpochReport> reports;

  CheckpointFixture() {
    params.resize(2);
    params[0].name = "w";
    params[0].data = w.data();
    params[0].size = 3;
    params[1].name = "b";
    params[1].data = b.data();
    params[1].size = 1;
    opt = std::make_unique<Optimizer>(adam, params);
    opt->steps = 7;
    EpochReport r;
    r.epoch = 1;
    reports.push_back(r);
  }
  std::string load(const std::string &path, const std::string &print,
                   int64_t &epochs) {
    bool found = false;
    std::vector<EpochReport> back;
    Optimizer fresh(adam, params);
    return loadCheckpoint(path, print, 3, epochs, fresh, params, back, found);
  }
};

/// Rewrites the CRC-32 at the end of a checkpoint after an edit, so that
/// the checks behind it are reached.
void fixChecksum(std::string &bytes) {
  uint32_t crc =
      uint32_t(crc32(0L, reinterpret_cast<const Bytef *>(bytes.data()),
                     uInt(bytes.size() - 4)));
  std::memcpy(&bytes[bytes.size() - 4], &crc, 4);
}

} // namespace

TEST(Checkpoints, RoundTripAndRefusals) {
  std::string dir = folder("ckpt");
  std::string path = dir + "/run.ckpt";
  CheckpointFixture c;
  ASSERT_EQ(saveCheckpoint(path, "run A", 1, *c.opt, c.params, c.reports), "");
  std::string good = readFile(path);

  c.w = {0, 0, 0};
  int64_t epochs = 0;
  ASSERT_EQ(c.load(path, "run A", epochs), "");
  EXPECT_EQ(epochs, 1);
  EXPECT_EQ(c.w, (std::vector<float>{0.5f, -1.0f, 2.0f}));

  // Another run's fingerprint.
  EXPECT_TRUE(contains(c.load(path, "run B", epochs), "other options"));

  // One flipped bit anywhere: the checksum.
  std::string bad = good;
  bad[bad.size() / 2] ^= 0x10;
  writeFile(path, bad);
  c.w = {0, 0, 0};
  EXPECT_TRUE(
      contains(c.load(path, "run A", epochs), "is corrupt (its checksum"));
  EXPECT_EQ(c.w, (std::vector<float>{0, 0, 0})) << "changed by a refused load";

  // A NaN weight written behind a correct checksum.
  size_t firstWeight = 8 + 8 + 5 + 8 + 8 + 8;
  bad = good;
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(&bad[firstWeight + 4], &nan, 4);
  fixChecksum(bad);
  writeFile(path, bad);
  EXPECT_TRUE(contains(c.load(path, "run A", epochs), "non-finite value in w"));
  EXPECT_EQ(c.w, (std::vector<float>{0, 0, 0}));

  // An epoch counter out of range behind a correct checksum.
  bad = good;
  int64_t minusFive = -5;
  std::memcpy(&bad[8 + 8 + 5], &minusFive, 8);
  fixChecksum(bad);
  writeFile(path, bad);
  EXPECT_TRUE(contains(c.load(path, "run A", epochs), "corrupt"));

  // Truncated, and far too large for these parameters.
  writeFile(path, good.substr(0, good.size() - 9));
  EXPECT_NE(c.load(path, "run A", epochs), "");
  writeFile(path, good + std::string(size_t(4) << 20, '\0'));
  EXPECT_TRUE(contains(c.load(path, "run A", epochs),
                       "more than a checkpoint of this network can be"));
  // Format 1 files are named as such.
  writeFile(path, std::string("\x08\0\0\0\0\0\0\0SNNTRAIN", 16) + "rest");
  EXPECT_TRUE(contains(c.load(path, "run A", epochs), "checkpoint format 1"));
}

TEST(Checkpoints, TrainingStopsWhenTheLossIsNotFinite) {
  CheckpointFixture c;
  TrainingOptions o;
  o.epochs = 2;
  o.batch = 2;
  o.validation = 0;
  std::vector<EpochReport> reports;
  std::string e = runEpochs(
      o, c.params, "nan", 8,
      [](const std::vector<int64_t> &, int64_t, int64_t, BatchOutcome &out) {
        out.loss = std::nan("");
        return std::string();
      },
      [](int64_t, int64_t, double &) { return std::string(); }, {}, reports);
  EXPECT_TRUE(contains(e, "training diverged")) << e;
}

TEST(Memory, RequestsBeyondTheMachineAreNamed) {
  EXPECT_EQ(checkMemory(1024, "a kilobyte"), "");
  std::string e = checkMemory(1e18, "16777216 frames");
  EXPECT_TRUE(contains(e, "16777216 frames needs 888 PiB, more than this "
                          "machine's"))
      << e;
}
