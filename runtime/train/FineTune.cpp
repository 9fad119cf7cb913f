//===- FineTune.cpp - epochs of STDB training on an image set -------------===//

#include "runtime/train/FineTune.h"
#include "runtime/sim/Simulator.h"

#include <cmath>
#include <sstream>

namespace snnrt {

std::string simulatedAccuracy(const Network &net, const ImageDataset &data,
                              int64_t first, int64_t count, int64_t timesteps,
                              int64_t batch, double &accuracy) {
  int64_t correct = 0;
  Shape want = net.inputShapes.empty() ? Shape() : net.inputShapes[0];
  for (int64_t done = 0; done < count;) {
    int64_t n = std::min(batch, count - done);
    Tensor x = imageBatch(data, first + done, n);
    if (!fitImagesToInput(want, x))
      return "the network input " + formatShape(want) +
             " does not take 28×28 images";
    SimOptions so;
    so.timesteps = timesteps;
    SimResult r;
    if (std::string e = simulate(net, {x}, so, r); !e.empty())
      return e;
    const Tensor &out = r.outputs.back()[0];
    int64_t classes = out.size() / n;
    for (int64_t i = 0; i < n; ++i) {
      const float *z = out.ptr() + i * classes;
      correct += std::max_element(z, z + classes) - z ==
                 data.labels[size_t(first + done + i)];
    }
    done += n;
  }
  accuracy = count ? 100.0 * double(correct) / double(count) : 0.0;
  return "";
}

namespace {

/// What an STDB checkpoint must agree on beyond the loop's options.
std::string stdbFingerprint(const FineTuneOptions &o, int64_t T) {
  std::ostringstream s;
  const StdbOptions &d = o.stdb;
  s << "stdb T=" << T << " alpha=" << d.alpha << " beta=" << d.beta
    << " first-spike-age=" << d.firstSpikeAge << " dropout=" << d.dropout
    << " train-threshold=" << d.trainThreshold << " train-leak=" << d.trainLeak
    << " temperature=" << d.temperature;
  return s.str();
}

} // namespace

std::string fineTune(Network &net, const ImageDataset &data,
                     const FineTuneOptions &o, const FineTuneCallbacks &cb,
                     std::vector<EpochReport> &reports) {
  std::unique_ptr<StdbTrainer> trainer;
  if (std::string e = StdbTrainer::create(net, o.stdb, trainer); !e.empty())
    return e;
  int64_t T = trainer->timesteps();
  Shape want = net.inputShapes.empty() ? Shape() : net.inputShapes[0];
  BatchStep step = [&](const std::vector<int64_t> &indices, int64_t epoch,
                       int64_t b, BatchOutcome &out) -> std::string {
    int64_t n = int64_t(indices.size());
    Tensor x({n, 1, data.images.dim(2), data.images.dim(3)});
    std::vector<int> labels(static_cast<size_t>(n));
    int64_t per = x.size() / n;
    for (int64_t i = 0; i < n; ++i) {
      int64_t src = indices[size_t(i)];
      std::copy_n(data.images.ptr() + src * per, per, x.ptr() + i * per);
      labels[size_t(i)] = data.labels[size_t(src)];
    }
    if (!fitImagesToInput(want, x))
      return "the network input " + formatShape(want) +
             " does not take 28×28 images";
    BatchResult r;
    uint64_t noise =
        splitmix64(o.seed ^ splitmix64(uint64_t(epoch) << 32 | uint64_t(b))) |
        1;
    if (std::string e = trainer->computeGradients(x, labels, noise, true, r);
        !e.empty())
      return e;
    out.loss = r.loss;
    out.correct = r.correct;
    out.peakBytes = r.peakBytes;
    return "";
  };
  Validation validate = [&](int64_t first, int64_t count, double &accuracy) {
    return simulatedAccuracy(net, data, first, count, T, o.evalBatch, accuracy);
  };
  int64_t images = data.images.rank() > 0 ? data.images.dim(0) : 0;
  return runEpochs(o, trainer->parameters(), stdbFingerprint(o, T), images,
                   step, validate, cb, reports);
}

} // namespace snnrt
