//===- ThresholdBalancing.cpp - thresholds from calibration data ----------===//
//
// Calls the runtime (through the MLIR bridge) to measure activations or
// currents on calibration images, then writes thresholds and rescaled
// synapse constants back into the module.
//
//===----------------------------------------------------------------------===//

#include "dialect/NN/NNOps.h"
#include "dialect/SNN/SNNOps.h"
#include "passes/Passes.h"
#include "runtime/data/IDX.h"
#include "runtime/data/ImageSet.h"
#include "runtime/mlir-bridge/SNNToRuntime.h"
#include "runtime/mlir-bridge/TtfsToRuntime.h"
#include "runtime/sim/Simulator.h"
#include "runtime/ttfs/TtfsTrain.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace mlir::snnmlir {
#define GEN_PASS_DEF_SNNTHRESHOLDBALANCE
#include "passes/Passes.h.inc"
} // namespace mlir::snnmlir

using namespace mlir;
using snnrt::LayerKind;

namespace {

/// Units of a train: what one unit of its value stands for in the ANN, per
/// channel (one value: the whole layer). Element i of a batch-first tensor
/// belongs to channel (i / inner) % channels.
struct Units {
  std::vector<float> perChannel{1.0f};
  int64_t inner = 1;
  /// Units of channel c (the layer's value when there is one).
  float channel(int64_t c) const {
    return perChannel.size() == 1 ? perChannel[0] : perChannel[c];
  }
  /// Units of element i of a sample.
  float at(int64_t i) const {
    return channel((i / inner) % int64_t(perChannel.size()));
  }
};

/// The p-th percentile (0–100) of `v` (modified in place).
float percentileOf(std::vector<float> &v, double p) {
  if (v.empty())
    return 0.0f;
  size_t k = std::min(v.size() - 1,
                      size_t(std::ceil(p / 100.0 * double(v.size())) - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

int64_t innerOf(const snnrt::Shape &shape) {
  int64_t inner = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    inner *= shape[d];
  return inner;
}

/// Writes `values` as a new nn.constant replacing operand `index` of `op`.
void replaceConstant(Operation *op, unsigned index, ArrayRef<float> values) {
  OpBuilder b(op);
  auto type = cast<RankedTensorType>(op->getOperand(index).getType());
  Value c = nn::createF32Constant(b, op->getLoc(), type.getShape(), values);
  Value old = op->getOperand(index);
  op->setOperand(index, c);
  if (old.use_empty())
    old.getDefiningOp()->erase();
}

} // namespace

namespace {

struct BalancePass : snnmlir::impl::SNNThresholdBalanceBase<BalancePass> {
  using Base::Base;
  void runOnOperation() override;
};

/// Calls f(x) on the first `samples` calibration images in batches of 128,
/// fitted to the network input `want`. Returns "" or the first error
/// ("calibration images: …" when an image does not fit, else f's).
std::string
forCalibrationBatches(const snnrt::ImageDataset &images, int64_t samples,
                      const snnrt::Shape &want,
                      const std::function<std::string(snnrt::Tensor &)> &f) {
  const int64_t batch = 128;
  for (int64_t first = 0; first < samples; first += batch) {
    snnrt::Tensor x =
        snnrt::imageBatch(images, first, std::min(batch, samples - first));
    if (std::string e = snnrt::fitImagesToInput(want, x); !e.empty())
      return "calibration images: " + e;
    if (std::string e = f(x); !e.empty())
      return e;
  }
  return "";
}

/// Collects, for layer `target` (a neuron layer), the values that set λ: the
/// ANN activations (activation method) or the input currents of the spiking
/// simulation (spike method), grouped by channel of the layer's output.
LogicalResult collect(const snnrt::Network &net, size_t target,
                      const snnrt::ImageDataset &images,
                      const snnrt::Shape &want, bool spike, int64_t steps,
                      int64_t samples, bool perChannel, Location loc,
                      std::vector<std::vector<float>> &groups,
                      snnrt::Shape &shape) {
  groups.clear();
  std::string e =
      forCalibrationBatches(images, samples, want, [&](snnrt::Tensor &x) {
        std::vector<snnrt::Tensor> values;
        std::string err;
        if (!spike) {
          err = snnrt::annView(net, {x}, values);
          if (err.empty())
            values = {values[net.layers[target].output]};
        } else {
          snnrt::SimOptions so;
          so.timesteps = steps;
          so.recordInputOf = int(target);
          snnrt::SimResult r;
          err = snnrt::simulate(net, {x}, so, r);
          values = {std::move(r.recorded)};
        }
        if (!err.empty())
          return "snn-threshold-balance: " + err;
        const snnrt::Tensor &t = values[0];
        shape = t.shape;
        int64_t channels = perChannel && t.rank() >= 2 ? t.dim(1) : 1;
        int64_t inner = t.rank() >= 2 ? t.size() / (t.dim(0) * t.dim(1)) : 1;
        groups.resize(channels);
        for (int64_t i = 0; i < t.size(); ++i)
          if (t.data[i] > 0.0f)
            groups[channels == 1 ? 0 : (i / inner) % channels].push_back(
                t.data[i]);
        return std::string();
      });
  if (!e.empty())
    return emitError(loc) << e;
  return success();
}

/// Per-channel sums of `t` (N×C×… or N×K) and element counts.
struct ChannelSums {
  std::vector<double> sum;
  double perChannel = 0.0; // elements summed into each channel
  void add(const snnrt::Tensor &t, double factor) {
    int64_t channels = t.rank() >= 2 ? t.dim(1) : 1;
    int64_t inner = t.rank() >= 2 ? t.size() / (t.dim(0) * channels) : 1;
    sum.resize(size_t(channels), 0.0);
    for (int64_t i = 0; i < t.size(); ++i)
      sum[size_t((i / inner) % channels)] += factor * double(t.data[i]);
    perChannel += double(t.size() / channels);
  }
  double mean(size_t c) const { return sum[c] / std::max(1.0, perChannel); }
};

/// The synapse layer (dense or conv2d with a bias) whose current neuron
/// layer `k` integrates: its direct producer, or the synapse operand of a
/// residual add. -1 when there is none.
int biasedProducer(const snnrt::Network &net, size_t k) {
  auto producer = [&](int slot) -> int {
    for (size_t j = 0; j < k; ++j)
      if (net.layers[j].output == slot)
        return int(j);
    return -1;
  };
  auto biased = [&](int j) {
    return j >= 0 &&
           (net.layers[j].kind == LayerKind::Conv2D ||
            net.layers[j].kind == LayerKind::Dense) &&
           net.layers[j].inputs.size() > 2;
  };
  int j = producer(net.layers[k].inputs[0]);
  if (biased(j))
    return j;
  if (j >= 0 && net.layers[j].kind == LayerKind::Add)
    for (int slot : net.layers[j].inputs)
      if (int a = producer(slot); biased(a))
        return a;
  return -1;
}

/// Layer-wise correction (one simulation per layer and round) is the
/// default up to this many corrected layers; deeper networks are corrected
/// jointly (every layer from one simulation per round).
constexpr int64_t kLayerwiseLimit = 12;

/// Per-channel bias correction (Li et al., ICML 2021, in rate form): the
/// rate ANN of the balanced network, min(relu(i)/V_th, 1) per neuron, is
/// what each neuron should fire on average. Layer by layer in program order,
/// the network is simulated for `steps` on the calibration images (with the
/// corrections made so far) and the bias of channel c of the synapse feeding
/// the layer moves by (target − simulated mean rate)·V_th,c: one more unit
/// of rate needs V_th more current per step. Spikes cannot be taken back, so
/// an IF neuron with subtract reset over-fires when its input is uneven over
/// time; this is the error it removes. Each of `rounds` rounds goes
/// through all layers again (a second round refines the first). `mode`
/// "joint" corrects every layer from one simulation per round instead of
/// one per layer ("layerwise"); "auto" picks layerwise for shallow networks.
LogicalResult correctBiases(snnrt::Network &net, ArrayRef<Operation *> ops,
                            const snnrt::ImageDataset &images, int64_t n,
                            int64_t steps, int64_t rounds, StringRef mode,
                            func::FuncOp fn) {
  auto fail = [&](const std::string &e) {
    return fn.emitError() << "snn-threshold-balance: bias correction: " << e;
  };
  std::vector<size_t> neurons;
  for (size_t k = 0; k < net.layers.size(); ++k)
    if (net.layers[k].kind == LayerKind::Neuron)
      neurons.push_back(k);
  // Targets, before any correction: per channel, the mean rate of the rate
  // ANN.
  std::vector<ChannelSums> target(net.layers.size());
  if (std::string e = forCalibrationBatches(
          images, n, net.inputShapes[0],
          [&](snnrt::Tensor &x) {
            std::vector<snnrt::Tensor> values;
            std::string e = snnrt::annView(net, {x}, values, /*rates=*/true);
            for (size_t k : neurons)
              if (e.empty())
                target[k].add(values[net.layers[k].output], 1.0);
            return e;
          });
      !e.empty())
    return fail(e);
  // The layers to correct, with the synapse whose bias feeds each: one bias
  // per channel of the layer.
  std::vector<std::pair<size_t, int>> layers;
  for (size_t k : neurons)
    if (int s = biasedProducer(net, k);
        s >= 0 && size_t(net.constants[net.layers[s].inputs[2]]->size()) ==
                      target[k].sum.size())
      layers.push_back({k, s});
  // Simulated mean rates per channel of every neuron layer.
  std::vector<ChannelSums> rates;
  auto simulateRates = [&]() {
    rates.assign(net.layers.size(), ChannelSums());
    return forCalibrationBatches(
        images, n, net.inputShapes[0], [&](snnrt::Tensor &x) {
          snnrt::SimOptions so;
          so.timesteps = steps;
          so.recordCounts = true;
          snnrt::SimResult r;
          std::string e = snnrt::simulate(net, {x}, so, r);
          for (size_t k : neurons)
            if (e.empty())
              rates[k].add(r.counts[k], 1.0 / double(steps));
          return e;
        });
  };
  double before = 0.0; // mean |rate error| per channel, summed over layers
  // Moves the biases feeding layer k (from synapse s) by its rate error.
  auto correct = [&](size_t k, int s, bool first) {
    const snnrt::Layer &l = net.layers[k];
    snnrt::Tensor &bias = *net.constants[net.layers[s].inputs[2]];
    size_t channels = target[k].sum.size();
    for (size_t c = 0; c < channels; ++c) {
      double want = target[k].mean(c), have = rates[k].mean(c);
      if (first)
        before += std::abs(want - have) / double(channels);
      float th = l.threshold.size() > 1 ? l.threshold[c] : l.threshold[0];
      bias.data[c] += float((want - have) * double(th));
    }
    replaceConstant(ops[s], 2, bias.data);
  };
  // Layer-wise costs one simulation per corrected layer and round, joint
  // one per round.
  bool layerwise =
      mode == "layerwise" ||
      (mode == "auto" && int64_t(layers.size()) <= kLayerwiseLimit);
  for (int64_t round = 0; round < rounds; ++round) {
    if (!layerwise)
      if (std::string e = simulateRates(); !e.empty())
        return fail(e);
    for (auto [k, s] : layers) {
      if (layerwise)
        if (std::string e = simulateRates(); !e.empty())
          return fail(e);
      correct(k, s, round == 0);
    }
  }
  emitRemark(fn.getLoc()) << "bias correction ("
                          << (layerwise ? "layer-wise" : "joint")
                          << "): " << rounds << " rounds over " << layers.size()
                          << " layers on " << n << " images at T = " << steps
                          << " (mean per-channel rate error before: "
                          << (layers.empty() ? 0.0
                                             : before / double(layers.size()))
                          << ")";
  return success();
}

/// Calibration score of a TTFS network: correct answers first, then the
/// lower cross-entropy (by more than rounding: 1e-6 relative).
struct TtfsScore {
  double accuracy = 0.0, loss = 0.0;
  bool betterThan(const TtfsScore &o) const {
    if (accuracy != o.accuracy)
      return accuracy > o.accuracy;
    return loss < o.loss - 1e-6 * std::max(1.0, std::abs(o.loss));
  }
};

/// A TTFS network has no rate to balance: a neuron fires once, when its
/// piecewise-linear potential reaches the threshold. Scaling a layer's
/// thresholds by c is the same as scaling its weights and bias by 1/c
/// (spike times unchanged otherwise), so one factor per layer is searched
/// on the calibration images: coordinate ascent over the layers, first on
/// the factors 2^k (k = ±1…±6, nearest first), then three rounds on finer
/// grids around the best (2^(±1/2), 2^(±1/4), 2^(±1/8)), keeping the
/// calibration accuracy highest and, among equals, the loss lowest; a tie
/// keeps the factor found first. `scale` multiplies the result.
LogicalResult balanceTtfs(ModuleOp module, func::FuncOp fn,
                          const snnrt::ImageDataset &images, int64_t n,
                          double scale) {
  snnmlir::TtfsConstants constants;
  auto built = snnmlir::buildTtfsNetwork(module, fn.getName(), &constants);
  if (failed(built))
    return failure();
  snnrt::ttfs::Network net = std::move(*built);
  snnrt::ttfs::LossOptions loss; // σ = 0.5, no regularizer
  auto score = [&](TtfsScore &out) -> LogicalResult {
    snnrt::ttfs::Evaluation ev;
    if (std::string e = snnrt::ttfs::evaluate(net, images, 0, n, 256, loss, ev);
        !e.empty())
      return fn.emitError() << "snn-threshold-balance: " << e;
    out.accuracy = ev.accuracy;
    out.loss = ev.loss;
    return success();
  };
  auto setFactor = [&](size_t k, const std::vector<float> &base, double f) {
    for (size_t i = 0; i < base.size(); ++i)
      net.layers[k].threshold[i] = float(double(base[i]) * f);
  };
  std::vector<std::vector<float>> original;
  for (const auto &l : net.layers)
    original.push_back(l.threshold);
  std::vector<double> factor(net.layers.size(), 1.0);
  TtfsScore best;
  if (failed(score(best)))
    return failure();
  TtfsScore initial = best;

  std::vector<std::vector<double>> grids;
  {
    // Nearest factors first: of equally good ones, the smallest change.
    std::vector<double> coarse;
    for (int k = 1; k <= 6; ++k) {
      coarse.push_back(std::ldexp(1.0, -k));
      coarse.push_back(std::ldexp(1.0, k));
    }
    grids.push_back(coarse);
    for (double step : {0.5, 0.25, 0.125})
      grids.push_back({std::pow(2.0, -step), std::pow(2.0, step)});
  }
  for (const auto &grid : grids)
    for (size_t k = 0; k < net.layers.size(); ++k) {
      double chosen = factor[k];
      for (double g : grid) { // the current factor is scored as `best`
        setFactor(k, original[k], factor[k] * g);
        TtfsScore s;
        if (failed(score(s)))
          return failure();
        if (s.betterThan(best)) {
          best = s;
          chosen = factor[k] * g;
        }
      }
      factor[k] = chosen;
      setFactor(k, original[k], factor[k]);
    }

  std::ostringstream what;
  what << std::setprecision(4) << "TTFS thresholds scaled by";
  for (size_t k = 0; k < net.layers.size(); ++k) {
    factor[k] *= scale;
    setFactor(k, original[k], factor[k]);
    auto neuron = constants.neurons[k];
    neuron->setAttr(
        "threshold",
        DenseF32ArrayAttr::get(neuron->getContext(), net.layers[k].threshold));
    what << (k ? ", " : " ") << factor[k];
  }
  what << " (layer by layer): calibration accuracy " << initial.accuracy
       << " % -> " << best.accuracy << " % on " << n << " images";
  emitRemark(fn.getLoc()) << what.str();
  return success();
}

void BalancePass::runOnOperation() {
  if (method != "activation" && method != "spike") {
    getOperation().emitError() << "snn-threshold-balance: method must be "
                                  "'activation' or 'spike', got '"
                               << method << "'";
    return signalPassFailure();
  }
  std::string bad;
  if (samples < 1)
    bad = "samples must be at least 1, got " + std::to_string(samples);
  else if (!(percentile > 0.0 && percentile <= 100.0))
    bad = "percentile must be above 0 and at most 100, got " +
          std::to_string(double(percentile));
  else if (biasCorrectionMode != "auto" && biasCorrectionMode != "layerwise" &&
           biasCorrectionMode != "joint")
    bad = "bias-correction-mode must be auto, layerwise or joint, not '" +
          biasCorrectionMode + "'";
  else if (biasCorrection < 0 || biasCorrection > 16)
    bad = "bias-correction takes 0 to 16 rounds, got " +
          std::to_string(int64_t(biasCorrection));
  else if (!(scale > 0.0) || !std::isfinite(double(scale)))
    bad = "scale must be positive and finite, got " +
          std::to_string(double(scale));
  if (!bad.empty()) {
    getOperation().emitError() << "snn-threshold-balance: " << bad;
    return signalPassFailure();
  }
  snnrt::ImagePreprocess pre;
  pre.resize = resize;
  if (crop.size() == 1 || crop.size() == 2) {
    pre.cropHeight = crop[0];
    pre.cropWidth = crop[crop.size() - 1];
  } else if (!crop.empty()) {
    bad = "crop takes N or H,W";
  }
  pre.mean.assign(mean.begin(), mean.end());
  pre.std.assign(std.begin(), std.end());
  if (!normalize.empty())
    if (std::string e = snnrt::setNormalization(normalize, pre); !e.empty())
      bad = e;
  if (channelOrder != "rgb" && channelOrder != "bgr")
    bad = "channel-order must be rgb or bgr, not '" + channelOrder + "'";
  pre.bgr = channelOrder == "bgr";
  if (bad.empty())
    bad = snnrt::checkPreprocess(pre);
  if (!bad.empty()) {
    getOperation().emitError() << "snn-threshold-balance: " << bad;
    return signalPassFailure();
  }
  // The first `samples` calibration images, preprocessed for a network
  // input of shape `input`.
  auto loadCalibration = [&](Operation *at, const snnrt::Shape &input,
                             snnrt::ImageDataset &images,
                             int64_t &n) -> LogicalResult {
    if (std::string e =
            snnrt::loadImageDataset(data, "train", images, pre, input, samples);
        !e.empty())
      return at->emitError() << "snn-threshold-balance: " << e;
    n = images.images.dim(0);
    return success();
  };

  for (auto fn : getOperation().getOps<func::FuncOp>()) {
    if (snnmlir::isTtfsNetwork(getOperation(), fn.getName())) {
      if (method == "spike") {
        fn.emitError() << "snn-threshold-balance: method=spike needs a "
                          "discrete-time network; TTFS thresholds are "
                          "searched on the calibration images (leave "
                          "method unset)";
        return signalPassFailure();
      }
      snnrt::ImageDataset images;
      int64_t n = 0;
      if (failed(loadCalibration(fn, snnrt::Shape(), images, n)) ||
          failed(balanceTtfs(getOperation(), fn, images, n, scale)))
        return signalPassFailure();
      continue;
    }
    if (!snnmlir::isSpikingNetwork(getOperation(), fn.getName()))
      continue;
    bool events = false;
    fn.walk([&](snn::EncodeEventsOp) { events = true; });
    if (events) {
      fn.emitError() << "snn-threshold-balance: @" << fn.getName()
                     << " takes event frames (encoding=events), and balancing "
                        "calibrates on images: convert event networks with "
                        "--convert-nn-to-snn=\"encoding=events\" alone and "
                        "train them (snn-run train --method bpsta)";
      return signalPassFailure();
    }
    std::vector<Operation *> ops;
    auto built =
        snnmlir::buildSpikingNetwork(getOperation(), fn.getName(), &ops);
    if (failed(built))
      return signalPassFailure();
    snnrt::Network net = std::move(*built);
    if (net.inputs.size() != 1) {
      fn.emitError() << "snn-threshold-balance: networks with one image input "
                        "only";
      return signalPassFailure();
    }
    int64_t steps = timesteps > 0 ? timesteps : net.timesteps;
    snnrt::ImageDataset images;
    int64_t n = 0;
    if (failed(loadCalibration(fn, net.inputShapes[0], images, n)))
      return signalPassFailure();

    // Per-sample shapes of every slot, from one image through the ANN view.
    std::vector<snnrt::Tensor> probe;
    {
      snnrt::Tensor x = snnrt::imageBatch(images, 0, 1);
      if (std::string e = snnrt::fitImagesToInput(net.inputShapes[0], x);
          !e.empty()) {
        fn.emitError() << "snn-threshold-balance: calibration images: " << e;
        return signalPassFailure();
      }
      if (std::string e = snnrt::annView(net, {x}, probe); !e.empty()) {
        fn.emitError() << "snn-threshold-balance: " << e;
        return signalPassFailure();
      }
    }
    auto innerOfSlot = [&](int slot) { return innerOf(probe[slot].shape); };

    // The activation method measures the original ANN once, up front.
    std::vector<std::vector<std::vector<float>>> annGroups(net.layers.size());
    if (method == "activation")
      for (size_t k = 0; k < net.layers.size(); ++k) {
        if (net.layers[k].kind != LayerKind::Neuron)
          continue;
        snnrt::Shape shape;
        if (failed(collect(net, k, images, net.inputShapes[0], false, steps, n,
                           perChannel, ops[k]->getLoc(), annGroups[k], shape)))
          return signalPassFailure();
      }

    // Units of every slot, in program order (inputs: 1).
    llvm::DenseMap<int, Units> units;
    auto unitsOf = [&](int slot) {
      return units.count(slot) ? units[slot] : Units();
    };
    for (size_t k = 0; k < net.layers.size(); ++k) {
      snnrt::Layer &l = net.layers[k];
      Operation *op = ops[k];
      switch (l.kind) {
      case LayerKind::Conv2D:
      case LayerKind::Dense: {
        Units in = unitsOf(l.inputs[0]);
        // Output units: those of the other operand of a residual add that
        // consumes this current, when known; else 1.
        Units out;
        for (Operation *user : op->getResult(0).getUsers())
          if (auto add = dyn_cast<snn::AddOp>(user)) {
            Value other =
                add.getLhs() == op->getResult(0) ? add.getRhs() : add.getLhs();
            for (size_t j = 0; j < k; ++j)
              if (ops[j]->getResult(0) == other &&
                  units.count(net.layers[j].output))
                out = units[net.layers[j].output];
          }
        snnrt::Tensor &w = *net.constants[l.inputs[1]];
        int64_t m = w.dim(0), per = w.size() / m;
        int64_t cin = l.kind == LayerKind::Conv2D ? w.dim(1) : per;
        int64_t kk = l.kind == LayerKind::Conv2D ? per / cin : 1;
        for (int64_t o = 0; o < m; ++o) {
          float uo = out.channel(o);
          int64_t g = l.kind == LayerKind::Conv2D ? o / (m / l.op.group) : 0;
          for (int64_t i = 0; i < per; ++i) {
            // Input element index (per sample) this weight reads.
            int64_t inIndex =
                l.kind == LayerKind::Conv2D ? (g * cin + i / kk) * in.inner : i;
            w.data[o * per + i] *= in.at(inIndex) / uo;
          }
        }
        replaceConstant(op, 1, w.data);
        if (l.inputs.size() > 2) {
          snnrt::Tensor &b = *net.constants[l.inputs[2]];
          for (int64_t o = 0; o < m; ++o)
            b.data[o] /= out.channel(o);
          replaceConstant(op, 2, b.data);
        }
        out.inner = innerOfSlot(l.output);
        units[l.output] = out;
        break;
      }
      case LayerKind::Neuron: {
        std::vector<std::vector<float>> groups = std::move(annGroups[k]);
        snnrt::Shape shape;
        if (method == "spike" &&
            failed(collect(net, k, images, net.inputShapes[0], true, steps, n,
                           perChannel, op->getLoc(), groups, shape)))
          return signalPassFailure();
        Units in = unitsOf(l.inputs[0]);
        int64_t inner = innerOfSlot(l.output);
        std::vector<float> lambda;
        float layerLambda = 0.0f;
        {
          std::vector<float> all;
          for (auto &g : groups)
            all.insert(all.end(), g.begin(), g.end());
          layerLambda = percentileOf(all, percentile);
        }
        if (layerLambda <= 0.0f)
          layerLambda = 1.0f; // a silent layer: keep a neutral threshold
        for (auto &g : groups) {
          float v = percentileOf(g, percentile);
          lambda.push_back(v > 0.0f ? v : layerLambda);
        }
        // The spike method measures λ in current units already; the
        // activation method in ANN units.
        bool currentUnits = method == "spike";
        std::vector<float> th;
        size_t count = std::max(lambda.size(), in.perChannel.size());
        for (size_t c = 0; c < count; ++c) {
          float lam = lambda[lambda.size() == 1 ? 0 : c];
          float u = in.channel(c);
          th.push_back(float(scale) * (currentUnits ? lam : lam / u));
        }
        op->setAttr("threshold", DenseF32ArrayAttr::get(op->getContext(), th));
        l.threshold = th;
        Units out;
        out.perChannel.clear();
        for (size_t c = 0; c < count; ++c) {
          float u = in.channel(c);
          out.perChannel.push_back(th[c] * u); // one spike: th current units
        }
        out.inner = inner;
        units[l.output] = out;
        break;
      }
      case LayerKind::AvgPool:
      case LayerKind::MaxPool:
      case LayerKind::Add: {
        // Channels are kept; a pool changes the spatial size.
        Units u = unitsOf(l.inputs[0]);
        u.inner = innerOfSlot(l.output);
        units[l.output] = u;
        break;
      }
      case LayerKind::Flatten:
        units[l.output] = unitsOf(l.inputs[0]); // same element order
        break;
      case LayerKind::Concat: {
        // The inputs' channels side by side, each with its own units (the
        // spikes of different layers stand for different currents).
        Units out;
        out.perChannel.clear();
        if (l.op.axis != 1) {
          fn.emitError() << "snn-threshold-balance: " << l.name
                         << ": only concatenations along the channels are "
                            "supported";
          return signalPassFailure();
        }
        for (int slot : l.inputs) {
          Units u = unitsOf(slot);
          for (int64_t c = 0; c < probe[slot].dim(1); ++c)
            out.perChannel.push_back(u.channel(c));
        }
        out.inner = innerOfSlot(l.output);
        units[l.output] = out;
        break;
      }
      case LayerKind::GatherChannels: {
        Units in = unitsOf(l.inputs[0]), out;
        out.perChannel.clear();
        for (int64_t c : l.op.perm)
          out.perChannel.push_back(in.channel(c));
        out.inner = innerOfSlot(l.output);
        units[l.output] = out;
        break;
      }
      default:
        units[l.output] = Units();
        break;
      }
    }
    if (biasCorrection > 0 &&
        failed(correctBiases(net, ops, images, n, steps, biasCorrection,
                             biasCorrectionMode, fn)))
      return signalPassFailure();
  }
}

} // namespace
