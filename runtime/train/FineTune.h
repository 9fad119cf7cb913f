//===- FineTune.h - epochs of STDB training on an image set -----*- C++ -*-===//
//
// STDB training through the shared loop of TrainLoop.h (shuffled
// mini-batches, schedule, validation split, resumable atomic checkpoints).
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H
#define SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H

#include "runtime/data/IDX.h"
#include "runtime/train/STDB.h"
#include "runtime/train/TrainLoop.h"

#include <functional>
#include <string>
#include <vector>

namespace snnrt {

struct FineTuneOptions : TrainingOptions {
  StdbOptions stdb;
};

using FineTuneCallbacks = TrainCallbacks;

/// Fine-tunes `net` in place on `data` (the training split). `reports`
/// receives one entry per epoch (with a resumed run, also those before).
std::string fineTune(Network &net, const ImageDataset &data,
                     const FineTuneOptions &options,
                     const FineTuneCallbacks &callbacks,
                     std::vector<EpochReport> &reports);

/// Accuracy (%) of the spiking network on images [first, first + count) of
/// `data` after `timesteps` steps, with the simulator.
std::string simulatedAccuracy(const Network &net, const ImageDataset &data,
                              int64_t first, int64_t count, int64_t timesteps,
                              int64_t batch, double &accuracy);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H
