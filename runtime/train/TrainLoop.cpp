//===- TrainLoop.cpp - epochs, schedules and resumable checkpoints --------===//

#include "runtime/train/TrainLoop.h"
#include "runtime/io/AtomicFile.h"
#include "runtime/sim/Simulator.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <sstream>
#include <sys/stat.h>
#include <zlib.h>

namespace snnrt {

float learningRateAt(const TrainingOptions &o, int64_t epoch) {
  float lr = o.optimizer.learningRate;
  switch (o.schedule) {
  case Schedule::Constant:
    return lr;
  case Schedule::Step:
    for (double m : o.milestones)
      if (double(epoch) >= m * double(o.epochs))
        lr *= o.decay;
    return lr;
  case Schedule::Cosine:
    return float(0.5 * double(lr) *
                 (1.0 + std::cos(M_PI * double(epoch) / double(o.epochs))));
  }
  return lr;
}

namespace {

/// Checkpoint format 2: "SNNCKPT2", then length-prefixed blocks (the
/// fingerprint, the counters, per parameter its values and the optimizer's
/// two moments, the epoch reports), then a CRC-32 of everything before it.
/// The reader checks the file's size against what this run's parameters
/// need before reading, the checksum before believing any of it, and the
/// counters' ranges after.
constexpr char kMagic[8] = {'S', 'N', 'N', 'C', 'K', 'P', 'T', '2'};
constexpr char kOldMagic[8] = {'S', 'N', 'N', 'T', 'R', 'A', 'I', 'N'};
constexpr size_t kMaxFingerprint = 1 << 20;
/// Separates the options from the network's identity in a fingerprint.
constexpr const char *kNetworkMark = " | network:";

/// Appends to a byte buffer (the whole checkpoint is built in memory, then
/// written at once: the CRC covers exactly what is written).
struct Writer {
  std::vector<unsigned char> out;
  template <typename T> void put(const T &v) {
    const auto *p = reinterpret_cast<const unsigned char *>(&v);
    out.insert(out.end(), p, p + sizeof(T));
  }
  void bytes(const void *p, size_t n) {
    put(uint64_t(n));
    const auto *b = static_cast<const unsigned char *>(p);
    out.insert(out.end(), b, b + n);
  }
};

/// Reads from the checkpoint's bytes; any read past the end clears `ok`.
struct Reader {
  const unsigned char *p, *end;
  bool ok = true;
  template <typename T> void get(T &v) {
    if (!ok || size_t(end - p) < sizeof(T)) {
      ok = false;
      return;
    }
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
  }
  /// A length-prefixed block of exactly `n` bytes.
  void bytes(void *dst, size_t n) {
    uint64_t len = 0;
    get(len);
    if (!ok || len != n || size_t(end - p) < n) {
      ok = false;
      return;
    }
    if (n)
      std::memcpy(dst, p, n);
    p += n;
  }
  std::string string(size_t max) {
    uint64_t len = 0;
    get(len);
    if (!ok || len > max || size_t(end - p) < len) {
      ok = false;
      return "";
    }
    std::string s(reinterpret_cast<const char *>(p), size_t(len));
    p += len;
    return s;
  }
};

uint32_t checksum(const unsigned char *data, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) { // zlib takes 32-bit lengths
    uInt chunk = uInt(std::min<size_t>(n, 1u << 30));
    crc = crc32(crc, data, chunk);
    data += chunk;
    n -= chunk;
  }
  return uint32_t(crc);
}

} // namespace

std::string saveCheckpoint(const std::string &path, const std::string &print,
                           int64_t epochsDone, const Optimizer &opt,
                           const std::vector<Parameter> &params,
                           const std::vector<EpochReport> &reports) {
  Writer w;
  w.out.insert(w.out.end(), kMagic, kMagic + sizeof(kMagic));
  w.bytes(print.data(), print.size());
  w.put(epochsDone);
  w.put(opt.steps);
  for (size_t k = 0; k < params.size(); ++k) {
    w.bytes(params[k].data, size_t(params[k].size) * sizeof(float));
    w.bytes(opt.first[k].data(), opt.first[k].size() * sizeof(float));
    w.bytes(opt.second[k].data(), opt.second[k].size() * sizeof(float));
  }
  w.bytes(reports.data(), reports.size() * sizeof(EpochReport));
  w.put(checksum(w.out.data(), w.out.size()));
  return writeFileAtomically(path, [&](FILE *f) {
    return std::fwrite(w.out.data(), 1, w.out.size(), f) == w.out.size();
  });
}

std::string loadCheckpoint(const std::string &path, const std::string &print,
                           int64_t epochs, int64_t &epochsDone, Optimizer &opt,
                           std::vector<Parameter> &params,
                           std::vector<EpochReport> &reports, bool &found) {
  struct stat st;
  found = stat(path.c_str(), &st) == 0;
  if (!found)
    return "";
  if (!S_ISREG(st.st_mode))
    return path + " is not a file (--checkpoint names a file)";
  // Its size is bounded by what this run's parameters and epochs need.
  double need = sizeof(kMagic) + 8 + double(kMaxFingerprint) + 16 + 8 + 4 + 8 +
                double(epochs) * sizeof(EpochReport);
  for (size_t k = 0; k < params.size(); ++k)
    need += 24 + 4.0 * double(params[k].size + int64_t(opt.first[k].size()) +
                              int64_t(opt.second[k].size()));
  if (double(st.st_size) > need)
    return path + " is " + formatBytes(double(st.st_size)) +
           ", more than a checkpoint of this network can be (" +
           formatBytes(need) + "): not a checkpoint of this run";
  std::vector<unsigned char> bytes(size_t(st.st_size));
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return path + ": cannot read (" + std::strerror(errno) + ")";
  size_t got = std::fread(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  if (got != bytes.size())
    return path + ": cannot read the whole file";
  if (bytes.size() >= 16 && std::memcmp(bytes.data() + 8, kOldMagic, 8) == 0)
    return path + " was written by an earlier snn-mlir (checkpoint format 1, "
                  "without a checksum): delete it, or train without --resume";
  if (bytes.size() < sizeof(kMagic) + 4 ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return path + " is not an snn-mlir training checkpoint";
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  if (checksum(bytes.data(), bytes.size() - 4) != stored)
    return path + " is corrupt (its checksum does not match its contents): "
                  "delete it, or train without --resume";
  Reader r{bytes.data() + sizeof(kMagic), bytes.data() + bytes.size() - 4};
  std::string saved = r.string(kMaxFingerprint);
  if (r.ok && saved != print) {
    // The options, then kNetworkMark and what identifies the network.
    size_t a = saved.find(kNetworkMark), b = print.find(kNetworkMark);
    bool marked = a != std::string::npos && b != std::string::npos;
    if (marked && saved.substr(a) != print.substr(b))
      return path + " was written for another network (other starting "
                    "weights or another structure, thresholds or time "
                    "steps): it cannot resume the training of this one";
    return path +
           " was written for other options:\n  "
           "checkpoint: " +
           saved.substr(0, a) + "\n  this run:   " + print.substr(0, b);
  }
  r.get(epochsDone);
  r.get(opt.steps);
  std::vector<std::vector<float>> values(params.size());
  for (size_t k = 0; k < params.size() && r.ok; ++k) {
    values[k].resize(size_t(params[k].size));
    r.bytes(values[k].data(), values[k].size() * sizeof(float));
    r.bytes(opt.first[k].data(), opt.first[k].size() * sizeof(float));
    r.bytes(opt.second[k].data(), opt.second[k].size() * sizeof(float));
  }
  // One report per epoch done.
  if (r.ok && epochsDone >= 0 && epochsDone <= epochs) {
    reports.resize(size_t(epochsDone));
    r.bytes(reports.data(), reports.size() * sizeof(EpochReport));
  }
  if (!r.ok || r.p != r.end)
    return path + " is truncated or corrupt (its blocks do not match this "
                  "network's parameters)";
  if (epochsDone < 1 || epochsDone > epochs || opt.steps < 0)
    return path + " is corrupt: it claims " + std::to_string(epochsDone) +
           " epochs done (of " + std::to_string(epochs) + ") and " +
           std::to_string(opt.steps) + " optimizer steps";
  for (size_t k = 0; k < params.size(); ++k)
    for (float v : values[k])
      if (!std::isfinite(v))
        return path + " holds a non-finite value in " + params[k].name +
               ": it cannot be resumed";
  for (size_t k = 0; k < params.size(); ++k)
    std::copy(values[k].begin(), values[k].end(), params[k].data);
  return "";
}

namespace {

/// The network's starting weights, one CRC-32 per parameter: a checkpoint
/// resumes only the run that started from the same weights.
std::string weightsFingerprint(const std::vector<Parameter> &params) {
  std::ostringstream s;
  s << " weights=";
  for (const Parameter &p : params)
    s << std::hex
      << checksum(reinterpret_cast<const unsigned char *>(p.data),
                  size_t(p.size) * sizeof(float))
      << std::dec << ",";
  return s.str();
}

/// The loop's own options, for the checkpoint fingerprint.
std::string loopFingerprint(const TrainingOptions &o,
                            const std::vector<Parameter> &params) {
  std::ostringstream s;
  s << " optimizer="
    << (o.optimizer.kind == OptimizerKind::Adam ? "adam" : "sgd")
    << " lr=" << o.optimizer.learningRate
    << " momentum=" << o.optimizer.momentum
    << " weight-decay=" << o.optimizer.weightDecay
    << (o.optimizer.decoupledDecay ? " decoupled" : "")
    << " epochs=" << o.epochs << " batch=" << o.batch
    << " schedule=" << int(o.schedule) << " decay=" << o.decay
    << " seed=" << o.seed << " limit=" << o.limit
    << " validation=" << o.validation << " parameters=";
  for (const Parameter &p : params)
    s << p.size << ",";
  return s.str();
}

} // namespace

std::string runEpochs(const TrainingOptions &o, std::vector<Parameter> &params,
                      const std::string &fingerprint, int64_t images,
                      const BatchStep &step, const Validation &validate,
                      const TrainCallbacks &cb,
                      std::vector<EpochReport> &reports) {
  int64_t total = images;
  if (o.limit > 0)
    total = std::min(total, o.limit);
  int64_t trainCount = total - o.validation;
  if (o.validation < 0 || trainCount < 1)
    return "the validation split (" + std::to_string(o.validation) +
           " images) leaves no training images out of " + std::to_string(total);
  if (o.batch < 1 || o.epochs < 1)
    return "batch size and epochs must be positive";
  Optimizer opt(o.optimizer, params);
  std::string print = fingerprint + loopFingerprint(o, params) + kNetworkMark +
                      weightsFingerprint(params) +
                      (o.network.empty() ? "" : " function=" + o.network);

  reports.clear();
  int64_t start = 0;
  if (o.resume && !o.checkpoint.empty()) {
    bool found = false;
    if (std::string e = loadCheckpoint(o.checkpoint, print, o.epochs, start,
                                       opt, params, reports, found);
        !e.empty())
      return e;
    if (cb.note)
      cb.note(found ? "resuming after epoch " + std::to_string(start) +
                          " from " + o.checkpoint
                    : "no checkpoint at " + o.checkpoint +
                          ": starting from the beginning");
  }

  for (int64_t epoch = start; epoch < o.epochs; ++epoch) {
    auto begin = std::chrono::steady_clock::now();
    float lr = learningRateAt(o, epoch);
    // The epoch's order: a Fisher-Yates shuffle from a seeded splitmix
    // stream (the same on every platform).
    std::vector<int64_t> order(static_cast<size_t>(trainCount));
    std::iota(order.begin(), order.end(), 0);
    uint64_t state = splitmix64(o.seed ^ (uint64_t(epoch) << 40));
    for (int64_t i = trainCount - 1; i > 0; --i) {
      state = splitmix64(state);
      std::swap(order[size_t(i)], order[size_t(state % uint64_t(i + 1))]);
    }
    EpochReport rep;
    rep.epoch = epoch + 1;
    rep.learningRate = lr;
    double lossSum = 0;
    int64_t correct = 0, seen = 0;
    std::vector<int64_t> indices;
    for (int64_t b = 0; b * o.batch < trainCount; ++b) {
      int64_t n = std::min(o.batch, trainCount - b * o.batch);
      indices.assign(order.begin() + b * o.batch,
                     order.begin() + b * o.batch + n);
      BatchOutcome r;
      if (std::string e = step(indices, epoch, b, r); !e.empty())
        return e;
      if (!std::isfinite(r.loss))
        return "the loss is " + std::to_string(r.loss) + " at epoch " +
               std::to_string(epoch + 1) + ", batch " + std::to_string(b + 1) +
               ": training diverged (try a lower --lr than " +
               std::to_string(lr) + "); nothing was written";
      opt.step(lr);
      lossSum += r.loss * double(n);
      correct += r.correct;
      seen += n;
      rep.peakActivationMiB =
          std::max(rep.peakActivationMiB, r.peakBytes / (1024.0 * 1024.0));
      if (cb.progress)
        cb.progress(epoch + 1, seen, trainCount, lossSum / double(seen),
                    100.0 * double(correct) / double(seen));
    }
    rep.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
            .count();
    rep.imagesPerSecond = double(seen) / std::max(rep.seconds, 1e-9);
    rep.loss = lossSum / double(seen);
    rep.trainAccuracy = 100.0 * double(correct) / double(seen);
    if (o.validation > 0)
      if (std::string e =
              validate(trainCount, o.validation, rep.validationAccuracy);
          !e.empty())
        return e;
    reports.push_back(rep);
    if (!o.checkpoint.empty())
      if (std::string e = saveCheckpoint(o.checkpoint, print, epoch + 1, opt,
                                         params, reports);
          !e.empty())
        return e;
    if (cb.epochDone)
      cb.epochDone(rep);
  }
  return "";
}

} // namespace snnrt
