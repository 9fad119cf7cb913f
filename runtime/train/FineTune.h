//===- FineTune.h - epochs of STDB training on an image set -----*- C++ -*-===//
//
// The training loop around StdbTrainer: shuffled mini-batches, learning-rate
// schedule, a validation split held out of the training set, and atomic
// checkpoints after every epoch from which a killed run resumes exactly (the
// same weights as an uninterrupted run with the same seed and threads).
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H
#define SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H

#include "runtime/data/IDX.h"
#include "runtime/train/STDB.h"

#include <functional>
#include <string>
#include <vector>

namespace snnrt {

enum class Schedule { Constant, Step, Cosine };

struct FineTuneOptions {
  StdbOptions stdb;
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
};

struct EpochReport {
  int64_t epoch = 0; // 1-based
  double learningRate = 0, loss = 0, trainAccuracy = 0, validationAccuracy = 0,
         seconds = 0, imagesPerSecond = 0, peakActivationMiB = 0;
};

struct FineTuneCallbacks {
  /// After each batch: epoch (1-based), images done, images per epoch,
  /// running mean loss and accuracy (%).
  std::function<void(int64_t, int64_t, int64_t, double, double)> progress;
  std::function<void(const EpochReport &)> epochDone;
  /// Notes such as "resumed after epoch 3".
  std::function<void(const std::string &)> note;
};

/// Fine-tunes `net` in place on `data` (the training split). `reports`
/// receives one entry per epoch (with a resumed run, also those before).
std::string fineTune(Network &net, const ImageDataset &data,
                     const FineTuneOptions &options,
                     const FineTuneCallbacks &callbacks,
                     std::vector<EpochReport> &reports);

/// The learning rate of epoch `epoch` (0-based).
float learningRateAt(const FineTuneOptions &options, int64_t epoch);

/// Accuracy (%) of the spiking network on images [first, first + count) of
/// `data` after `timesteps` steps, with the simulator.
std::string simulatedAccuracy(const Network &net, const ImageDataset &data,
                              int64_t first, int64_t count, int64_t timesteps,
                              int64_t batch, double &accuracy);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H
