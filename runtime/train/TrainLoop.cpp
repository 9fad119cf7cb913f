//===- TrainLoop.cpp - epochs, schedules and resumable checkpoints --------===//

#include "runtime/train/TrainLoop.h"
#include "runtime/io/AtomicFile.h"
#include "runtime/sim/Simulator.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <sstream>

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

struct Writer {
  FILE *f;
  bool ok = true;
  template <typename T> void put(const T &v) {
    ok &= std::fwrite(&v, sizeof(T), 1, f) == 1;
  }
  void bytes(const void *p, size_t n) {
    put(uint64_t(n));
    ok &= n == 0 || std::fwrite(p, 1, n, f) == n;
  }
};

struct Reader {
  FILE *f;
  bool ok = true;
  template <typename T> void get(T &v) {
    ok &= std::fread(&v, sizeof(T), 1, f) == 1;
  }
  /// Reads a length-prefixed block of exactly `n` bytes into p.
  void bytes(void *p, size_t n) {
    uint64_t len = 0;
    get(len);
    ok &= len == n && (n == 0 || std::fread(p, 1, n, f) == n);
  }
  std::string string(size_t max) {
    uint64_t len = 0;
    get(len);
    if (!ok || len > max)
      return ok = false, "";
    std::string s(len, '\0');
    ok &= len == 0 || std::fread(s.data(), 1, len, f) == len;
    return s;
  }
};

constexpr char kMagic[8] = {'S', 'N', 'N', 'T', 'R', 'A', 'I', 'N'};

std::string saveCheckpoint(const std::string &path, const std::string &print,
                           int64_t epochsDone, const Optimizer &opt,
                           const std::vector<Parameter> &params,
                           const std::vector<EpochReport> &reports) {
  return writeFileAtomically(path, [&](FILE *f) {
    Writer w{f};
    w.bytes(kMagic, sizeof(kMagic));
    w.bytes(print.data(), print.size());
    w.put(epochsDone);
    w.put(opt.steps);
    for (size_t k = 0; k < params.size(); ++k) {
      w.bytes(params[k].data, size_t(params[k].size) * sizeof(float));
      w.bytes(opt.first[k].data(), opt.first[k].size() * sizeof(float));
      w.bytes(opt.second[k].data(), opt.second[k].size() * sizeof(float));
    }
    w.bytes(reports.data(), reports.size() * sizeof(EpochReport));
    return w.ok;
  });
}

/// Loads a checkpoint; `found` is false when there is none.
std::string loadCheckpoint(const std::string &path, const std::string &print,
                           int64_t &epochsDone, Optimizer &opt,
                           std::vector<Parameter> &params,
                           std::vector<EpochReport> &reports, bool &found) {
  FILE *f = std::fopen(path.c_str(), "rb");
  found = f != nullptr;
  if (!f)
    return "";
  Reader r{f};
  char magic[8];
  r.bytes(magic, sizeof(magic));
  if (!r.ok || std::memcmp(magic, kMagic, sizeof(magic)) != 0) {
    std::fclose(f);
    return path + " is not an snn-mlir training checkpoint";
  }
  std::string saved = r.string(1 << 16);
  if (r.ok && saved != print) {
    std::fclose(f);
    return path +
           " was written for other options or another network:\n  "
           "checkpoint: " +
           saved + "\n  this run:   " + print;
  }
  r.get(epochsDone);
  r.get(opt.steps);
  for (size_t k = 0; k < params.size() && r.ok; ++k) {
    r.bytes(params[k].data, size_t(params[k].size) * sizeof(float));
    r.bytes(opt.first[k].data(), opt.first[k].size() * sizeof(float));
    r.bytes(opt.second[k].data(), opt.second[k].size() * sizeof(float));
  }
  uint64_t n = 0;
  r.get(n);
  if (r.ok && n % sizeof(EpochReport) == 0 && n < (1u << 24)) {
    reports.resize(n / sizeof(EpochReport));
    r.ok &= n == 0 || std::fread(reports.data(), 1, n, f) == n;
  } else {
    r.ok = false;
  }
  std::fclose(f);
  if (!r.ok)
    return path + " is truncated or corrupt";
  return "";
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
  std::string print = fingerprint + loopFingerprint(o, params);

  reports.clear();
  int64_t start = 0;
  if (o.resume && !o.checkpoint.empty()) {
    bool found = false;
    if (std::string e = loadCheckpoint(o.checkpoint, print, start, opt, params,
                                       reports, found);
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
