//===- Simulator.cpp - discrete-time simulation of spiking networks -------===//
//
// Step by step, layer by layer: synapses reuse the ANN kernels on the step's
// spike (or current) tensor, neurons keep their membrane potentials, readouts
// accumulate. Everything is batched; kernels are multithreaded.
//
//===----------------------------------------------------------------------===//

#include "runtime/sim/Simulator.h"
#include "runtime/ann/Kernels.h"
#include "runtime/tensor/Parallel.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace snnrt {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

float counterUniform(uint64_t seed, uint64_t step, uint64_t element) {
  uint64_t h = splitmix64(seed ^ splitmix64(step ^ splitmix64(element)));
  return float(h >> 40) * (1.0f / float(1 << 24));
}

namespace {

struct LayerState {
  Tensor membrane, accum, counts;
  std::vector<int32_t> refractoryLeft;
  Tensor weightT; // synapses: transposed weights for the event-driven path
};

/// Below this fraction of nonzero inputs, synapse layers run event-driven:
/// on a 32→32-channel 3×3 convolution of 28×28 spikes the event path takes
/// half the dense time at 5 % density and breaks even near 12 %.
constexpr double kEventDensity = 0.12;

/// Synaptic fan-out of one input element (for the event count).
double fanOut(const Layer &l, const Network &net) {
  switch (l.kind) {
  case LayerKind::Dense:
    return double(net.constants[l.inputs[1]]->dim(0));
  case LayerKind::Conv2D: {
    const Tensor &w = *net.constants[l.inputs[1]];
    return double(w.dim(0)) / double(l.op.group) * double(w.dim(2) * w.dim(3)) /
           double(l.op.strides[0] * l.op.strides[1]);
  }
  case LayerKind::AvgPool:
  case LayerKind::MaxPool:
    return double(l.op.kernel[0] * l.op.kernel[1]) /
           double(l.op.strides[0] * l.op.strides[1]);
  default:
    return 1.0;
  }
}

int64_t countNonZero(const Tensor &t) {
  return std::count_if(t.data.begin(), t.data.end(),
                       [](float v) { return v != 0.0f; });
}

std::string stepNeuron(const Layer &l, const Tensor &in, LayerState &st,
                       Tensor &out, int64_t t) {
  int64_t channels = in.rank() >= 2 ? in.dim(1) : 1;
  int64_t inner = in.rank() >= 2 ? in.size() / (in.dim(0) * channels) : 1;
  if (l.threshold.size() > 1 && int64_t(l.threshold.size()) != channels)
    return "has " + std::to_string(l.threshold.size()) + " thresholds for " +
           std::to_string(channels) + " channels";
  if (st.membrane.shape != in.shape) {
    st.membrane = Tensor(in.shape);
    initialPotentials(l, inner, channels, st.membrane.ptr(), in.size());
    if (l.refractory > 0)
      st.refractoryLeft.assign(in.size(), 0);
  }
  out.shape = in.shape;
  out.data.assign(in.size(), 0.0f);
  if (l.refractory == 0) {
    forEachNeuronBlock(l, in.size(), inner, channels, 1 << 14,
                       [&](int64_t b, int64_t n, const float *th) {
                         neuronStep(n, l.leak, l.reset == Reset::Subtract,
                                    int32_t(t), th, in.ptr() + b, nullptr,
                                    st.membrane.ptr() + b, nullptr,
                                    out.ptr() + b, nullptr, nullptr);
                       });
    return "";
  }
  parallelFor(in.size(), 1 << 14, [&](int64_t s, int64_t e) {
    float *u = st.membrane.ptr();
    for (int64_t i = s; i < e; ++i) {
      if (st.refractoryLeft[i] > 0) {
        --st.refractoryLeft[i];
        continue;
      }
      float th = l.thresholdAt(i, inner, channels);
      float v = multiplyAdd(l.leak, u[i], in.data[i]);
      if (v >= th) {
        out.data[i] = 1.0f;
        v = l.reset == Reset::Subtract ? v - th : 0.0f;
        st.refractoryLeft[i] = int32_t(l.refractory);
      }
      u[i] = v;
    }
  });
  return "";
}

} // namespace

void initialPotentials(const Layer &l, int64_t inner, int64_t channels,
                       float *u, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    u[i] = l.initialPotential * l.thresholdAt(i, inner, channels);
}

void forEachNeuronBlock(
    const Layer &l, int64_t count, int64_t inner, int64_t channels,
    int64_t grain,
    const std::function<void(int64_t, int64_t, const float *)> &body) {
  parallelFor(count, grain, [&](int64_t s, int64_t e) {
    constexpr int64_t kBlock = 512;
    float th[kBlock];
    for (int64_t b = s; b < e; b += kBlock) {
      int64_t n = std::min(kBlock, e - b);
      for (int64_t j = 0; j < n; ++j)
        th[j] = l.thresholdAt(b + j, inner, channels);
      body(b, n, th);
    }
  });
}

namespace {

/// neuronStep's loop with the optional arrays and the reset mode fixed at
/// compile time: one straight vector loop per combination (with run-time
/// tests inside, GCC if-converts them into masked stores and spills masks,
/// about ten times slower).
template <bool Subtract, bool Scale, bool Last, bool Fired, bool Potential>
void neuronStepLoop(int64_t n, float leak, int32_t t,
                    const float *__restrict th, const float *__restrict cur,
                    const float *__restrict scale, float *__restrict u,
                    int32_t *__restrict last, float *__restrict out,
                    uint8_t *__restrict fired, float *__restrict potential) {
  for (int64_t j = 0; j < n; ++j) {
    float v = multiplyAdd(leak, u[j], cur[j]);
    bool spike = v >= th[j];
    if constexpr (Fired)
      fired[j] = spike;
    if constexpr (Potential)
      potential[j] = v;
    if constexpr (Scale)
      out[j] = spike ? scale[j] : 0.0f;
    else
      out[j] = spike ? 1.0f : 0.0f;
    if constexpr (Last)
      last[j] = spike ? t : last[j];
    if constexpr (Subtract)
      u[j] = spike ? v - th[j] : v;
    else
      u[j] = spike ? 0.0f : v;
  }
}

using NeuronStepFn = void (*)(int64_t, float, int32_t, const float *,
                              const float *, const float *, float *, int32_t *,
                              float *, uint8_t *, float *);

template <int Flags> constexpr NeuronStepFn neuronStepVariant() {
  return &neuronStepLoop<bool(Flags & 1), bool(Flags & 2), bool(Flags & 4),
                         bool(Flags & 8), bool(Flags & 16)>;
}

template <int... Flags>
constexpr std::array<NeuronStepFn, sizeof...(Flags)>
neuronStepTable(std::integer_sequence<int, Flags...>) {
  return {neuronStepVariant<Flags>()...};
}

} // namespace

void neuronStep(int64_t n, float leak, bool subtract, int32_t t,
                const float *__restrict th, const float *__restrict cur,
                const float *__restrict scale, float *__restrict u,
                int32_t *__restrict last, float *__restrict out,
                uint8_t *__restrict fired, float *__restrict potential) {
  static constexpr auto kVariants =
      neuronStepTable(std::make_integer_sequence<int, 32>{});
  int flags = int(subtract) | int(scale != nullptr) << 1 |
              int(last != nullptr) << 2 | int(fired != nullptr) << 3 |
              int(potential != nullptr) << 4;
  kVariants[size_t(flags)](n, leak, t, th, cur, scale, u, last, out, fired,
                           potential);
}

std::string spikeGatedMaxPool(const Node &n, const Tensor &in, Tensor &counts,
                              Tensor &out, std::vector<int32_t> *argmax) {
  if (in.rank() != 4)
    return "expects a 4-D input";
  if (counts.shape != in.shape)
    counts = Tensor(in.shape);
  int64_t N = in.dim(0), C = in.dim(1), H = in.dim(2), W = in.dim(3);
  int64_t OH = windowSize(H, n.kernel[0], n.strides[0], n.pads[0], n.pads[2], 1,
                          n.ceilMode);
  int64_t OW = windowSize(W, n.kernel[1], n.strides[1], n.pads[1], n.pads[3], 1,
                          n.ceilMode);
  if (OH < 1 || OW < 1)
    return "the window does not fit the input";
  out = Tensor({N, C, OH, OW});
  if (argmax)
    argmax->assign(size_t(out.size()), -1);
  parallelFor(N * C, 4, [&](int64_t s, int64_t e) {
    for (int64_t nc = s; nc < e; ++nc) {
      const float *x = in.ptr() + nc * H * W;
      const float *cnt = counts.ptr() + nc * H * W;
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          float bestCount = -1.0f, bestNow = -1.0f, value = 0.0f;
          int64_t best = -1;
          for (int64_t p = 0; p < n.kernel[0]; ++p) {
            int64_t iy = oy * n.strides[0] + p - n.pads[0];
            if (iy < 0 || iy >= H)
              continue;
            for (int64_t q = 0; q < n.kernel[1]; ++q) {
              int64_t ix = ox * n.strides[1] + q - n.pads[1];
              if (ix < 0 || ix >= W)
                continue;
              float c = cnt[iy * W + ix], now = x[iy * W + ix] != 0.0f;
              if (c > bestCount || (c == bestCount && now > bestNow)) {
                bestCount = c;
                bestNow = now;
                value = x[iy * W + ix];
                best = nc * H * W + iy * W + ix;
              }
            }
          }
          int64_t o = (nc * OH + oy) * OW + ox;
          out.data[o] = value;
          if (argmax)
            (*argmax)[o] = int32_t(best);
        }
    }
  });
  for (int64_t i = 0; i < in.size(); ++i)
    counts.data[i] += in.data[i] != 0.0f;
  return "";
}

namespace {

/// Synapse, pooling, add and flatten layers whose step output depends only
/// on their inputs, through the dense ANN kernels.
template <typename SlotFn>
std::string stepStateless(const Layer &l, const Tensor &in, SlotFn &&slot,
                          Tensor &out) {
  const Tensor *bias = l.inputs.size() > 2 ? &slot(l.inputs[2]) : nullptr;
  switch (l.kind) {
  case LayerKind::Conv2D:
    return conv2d(in, slot(l.inputs[1]), bias, l.op, out);
  case LayerKind::Dense:
    return gemm(in, slot(l.inputs[1]), bias, l.op, out);
  case LayerKind::AvgPool:
    return pool2d(l.op, in, out);
  case LayerKind::Add:
    return binary(OpKind::Add, in, slot(l.inputs[1]), out);
  case LayerKind::Flatten:
    return reshape(l.op, in, out);
  case LayerKind::GatherChannels:
    return gatherChannels(l.op.perm, in, out);
  case LayerKind::Concat: {
    std::vector<const Tensor *> parts;
    for (int s : l.inputs)
      parts.push_back(&slot(s));
    return concat(l.op.axis, parts, out);
  }
  default:
    return "not a stateless layer";
  }
}

/// A conv2d or dense synapse step: event-driven when fewer than
/// kEventDensity of the input's `nonZero` elements are set (and `events`
/// allows it), else the dense kernel. With `reference`, always in the order
/// generated code follows: conv2dReference, or denseEvents (which is the
/// dense reference).
std::string stepSynapse(const Layer &l, const Tensor &in, int64_t nonZero,
                        const Tensor &w, const Tensor *bias, bool events,
                        bool reference, LayerState &st, Tensor &out) {
  if (reference && l.kind == LayerKind::Conv2D)
    return conv2dReference(in, w, bias, l.op, out);
  bool sparse = reference ||
                (events && double(nonZero) < kEventDensity * double(in.size()));
  if (!sparse)
    return l.kind == LayerKind::Conv2D ? conv2d(in, w, bias, l.op, out)
                                       : gemm(in, w, bias, l.op, out);
  if (st.weightT.size() == 0) {
    if (l.kind == LayerKind::Conv2D) {
      st.weightT = transposeConvWeight(w, l.op.group);
    } else if (std::string e = transpose({1, 0}, w, st.weightT); !e.empty()) {
      return e;
    }
  }
  return l.kind == LayerKind::Conv2D
             ? conv2dEvents(in, st.weightT, w.shape, bias, l.op, out)
             : denseEvents(in, st.weightT, bias, out);
}

} // namespace

namespace {

/// A zero N×C×H×W (or N×…) tensor for one frame of N×T×… event frames, and
/// the frame's size; an error unless the input has at least 3 dimensions.
std::string frameOf(const Tensor &frames, Tensor &out, int64_t &per) {
  if (frames.rank() < 3)
    return "event input must be N×T×… frames, got " + formatShape(frames.shape);
  int64_t N = frames.dim(0), T = frames.dim(1);
  per = frames.size() / std::max<int64_t>(N * T, 1);
  Shape shape = {N};
  shape.insert(shape.end(), frames.shape.begin() + 2, frames.shape.end());
  out = Tensor(shape);
  return "";
}

} // namespace

std::string eventFrame(const Tensor &frames, int64_t t, Tensor &out) {
  int64_t per;
  if (std::string e = frameOf(frames, out, per); !e.empty())
    return e;
  int64_t N = frames.dim(0), T = frames.dim(1);
  if (t >= T) // past the recording: no events
    return "";
  for (int64_t n = 0; n < N; ++n)
    std::copy_n(frames.ptr() + (n * T + t) * per, per, out.ptr() + n * per);
  return "";
}

std::string meanFrame(const Tensor &frames, Tensor &out) {
  int64_t per;
  if (std::string e = frameOf(frames, out, per); !e.empty())
    return e;
  int64_t N = frames.dim(0), T = frames.dim(1);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t i = 0; i < per; ++i)
        out.data[size_t(n * per + i)] +=
            frames.data[size_t((n * T + t) * per + i)] / float(T);
  return "";
}

std::string simulate(const Network &net, const std::vector<Tensor> &inputs,
                     const SimOptions &options, SimResult &result) {
  int64_t T = options.timesteps > 0 ? options.timesteps : net.timesteps;
  if (T < 1 || T > kMaxTimesteps)
    return "the number of time steps must be from 1 to " +
           std::to_string(kMaxTimesteps) + ", got " + std::to_string(T);
  std::vector<int64_t> checkpoints = options.checkpoints;
  if (checkpoints.empty())
    checkpoints = {T};
  std::sort(checkpoints.begin(), checkpoints.end());
  if (checkpoints.front() < 1 || checkpoints.back() > T)
    return "checkpoints must lie in [1, " + std::to_string(T) + "]";
  if (std::string e = checkInputShapes(net.inputShapes, inputs); !e.empty())
    return e;
  std::vector<Tensor> values(net.constants.size());
  auto slot = [&](int i) -> const Tensor & {
    return net.constants[i] ? *net.constants[i] : values[i];
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    values[net.inputs[i]] = inputs[i];

  std::vector<LayerState> state(net.layers.size());
  result.outputs.clear();
  result.layers.clear();
  result.recorded = Tensor();
  result.counts.assign(options.recordCounts ? net.layers.size() : 0, Tensor());
  std::vector<int> statIndex(net.layers.size(), -1);
  for (size_t k = 0; k < net.layers.size(); ++k) {
    LayerKind kind = net.layers[k].kind;
    if (kind == LayerKind::Flatten || kind == LayerKind::Concat ||
        kind == LayerKind::GatherChannels ||
        kind == LayerKind::Accumulate ||
        kind == LayerKind::SpikeRate || kind == LayerKind::EncodeDirect)
      continue;
    statIndex[k] = int(result.layers.size());
    result.layers.push_back({net.layers[k].name, 0, 0.0, 0.0});
  }

  size_t nextCheckpoint = 0;
  for (int64_t t = 0; t < T; ++t) {
    if (options.onStep && t % 1024 == 0)
      options.onStep(t, T);
    for (size_t k = 0; k < net.layers.size(); ++k) {
      const Layer &l = net.layers[k];
      const Tensor &in = slot(l.inputs[0]);
      Tensor &out = values[l.output];
      std::string err;
      int64_t nonZero = -1; // counted once where a layer needs it
      switch (l.kind) {
      case LayerKind::EncodePoisson:
        out.shape = in.shape;
        out.data.assign(in.size(), 0.0f);
        // The element counter restarts with every sample: spikes do not
        // depend on the batch an image comes in.
        parallelFor(in.size(), 1 << 14, [&](int64_t s, int64_t e) {
          int64_t perSample = in.size() / std::max<int64_t>(in.dim(0), 1);
          for (int64_t i = s; i < e; ++i) {
            float x = l.scale * in.data[i];
            if (counterUniform(l.seed, uint64_t(t), uint64_t(i % perSample)) <
                std::fabs(x))
              out.data[i] = x > 0.0f ? 1.0f : -1.0f;
          }
        });
        break;
      case LayerKind::EncodeDirect:
        if (t == 0)
          out = in;
        break;
      case LayerKind::EncodeEvents:
        err = eventFrame(in, t, out);
        break;
      case LayerKind::Conv2D:
      case LayerKind::Dense:
        nonZero = countNonZero(in);
        err = stepSynapse(l, in, nonZero, slot(l.inputs[1]),
                          l.inputs.size() > 2 ? &slot(l.inputs[2]) : nullptr,
                          options.eventDriven, options.referenceOrder, state[k],
                          out);
        break;
      case LayerKind::MaxPool:
        err = spikeGatedMaxPool(l.op, in, state[k].counts, out);
        break;
      case LayerKind::AvgPool:
      case LayerKind::Add:
      case LayerKind::Concat:
      case LayerKind::GatherChannels:
      case LayerKind::Flatten:
        err = stepStateless(l, in, slot, out);
        break;
      case LayerKind::Neuron:
        if (int(k) == options.recordInputOf) {
          Tensor &rec = result.recorded;
          if (rec.shape != in.shape)
            rec = Tensor(in.shape, -std::numeric_limits<float>::infinity());
          for (int64_t i = 0; i < in.size(); ++i)
            rec.data[i] = std::max(rec.data[i], in.data[i]);
        }
        err = stepNeuron(l, in, state[k], out, t);
        if (options.recordCounts && err.empty()) {
          Tensor &c = result.counts[k];
          if (c.shape != out.shape)
            c = Tensor(out.shape);
          for (int64_t i = 0; i < out.size(); ++i)
            c.data[i] += out.data[i];
        }
        break;
      case LayerKind::Accumulate:
      case LayerKind::SpikeRate: {
        Tensor &acc = state[k].accum;
        if (acc.shape != in.shape)
          acc = Tensor(in.shape);
        for (int64_t i = 0; i < in.size(); ++i)
          acc.data[i] += in.data[i];
        break;
      }
      }
      if (!err.empty())
        return l.name + ": " + err;
      if (statIndex[k] >= 0) {
        LayerStats &s = result.layers[statIndex[k]];
        if (l.kind == LayerKind::Neuron || l.kind == LayerKind::EncodePoisson ||
            l.kind == LayerKind::EncodeEvents) {
          s.neuronsPerSample = out.size() / std::max<int64_t>(out.dim(0), 1);
          s.spikes += double(countNonZero(out));
        } else if (l.kind != LayerKind::EncodeDirect) {
          s.synapticEvents +=
              double(nonZero >= 0 ? nonZero : countNonZero(in)) *
              fanOut(l, net);
        }
      }
    }
    if (nextCheckpoint < checkpoints.size() &&
        t + 1 == checkpoints[nextCheckpoint]) {
      std::vector<Tensor> outs;
      for (int o : net.outputs) {
        // Readouts report their accumulators; other outputs their value.
        auto producer =
            std::find_if(net.layers.begin(), net.layers.end(),
                         [&](const Layer &l) { return l.output == o; });
        if (producer != net.layers.end() &&
            (producer->kind == LayerKind::Accumulate ||
             producer->kind == LayerKind::SpikeRate)) {
          Tensor acc = state[producer - net.layers.begin()].accum;
          if (producer->kind == LayerKind::SpikeRate)
            for (float &v : acc.data)
              v /= float(t + 1);
          outs.push_back(std::move(acc));
        } else {
          outs.push_back(slot(o));
        }
      }
      result.outputs.push_back(std::move(outs));
      ++nextCheckpoint;
    }
  }
  return "";
}

std::string annView(const Network &net, const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &values, bool rates) {
  if (inputs.size() != net.inputs.size())
    return "expected " + std::to_string(net.inputs.size()) + " input(s)";
  values.assign(net.constants.size(), Tensor());
  auto slot = [&](int i) -> const Tensor & {
    return net.constants[i] ? *net.constants[i] : values[i];
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    values[net.inputs[i]] = inputs[i];
  for (const Layer &l : net.layers) {
    const Tensor &in = slot(l.inputs[0]);
    Tensor &out = values[l.output];
    std::string err;
    Node relu;
    relu.kind = OpKind::Relu;
    Node maxPool = l.op;
    maxPool.kind = OpKind::MaxPool;
    maxPool.dilations = {1, 1};
    switch (l.kind) {
    case LayerKind::EncodeEvents: // the mean frame, as a rate
      err = meanFrame(in, out);
      break;
    case LayerKind::EncodePoisson:
    case LayerKind::EncodeDirect:
    case LayerKind::Accumulate:
    case LayerKind::SpikeRate:
      out = in;
      break;
    case LayerKind::Conv2D:
    case LayerKind::Dense:
    case LayerKind::AvgPool:
    case LayerKind::Add:
    case LayerKind::Concat:
    case LayerKind::GatherChannels:
    case LayerKind::Flatten:
      err = stepStateless(l, in, slot, out);
      break;
    case LayerKind::MaxPool:
      err = pool2d(maxPool, in, out);
      break;
    case LayerKind::Neuron:
      err = unary(relu, in, out);
      if (rates && err.empty()) {
        int64_t channels = out.rank() >= 2 ? out.dim(1) : 1;
        int64_t inner =
            out.rank() >= 2 ? out.size() / (out.dim(0) * channels) : 1;
        for (int64_t i = 0; i < out.size(); ++i) {
          float th = l.thresholdAt(i, inner, channels);
          out.data[i] = std::min(out.data[i] / th, 1.0f);
        }
      }
      break;
    }
    if (!err.empty())
      return l.name + ": " + err;
  }
  return "";
}

} // namespace snnrt
