//===- TtfsTrain.h - training and evaluating TTFS networks ------*- C++ -*-===//
//
// Exact-gradient training of time-to-first-spike networks (Ttfs.h) on an
// image set through the shared loop of runtime/train/TrainLoop.h
// (mini-batches, SGD/Adam, schedule, validation, resumable checkpoints), and
// evaluation with accuracy, spikes per neuron and mean output spike time.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_TTFS_TTFSTRAIN_H
#define SNN_MLIR_RUNTIME_TTFS_TTFSTRAIN_H

#include "runtime/data/IDX.h"
#include "runtime/train/TrainLoop.h"
#include "runtime/ttfs/Ttfs.h"

#include <string>
#include <vector>

namespace snnrt::ttfs {

struct TrainOptions : TrainingOptions {
  LossOptions loss;
};

/// Trains `net` in place on `data` (the training split; images scaled to
/// [0, 1], flattened to the first layer's inputs). Convolutional layers
/// train their kernels and channel biases.
std::string train(Network &net, const ImageDataset &data,
                  const TrainOptions &options, const TrainCallbacks &callbacks,
                  std::vector<EpochReport> &reports);

struct Evaluation {
  int64_t count = 0;
  double accuracy = 0.0;               // %
  double loss = 0.0;                   // mean cross-entropy (+ fire term)
  double regularizer = 0.0;            // mean per sample (of `loss.reg`)
  std::vector<double> spikesPerNeuron; // per layer, mean over samples
  double hiddenSpikesPerNeuron = 0.0;  // over all hidden neurons
  double meanOutputTime = 0.0;         // earliest output spike (those fired)
  double silentOutputShare = 0.0;      // samples without an output spike
};

/// Evaluates images [first, first + count) of `data`.
std::string evaluate(const Network &net, const ImageDataset &data,
                     int64_t first, int64_t count, int64_t batch,
                     const LossOptions &loss, Evaluation &out);

/// Uniform random weights in [−a, a] + `mean`·a with a = scale/√fan-in
/// (biases zero; a convolution's kernel, fan-in its receptive field), from a
/// splitmix stream: a start for training from scratch.
void initializeRandom(Network &net, uint64_t seed, float scale, float mean);

} // namespace snnrt::ttfs

#endif // SNN_MLIR_RUNTIME_TTFS_TTFSTRAIN_H
