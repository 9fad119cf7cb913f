//===- TrainLoop.h - epochs, schedules and resumable checkpoints -*- C++
//-*-===//
//
// The training loop every trainer shares (STDB fine-tuning, TTFS training):
// shuffled mini-batches from a seeded splitmix stream, a learning-rate
// schedule, SGD or Adam, a validation split held out of the end of the
// training images, and an atomic checkpoint after every epoch from which a
// killed run resumes exactly (the same weights as an uninterrupted run with
// the same seed and threads).
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TRAIN_TRAINLOOP_H
#define SNN_MLIR_RUNTIME_TRAIN_TRAINLOOP_H

#include "runtime/train/STDB.h"

#include <functional>
#include <string>
#include <vector>

namespace snnrt {

enum class Schedule { Constant, Step, Cosine };

struct TrainingOptions {
  OptimizerOptions optimizer;
  int64_t epochs = 5;
  int64_t batch = 64;
  /// Step: multiply the rate by `decay` at each milestone (a fraction of the
  /// epochs); cosine: anneal to 0 over the epochs.
  Schedule schedule = Schedule::Step;
  std::vector<double> milestones = {0.6, 0.8, 0.9};
  float decay = 0.1f;
  uint64_t seed = 0;
  /// Use only the first N training images (0: all).
  int64_t limit = 0;
  /// Images held out of the end of the training images for validation.
  int64_t validation = 5000;
  int64_t evalBatch = 256;
  /// Checkpoint written after every epoch (empty: none); with `resume`,
  /// training continues from it when it exists.
  std::string checkpoint;
  bool resume = false;
  /// What identifies the network beyond its trained parameters (the
  /// bridges put a hash of the module's function here): part of the
  /// checkpoint's fingerprint, with the options and the starting weights.
  std::string network;
};

struct EpochReport {
  int64_t epoch = 0; // 1-based
  double learningRate = 0, loss = 0, trainAccuracy = 0, validationAccuracy = 0,
         seconds = 0, imagesPerSecond = 0, peakActivationMiB = 0;
};

struct TrainCallbacks {
  /// After each batch: epoch (1-based), images done, images per epoch,
  /// running mean loss and accuracy (%).
  std::function<void(int64_t, int64_t, int64_t, double, double)> progress;
  std::function<void(const EpochReport &)> epochDone;
  /// Notes such as "resumed after epoch 3".
  std::function<void(const std::string &)> note;
};

/// The learning rate of epoch `epoch` (0-based).
float learningRateAt(const TrainingOptions &options, int64_t epoch);

/// What a trainer's batch step reports (gradients go into the parameters).
struct BatchOutcome {
  double loss = 0.0; // mean over the batch
  int64_t correct = 0;
  double peakBytes = 0.0;
};

/// Computes the gradients of the parameters for the training images
/// `indices` (epoch and batch number 0-based, e.g. to seed noise).
using BatchStep =
    std::function<std::string(const std::vector<int64_t> &indices,
                              int64_t epoch, int64_t batch, BatchOutcome &out)>;
/// Accuracy (%) on images [first, first + count).
using Validation =
    std::function<std::string(int64_t first, int64_t count, double &accuracy)>;

/// A checkpoint as runEpochs writes it after each epoch (format 2: magic,
/// `fingerprint`, the counters, each parameter's values and the optimizer's
/// moments, the reports, a CRC-32), atomically.
std::string saveCheckpoint(const std::string &path,
                           const std::string &fingerprint, int64_t epochsDone,
                           const Optimizer &opt,
                           const std::vector<Parameter> &params,
                           const std::vector<EpochReport> &reports);
/// Reads one back into `params`, `opt` and `reports`; `found` is false when
/// there is no file. Refuses, with a message, a file larger than these
/// parameters and `epochs` need, a wrong checksum, another fingerprint,
/// blocks of other sizes, counters out of range and non-finite values (the
/// parameters change only when it succeeds).
std::string loadCheckpoint(const std::string &path,
                           const std::string &fingerprint, int64_t epochs,
                           int64_t &epochsDone, Optimizer &opt,
                           std::vector<Parameter> &params,
                           std::vector<EpochReport> &reports, bool &found);

/// Runs the epochs over the first `images` training images (less `limit`
/// and the validation split) and updates `params` after every batch.
/// `fingerprint` names what else a checkpoint must agree on (method,
/// network); the loop adds its own options. `reports` receives one entry
/// per epoch (with a resumed run, also those before).
std::string runEpochs(const TrainingOptions &options,
                      std::vector<Parameter> &params,
                      const std::string &fingerprint, int64_t images,
                      const BatchStep &step, const Validation &validate,
                      const TrainCallbacks &callbacks,
                      std::vector<EpochReport> &reports);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TRAIN_TRAINLOOP_H
