//===- FineTune.cpp - epochs of BPTT training on images or events ---------===//

#include "runtime/train/FineTune.h"
#include "runtime/sim/Simulator.h"

#include <cmath>
#include <optional>
#include <sstream>

namespace snnrt {

SampleSource imageSource(const ImageDataset &data, const Shape &want) {
  SampleSource s;
  s.count = data.images.rank() > 0 ? data.images.dim(0) : 0;
  s.load = [&data, want](const std::vector<int64_t> &indices, Tensor &x,
                         std::vector<int> &labels) -> std::string {
    int64_t n = int64_t(indices.size());
    x = Tensor({n, 1, data.images.dim(2), data.images.dim(3)});
    labels.resize(size_t(n));
    int64_t per = x.size() / std::max<int64_t>(n, 1);
    for (int64_t i = 0; i < n; ++i) {
      int64_t src = indices[size_t(i)];
      std::copy_n(data.images.ptr() + src * per, per, x.ptr() + i * per);
      labels[size_t(i)] = data.labels[size_t(src)];
    }
    return fitImagesToInput(want, x);
  };
  return s;
}

SampleSource imageSetSource(const ImageSet &set, const Shape &want) {
  SampleSource s;
  s.count = set.size();
  s.load = [&set, want](const std::vector<int64_t> &indices, Tensor &x,
                        std::vector<int> &labels) -> std::string {
    if (std::string e = set.load(indices, x, labels); !e.empty())
      return e;
    return fitImagesToInput(want, x);
  };
  return s;
}

SampleSource eventSource(const EventDataset &data, const BinOptions &bins) {
  SampleSource s;
  s.count = int64_t(data.files.size());
  s.load = [&data, bins](const std::vector<int64_t> &indices, Tensor &x,
                         std::vector<int> &labels) -> std::string {
    EventDataset picked;
    for (int64_t i : indices) {
      picked.files.push_back(data.files[size_t(i)]);
      picked.labels.push_back(data.labels[size_t(i)]);
    }
    labels = picked.labels;
    return loadEventFrames(picked, 0, int64_t(indices.size()), bins, x);
  };
  return s;
}

std::string simulatedAccuracy(const Network &net, const SampleSource &data,
                              int64_t first, int64_t count, int64_t timesteps,
                              int64_t batch, double &accuracy) {
  int64_t correct = 0;
  for (int64_t done = 0; done < count;) {
    int64_t n = std::min(batch, count - done);
    std::vector<int64_t> indices(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      indices[size_t(i)] = first + done + i;
    Tensor x;
    std::vector<int> labels;
    if (std::string e = data.load(indices, x, labels); !e.empty())
      return e;
    SimOptions so;
    so.timesteps = timesteps;
    SimResult r;
    if (std::string e = simulate(net, {x}, so, r); !e.empty())
      return e;
    const Tensor &out = r.outputs.back()[0];
    int64_t classes = out.size() / n;
    if (std::string e = checkLabels(labels, classes, first + done); !e.empty())
      return e;
    for (int64_t i = 0; i < n; ++i) {
      const float *z = out.ptr() + i * classes;
      correct += std::max_element(z, z + classes) - z == labels[size_t(i)];
    }
    done += n;
  }
  accuracy = count ? 100.0 * double(correct) / double(count) : 0.0;
  return "";
}

std::string simulatedAccuracy(const Network &net, const ImageDataset &data,
                              int64_t first, int64_t count, int64_t timesteps,
                              int64_t batch, double &accuracy) {
  Shape want = net.inputShapes.empty() ? Shape() : net.inputShapes[0];
  return simulatedAccuracy(net, imageSource(data, want), first, count,
                           timesteps, batch, accuracy);
}

std::string normalizeInitialCurrents(Network &net, const Tensor &x,
                                     float target, std::vector<float> &scales) {
  scales.clear();
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const Layer &l = net.layers[k];
    if (l.kind != LayerKind::Neuron)
      continue;
    // The synapse that feeds this neuron layer.
    int producer = -1;
    for (size_t p = 0; p < k; ++p)
      if (net.layers[p].output == l.inputs[0])
        producer = int(p);
    if (producer < 0 ||
        (net.layers[size_t(producer)].kind != LayerKind::Dense &&
         net.layers[size_t(producer)].kind != LayerKind::Conv2D))
      continue; // e.g. a residual add: left as it is
    std::vector<Tensor> values;
    if (std::string e = annView(net, {x}, values, /*rates=*/true); !e.empty())
      return e;
    // Per output channel (dimension 1), as batch-norm: mean → 0, standard
    // deviation → target·V_th.
    const Tensor &cur = values[size_t(l.inputs[0])];
    const Layer &syn = net.layers[size_t(producer)];
    auto &w = net.constants[size_t(syn.inputs[1])];
    if (!w || cur.rank() < 2)
      continue;
    int64_t M = cur.dim(1), inner = cur.size() / (cur.dim(0) * M);
    std::vector<double> sum(size_t(M), 0.0), sq(size_t(M), 0.0);
    for (int64_t i = 0; i < cur.size(); ++i) {
      size_t m = size_t((i / inner) % M);
      sum[m] += cur.data[size_t(i)];
      sq[m] += double(cur.data[size_t(i)]) * cur.data[size_t(i)];
    }
    double n = double(cur.size() / M);
    float th = l.threshold.empty() ? 1.0f : l.threshold[0];
    std::optional<Tensor> *bias =
        syn.inputs.size() > 2 ? &net.constants[size_t(syn.inputs[2])] : nullptr;
    int64_t per = w->size() / M;
    float f = 1.0f;
    for (int64_t m = 0; m < M; ++m) {
      double mean = sum[size_t(m)] / n,
             sd = std::sqrt(std::max(0.0, sq[size_t(m)] / n - mean * mean));
      f = sd > 1e-12 ? float(target * th / sd) : 1.0f;
      for (int64_t k = 0; k < per; ++k)
        w->data[size_t(m * per + k)] *= f;
      if (bias && *bias)
        (*bias)->data[size_t(m)] = ((*bias)->data[size_t(m)] - float(mean)) * f;
    }
    scales.push_back(f);
  }
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
    << " temperature=" << d.temperature << " surrogate=" << int(d.surrogate)
    << " width=" << d.width << " kappa=" << d.kappa << " loss=" << int(d.loss);
  if (d.batchNorm)
    s << " batch-norm momentum=" << d.batchNormMomentum
      << " epsilon=" << d.batchNormEpsilon;
  return s.str();
}

} // namespace

std::string fineTune(Network &net, const SampleSource &data,
                     const FineTuneOptions &o, const FineTuneCallbacks &cb,
                     std::vector<EpochReport> &reports) {
  std::unique_ptr<StdbTrainer> trainer;
  if (std::string e = StdbTrainer::create(net, o.stdb, trainer); !e.empty())
    return e;
  int64_t T = trainer->timesteps();
  BatchStep step = [&](const std::vector<int64_t> &indices, int64_t epoch,
                       int64_t b, BatchOutcome &out) -> std::string {
    Tensor x;
    std::vector<int> labels;
    if (std::string e = data.load(indices, x, labels); !e.empty())
      return e;
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
    if (!trainer->hasBatchNorm())
      return simulatedAccuracy(net, data, first, count, T, o.evalBatch,
                               accuracy);
    // The inference form: batch-norm folded into a copy of the network.
    Network folded;
    if (std::string e = trainer->foldBatchNorm(folded); !e.empty())
      return e;
    return simulatedAccuracy(folded, data, first, count, T, o.evalBatch,
                             accuracy);
  };
  if (std::string e = runEpochs(o, trainer->parameters(), stdbFingerprint(o, T),
                                data.count, step, validate, cb, reports);
      !e.empty())
    return e;
  return trainer->foldBatchNorm(net);
}

std::string fineTune(Network &net, const ImageDataset &data,
                     const FineTuneOptions &o, const FineTuneCallbacks &cb,
                     std::vector<EpochReport> &reports) {
  Shape want = net.inputShapes.empty() ? Shape() : net.inputShapes[0];
  return fineTune(net, imageSource(data, want), o, cb, reports);
}

} // namespace snnrt
