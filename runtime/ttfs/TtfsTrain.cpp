//===- TtfsTrain.cpp - training and evaluating TTFS networks --------------===//

#include "runtime/ttfs/TtfsTrain.h"
#include "runtime/sim/Simulator.h"

#include <cmath>
#include <sstream>

namespace snnrt::ttfs {

namespace {

std::string checkInputs(const Network &net, const ImageDataset &data) {
  if (std::string e = net.validate(); !e.empty())
    return e;
  int64_t per = data.images.rank() > 0 && data.images.dim(0) > 0
                    ? data.images.size() / data.images.dim(0)
                    : 0;
  if (per != net.layers[0].in)
    return "the first layer takes " + std::to_string(net.layers[0].in) +
           " inputs but the images have " + std::to_string(per) + " pixels";
  // run() indexes the output layer with the labels.
  return checkLabels(data.labels, net.layers.back().out);
}

/// Images `indices` (or [first, first + n)) flattened, with their labels.
void gather(const ImageDataset &data, const int64_t *indices, int64_t first,
            int64_t n, std::vector<float> &x, std::vector<int32_t> &y) {
  int64_t per = data.images.size() / data.images.dim(0);
  x.resize(size_t(n * per));
  y.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t src = indices ? indices[i] : first + i;
    std::copy_n(data.images.ptr() + src * per, per, x.data() + i * per);
    y[size_t(i)] = data.labels[size_t(src)];
  }
}

std::string fingerprint(const Network &net, const LossOptions &l) {
  std::ostringstream s;
  s << "ttfs t_max=" << net.tMax << " input-tau=" << net.inputTau
    << " sigma=" << l.sigma << " fire-weight=" << l.fireWeight
    << " reg=" << int(l.reg) << " gamma=" << l.gamma << " vhat=" << l.vhat
    << " reg-output=" << l.regularizeOutput << " layers=";
  for (const Layer &layer : net.layers) {
    s << layer.in << "x" << layer.out << (layer.hasBias() ? "+b" : "");
    if (const auto &c = layer.conv)
      s << "(conv " << c->M << "x" << c->C / c->group << "x" << c->kH << "x"
        << c->kW << " s" << c->sH << "x" << c->sW << " d" << c->dH << "x"
        << c->dW << " p" << c->pT << "x" << c->pL << " g" << c->group << ")";
    if (const auto &p = layer.pool)
      s << "(maxpool " << p->kH << "x" << p->kW << " s" << p->sH << "x" << p->sW
        << " p" << p->pT << "x" << p->pL << " → " << p->size() << ")";
    s << ",";
  }
  return s.str();
}

} // namespace

std::string train(Network &net, const ImageDataset &data, const TrainOptions &o,
                  const TrainCallbacks &cb, std::vector<EpochReport> &reports) {
  if (std::string e = checkInputs(net, data); !e.empty())
    return e;
  std::vector<Parameter> params;
  auto addParam = [&](const std::string &name, std::vector<float> &values) {
    Parameter p;
    p.name = name;
    p.data = values.data();
    p.size = int64_t(values.size());
    p.grad.assign(values.size(), 0.0f);
    params.push_back(std::move(p));
  };
  // A convolutional layer trains its kernel and channel bias.
  for (Layer &l : net.layers) {
    addParam(l.name + " weight", l.trainedWeight());
    if (l.hasBias())
      addParam(l.name + " bias", l.trainedBias());
  }
  std::vector<float> x;
  std::vector<int32_t> y;
  std::vector<std::vector<float>> g;
  BatchStep step = [&](const std::vector<int64_t> &indices, int64_t, int64_t,
                       BatchOutcome &out) -> std::string {
    int64_t n = int64_t(indices.size());
    gather(data, indices.data(), 0, n, x, y);
    for (std::vector<float> &v : g)
      std::fill(v.begin(), v.end(), 0.0f);
    Stats st = run(net, x.data(), y.data(), n, o.loss, &g);
    // Transposed (in + 1) × out gradients → the parameters' layouts, mean
    // over the batch.
    size_t p = 0;
    float inv = 1.0f / float(n);
    for (size_t k = 0; k < net.layers.size(); ++k) {
      const Layer &l = net.layers[k];
      std::vector<float> &gw = params[p++].grad;
      if (l.conv) { // the kernel's gradient, then the channel bias's
        for (size_t i = 0; i < gw.size(); ++i)
          gw[i] = g[k][i] * inv;
        if (l.hasBias()) {
          std::vector<float> &gb = params[p++].grad;
          for (size_t i = 0; i < gb.size(); ++i)
            gb[i] = g[k][gw.size() + i] * inv;
        }
        continue;
      }
      for (int64_t i = 0; i < l.out; ++i)
        for (int64_t j = 0; j < l.in; ++j)
          gw[size_t(i * l.in + j)] = g[k][size_t(j * l.out + i)] * inv;
      if (!l.bias.empty()) {
        std::vector<float> &gb = params[p++].grad;
        for (int64_t i = 0; i < l.out; ++i)
          gb[size_t(i)] = g[k][size_t(l.in * l.out + i)] * inv;
      }
    }
    out.loss = st.loss / double(n);
    out.correct = st.correct;
    return "";
  };
  Validation validate = [&](int64_t first, int64_t count, double &accuracy) {
    Evaluation ev;
    if (std::string e =
            evaluate(net, data, first, count, o.evalBatch, o.loss, ev);
        !e.empty())
      return e;
    accuracy = ev.accuracy;
    return std::string();
  };
  int64_t images = data.images.rank() > 0 ? data.images.dim(0) : 0;
  return runEpochs(o, params, fingerprint(net, o.loss), images, step, validate,
                   cb, reports);
}

std::string evaluate(const Network &net, const ImageDataset &data,
                     int64_t first, int64_t count, int64_t batch,
                     const LossOptions &loss, Evaluation &out) {
  if (std::string e = checkInputs(net, data); !e.empty())
    return e;
  if (first < 0 || count < 0 || first + count > data.images.dim(0))
    return "images " + std::to_string(first) + " to " +
           std::to_string(first + count) + " are outside the data set";
  Stats total;
  std::vector<float> x;
  std::vector<int32_t> y;
  for (int64_t done = 0; done < count;) {
    int64_t n = std::min(std::max<int64_t>(batch, 1), count - done);
    gather(data, nullptr, first + done, n, x, y);
    total.add(run(net, x.data(), y.data(), n, loss, nullptr));
    done += n;
  }
  out = Evaluation();
  out.count = count;
  if (count == 0)
    return "";
  out.accuracy = 100.0 * double(total.correct) / double(count);
  out.regularizer = total.reg / double(count);
  out.loss = total.loss / double(count) - loss.gamma * out.regularizer;
  int64_t hidden = 0;
  double hiddenSpikes = 0.0;
  for (size_t k = 0; k < net.layers.size(); ++k) {
    double per = total.spikes[k] / double(count) / double(net.layers[k].out);
    out.spikesPerNeuron.push_back(per);
    if (k + 1 < net.layers.size()) {
      hidden += net.layers[k].out;
      hiddenSpikes += total.spikes[k] / double(count);
    }
  }
  out.hiddenSpikesPerNeuron = hidden ? hiddenSpikes / double(hidden) : 0.0;
  out.meanOutputTime =
      total.outputFired ? total.outputTime / double(total.outputFired) : 0.0;
  out.silentOutputShare = 1.0 - double(total.outputFired) / double(count);
  return "";
}

void initializeRandom(Network &net, uint64_t seed, float scale, float mean) {
  uint64_t state = splitmix64(seed ^ 0x77F5A11DEull);
  for (Layer &l : net.layers) {
    // A neuron's fan-in: all inputs, or a convolution's receptive field.
    int64_t fanIn =
        l.conv ? l.conv->C / l.conv->group * l.conv->kH * l.conv->kW : l.in;
    float a = scale / std::sqrt(float(fanIn));
    for (float &w : l.trainedWeight()) {
      state = splitmix64(state);
      float u = float(state >> 40) / float(1ull << 24); // [0, 1)
      w = a * (2.0f * u - 1.0f + mean);
    }
    std::fill(l.trainedBias().begin(), l.trainedBias().end(), 0.0f);
  }
}

} // namespace snnrt::ttfs
