//===- FineTune.h - epochs of BPTT training on images or events -*- C++ -*-===//
//
// STDB training through the shared loop of TrainLoop.h (shuffled
// mini-batches, schedule, validation split, resumable atomic checkpoints).
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H
#define SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H

#include "runtime/data/Events.h"
#include "runtime/data/IDX.h"
#include "runtime/data/ImageSet.h"
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

/// Labelled samples as the trainer reads them: `count` samples, and `load`,
/// which fills a batch shaped for the network input (N first) and its labels
/// for the given sample indices.
struct SampleSource {
  int64_t count = 0;
  std::function<std::string(const std::vector<int64_t> &indices, Tensor &x,
                            std::vector<int> &labels)>
      load;
};
/// Images (N×1×H×W in [0, 1]) reshaped for a network input of shape `want`.
SampleSource imageSource(const ImageDataset &data, const Shape &want);
/// Samples of an image set (read on demand) reshaped for `want`.
SampleSource imageSetSource(const ImageSet &set, const Shape &want);
/// Event recordings binned into frames N×T×2×H×W as `bins` says.
SampleSource eventSource(const EventDataset &data, const BinOptions &bins);

/// Data-driven initialisation for training from scratch, a stand-in for the
/// batch-norm of the BPSTA networks: layer by layer and per output channel,
/// shifts each synapse's bias and scales its weights so that the currents
/// its neurons receive on the batch `x` (in the network's rate view, annView
/// with rates) have mean 0 and standard deviation `target`·V_th (channels
/// without a bias keep their mean). `scales` gets the last channel's factor
/// of each layer (for reports).
std::string normalizeInitialCurrents(Network &net, const Tensor &x,
                                     float target, std::vector<float> &scales);

/// Trains `net` in place with BPTT (STDB or the BPSTA variants of
/// `options.stdb`) on `data` (the training split). `reports` receives one
/// entry per epoch (with a resumed run, also those before).
std::string fineTune(Network &net, const SampleSource &data,
                     const FineTuneOptions &options,
                     const FineTuneCallbacks &callbacks,
                     std::vector<EpochReport> &reports);
std::string fineTune(Network &net, const ImageDataset &data,
                     const FineTuneOptions &options,
                     const FineTuneCallbacks &callbacks,
                     std::vector<EpochReport> &reports);

/// Accuracy (%) of the spiking network on samples [first, first + count) of
/// `data` after `timesteps` steps, with the simulator.
std::string simulatedAccuracy(const Network &net, const SampleSource &data,
                              int64_t first, int64_t count, int64_t timesteps,
                              int64_t batch, double &accuracy);
std::string simulatedAccuracy(const Network &net, const ImageDataset &data,
                              int64_t first, int64_t count, int64_t timesteps,
                              int64_t batch, double &accuracy);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_TRAIN_FINETUNE_H
