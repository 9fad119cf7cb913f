//===- Ttfs.cpp - time-to-first-spike networks: exact times and gradients -===//

#include "runtime/ttfs/Ttfs.h"
#include "runtime/ann/Kernels.h"
#include "runtime/tensor/Parallel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace snnrt::ttfs {

std::string Network::validate() const {
  if (!(inputTau > 0) || !(tMax > 0))
    return "the input τ and t_max must be positive";
  if (layers.empty())
    return "the network has no layers";
  for (size_t k = 0; k < layers.size(); ++k) {
    const Layer &l = layers[k];
    std::string at = "layer " + std::to_string(k) +
                     (l.name.empty() ? "" : " (" + l.name + ")") + ": ";
    if (l.in < 1 || l.out < 1)
      return at + "needs at least one input and one neuron";
    if (k > 0 && l.in != layers[k - 1].outputs())
      return at + "has " + std::to_string(l.in) + " inputs but the layer " +
             "before has " + std::to_string(layers[k - 1].outputs()) +
             (layers[k - 1].pool ? " pooled outputs" : " neurons");
    if (l.pool) {
      if (k + 1 == layers.size())
        return at + "the output layer cannot be pooled (the class is its "
                    "earliest spike)";
      if (std::string e = l.pool->validate(); !e.empty())
        return at + e;
      if (l.pool->C * l.pool->H * l.pool->W != l.out)
        return at + "the pooling covers " +
               std::to_string(l.pool->C * l.pool->H * l.pool->W) +
               " neurons, the layer has " + std::to_string(l.out);
    }
    if (l.conv) {
      const Convolution &c = *l.conv;
      if (std::string e = c.validate(); !e.empty())
        return at + e;
      if (l.in != c.C * c.H * c.W || l.out != c.M * c.OH * c.OW)
        return at + "the convolution maps " + std::to_string(c.C * c.H * c.W) +
               " inputs to " + std::to_string(c.M * c.OH * c.OW) +
               " neurons, the layer has " + std::to_string(l.in) + " and " +
               std::to_string(l.out);
      if (!l.weight.empty() || !l.bias.empty())
        return at + "a convolution's parameters are its kernel and channel "
                    "bias (the dense weight and bias stay empty)";
    } else if (int64_t(l.weight.size()) != l.in * l.out)
      return at + "weight has " + std::to_string(l.weight.size()) +
             " values for " + std::to_string(l.out) + "×" +
             std::to_string(l.in);
    if (!l.bias.empty() && int64_t(l.bias.size()) != l.out)
      return at + "bias has " + std::to_string(l.bias.size()) + " values for " +
             std::to_string(l.out) + " neurons";
    if (l.threshold.size() != 1 && int64_t(l.threshold.size()) != l.out)
      return at + "needs one threshold or one per neuron";
    for (float th : l.threshold)
      if (!(th > 0))
        return at + "thresholds must be positive";
    if (!(l.tau > 0))
      return at + "τ must be positive";
  }
  return "";
}

std::string Convolution::validate() const {
  auto str = [](int64_t v) { return std::to_string(v); };
  if (C < 1 || H < 1 || W < 1 || M < 1 || OH < 1 || OW < 1)
    return "convolution sizes must be positive";
  if (kH < 1 || kW < 1 || sH < 1 || sW < 1 || dH < 1 || dW < 1 || pT < 0 ||
      pL < 0)
    return "kernel, strides and dilations must be positive, pads not "
           "negative";
  if (group < 1 || C % group != 0 || M % group != 0)
    return "group " + str(group) + " does not divide " + str(C) +
           " input and " + str(M) + " output channels";
  if (int64_t(kernel.size()) != M * (C / group) * kH * kW)
    return "kernel has " + str(int64_t(kernel.size())) + " values for " +
           str(M) + "×" + str(C / group) + "×" + str(kH) + "×" + str(kW);
  if (!bias.empty() && int64_t(bias.size()) != M)
    return "channel bias has " + str(int64_t(bias.size())) + " values for " +
           str(M) + " channels";
  // The last output must read at least one input (ONNX output size).
  if ((OH - 1) * sH - pT >= H || (OW - 1) * sW - pL >= W)
    return "output size " + str(OH) + "×" + str(OW) +
           " does not fit the input " + str(H) + "×" + str(W);
  return "";
}

std::string Pooling::validate() const {
  if (C < 1 || H < 1 || W < 1 || OH < 1 || OW < 1 || kH < 1 || kW < 1 ||
      sH < 1 || sW < 1 || pT < 0 || pL < 0)
    return "pooling sizes, kernel and strides must be positive, pads not "
           "negative";
  if ((OH - 1) * sH - pT >= H || (OW - 1) * sW - pL >= W)
    return "pooled size " + std::to_string(OH) + "×" + std::to_string(OW) +
           " does not fit the input " + std::to_string(H) + "×" +
           std::to_string(W);
  return "";
}

void maxPoolTimes(const Pooling &p, const float *times,
                  std::vector<float> &pooled, std::vector<int32_t> &from) {
  pooled.assign(size_t(p.size()), kNoSpike);
  from.assign(size_t(p.size()), -1);
  for (int64_t c = 0; c < p.C; ++c)
    for (int64_t oy = 0; oy < p.OH; ++oy)
      for (int64_t ox = 0; ox < p.OW; ++ox) {
        size_t o = size_t((c * p.OH + oy) * p.OW + ox);
        for (int64_t ky = 0; ky < p.kH; ++ky) {
          int64_t y = oy * p.sH + ky - p.pT;
          if (y < 0 || y >= p.H)
            continue;
          for (int64_t kx = 0; kx < p.kW; ++kx) {
            int64_t x = ox * p.sW + kx - p.pL;
            if (x < 0 || x >= p.W)
              continue;
            int64_t i = (c * p.H + y) * p.W + x;
            if (times[i] < pooled[o]) {
              pooled[o] = times[i];
              from[o] = int32_t(i);
            }
          }
        }
      }
}

namespace {

/// Calls f(neuron, input, kernel index) for every synapse of a convolution,
/// neuron by neuron (C×H×W order on both sides); padding has none.
template <typename F> void forEachSynapse(const Convolution &c, F f) {
  int64_t Cg = c.C / c.group, Mg = c.M / c.group;
  for (int64_t m = 0; m < c.M; ++m) {
    int64_t g = m / Mg;
    for (int64_t oy = 0; oy < c.OH; ++oy)
      for (int64_t ox = 0; ox < c.OW; ++ox) {
        int64_t neuron = (m * c.OH + oy) * c.OW + ox;
        for (int64_t ci = 0; ci < Cg; ++ci)
          for (int64_t p = 0; p < c.kH; ++p) {
            int64_t y = oy * c.sH + p * c.dH - c.pT;
            if (y < 0 || y >= c.H)
              continue;
            for (int64_t q = 0; q < c.kW; ++q) {
              int64_t x = ox * c.sW + q * c.dW - c.pL;
              if (x < 0 || x >= c.W)
                continue;
              f(neuron, ((g * Cg + ci) * c.H + y) * c.W + x,
                ((m * Cg + ci) * c.kH + p) * c.kW + q);
            }
          }
      }
  }
}

} // namespace

void encode(const float *x, int64_t n, float tau, float *times) {
  for (int64_t j = 0; j < n; ++j)
    times[j] = x[j] <= 0.0f   ? kNoSpike
               : x[j] >= 1.0f ? 0.0f
                              : tau * (1.0f - x[j]);
}

std::vector<float> transposedWeights(const Layer &l) {
  std::vector<float> wT(size_t((l.in + 1) * l.out), 0.0f);
  if (const auto &c = l.conv) {
    forEachSynapse(*c, [&](int64_t i, int64_t j, int64_t k) {
      wT[size_t(j * l.out + i)] = c->kernel[size_t(k)];
    });
    if (!c->bias.empty())
      for (int64_t i = 0; i < l.out; ++i)
        wT[size_t(l.in * l.out + i)] = c->bias[size_t(i / (c->OH * c->OW))];
    return wT;
  }
  for (int64_t i = 0; i < l.out; ++i)
    for (int64_t j = 0; j < l.in; ++j)
      wT[size_t(j * l.out + i)] = l.weight[size_t(i * l.in + j)];
  if (!l.bias.empty())
    std::copy(l.bias.begin(), l.bias.end(), wT.begin() + l.in * l.out);
  return wT;
}

Synapses buildSynapses(const Layer &l) {
  const Convolution &c = *l.conv;
  Synapses s;
  s.params = c.kernel;
  s.params.insert(s.params.end(), c.bias.begin(), c.bias.end());
  int64_t biasParam = int64_t(c.kernel.size()), plane = c.OH * c.OW;
  s.rowStart.assign(size_t(l.in + 2), 0);
  s.colStart.assign(size_t(l.out + 1), 0);
  forEachSynapse(c, [&](int64_t i, int64_t j, int64_t) {
    ++s.rowStart[size_t(j + 1)];
    ++s.colStart[size_t(i + 1)];
  });
  if (!c.bias.empty()) {
    s.rowStart[size_t(l.in + 1)] = l.out;
    for (int64_t i = 0; i < l.out; ++i)
      ++s.colStart[size_t(i + 1)];
  }
  std::partial_sum(s.rowStart.begin(), s.rowStart.end(), s.rowStart.begin());
  std::partial_sum(s.colStart.begin(), s.colStart.end(), s.colStart.begin());
  size_t n = size_t(s.colStart.back());
  s.rowNeuron.resize(n);
  s.rowParam.resize(n);
  s.colInput.resize(n);
  s.colParam.resize(n);
  std::vector<int64_t> row(s.rowStart.begin(), s.rowStart.end() - 1),
      col(s.colStart.begin(), s.colStart.end() - 1);
  // Neuron by neuron, so that every row lists its neurons in ascending
  // order and every column its inputs in ascending order (the bias spike,
  // input `in`, last).
  auto add = [&](int64_t i, int64_t j, int64_t k) {
    s.rowNeuron[size_t(row[size_t(j)])] = int32_t(i);
    s.rowParam[size_t(row[size_t(j)]++)] = int32_t(k);
    s.colInput[size_t(col[size_t(i)])] = int32_t(j);
    s.colParam[size_t(col[size_t(i)]++)] = int32_t(k);
  };
  forEachSynapse(c, add);
  if (!c.bias.empty())
    for (int64_t i = 0; i < l.out; ++i)
      add(i, l.in, biasParam + i / plane);
  return s;
}

namespace {

/// One sorted input added to every neuron of the layer: the causal sums
/// grow, and neurons whose potential reaches V_th before the next input
/// (`next`) fire now (their sums and the input count are frozen). Kept out
/// of line: inlined into layerForward, GCC 12 no longer vectorizes the loop
/// (the restrict parameters are what lets it), which made the dense TTFS
/// simulation 2.5× slower.
[[gnu::noinline]] void
addInput(int64_t n, const float *__restrict w, float t, float next, int32_t k,
         const float *__restrict tauTh, float *__restrict W,
         float *__restrict WT, uint8_t *__restrict done, float *__restrict Wf,
         float *__restrict WTf, int32_t *__restrict count) {
  for (int64_t i = 0; i < n; ++i) {
    // Fused multiply-adds written out (not left to the compiler), so that
    // the CPU backend's generated code can round the same way.
    float a = W[i] + w[i], b = multiplyAdd(w[i], t, WT[i]);
    W[i] = a;
    WT[i] = b;
    // v(next) = (W·next − Σ w t)/τ ≥ V_th, and not fired before.
    bool fire = !done[i] && multiplyAdd(a, next, -b) >= tauTh[i];
    Wf[i] = fire ? a : Wf[i];
    WTf[i] = fire ? b : WTf[i];
    count[i] = fire ? k + 1 : count[i];
    done[i] = done[i] | uint8_t(fire);
  }
}

/// Backward through one sorted input k of a layer: for the neurons that
/// integrated it (k < causal), ∂L/∂w_ij += α_i·t_j + β_i and
/// ∂L/∂t_j += Σ_i γ_i·w_ij (returned).
float backInput(int64_t n, int32_t k, float t, const float *__restrict w,
                const int32_t *__restrict causal, const float *__restrict alpha,
                const float *__restrict beta, const float *__restrict gamma,
                float *__restrict gw) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    bool in = k < causal[i];
    float a = in ? alpha[i] : 0.0f, b = in ? beta[i] : 0.0f,
          g = in ? gamma[i] : 0.0f;
    gw[i] += a * t + b;
    s += g * w[i];
  }
  return s;
}

/// One segment [p, min(q, T)] of a potential v(t) = (W·t − WT)/τ: adds
/// ∫ (v − level)⁺ over it to `integral` and sets P = (b² − a²)/2 and
/// Q = b − a for the part [a, b] above the level (untouched when none).
inline void segmentAbove(double W, double WT, double level, double tau,
                         double p, double q, double T, double &integral,
                         double &P, double &Q) {
  q = std::min(q, T);
  if (q <= p)
    return;
  // v(t) − level = W·t/τ − (WT/τ + level) on [p, q].
  double a = p, b = q;
  if (W == 0.0) {
    if (-WT / tau - level <= 0.0)
      return;
  } else {
    double c = (tau * level + WT) / W;
    if (W > 0.0)
      a = std::max(a, c);
    else
      b = std::min(b, c);
  }
  if (b <= a)
    return;
  integral += W * (b * b - a * a) / (2.0 * tau) - (WT / tau + level) * (b - a);
  P = (b * b - a * a) / 2.0;
  Q = b - a;
}

/// The membrane regularizers of a whole layer: for every neuron i, the
/// intervals of [0, T] where its potential made of its first K_i sorted
/// inputs lies above its level v̂_i, ∫ (v − v̂_i) over them, and the suffix
/// sums P_k = Σ (b² − a²)/2 and Q_k = Σ (b − a) over the intervals of the
/// potential's segments k, k + 1, … (segment k runs from input k to input
/// k + 1, or to T after the last). K_i is the causal count for the causal
/// potential ṽ, all inputs before T for the full potential v. The loops run
/// over the inputs outside and the neurons inside, so that the weights of an
/// input are read contiguously (each neuron's arithmetic is the same
/// sequence as one neuron at a time).
struct MembraneTerms {
  int32_t inputs = 0;               // max_i K_i
  std::vector<int32_t> K;           // per neuron
  std::vector<double> integral;     // per neuron
  std::vector<double> P, Q;         // (inputs + 1) × neurons
  std::vector<double> W, WT, level; // per neuron, scratch
};

void membraneTerms(const Layer &l, const LayerTrace &tr, const float *wT,
                   float T, float vhat, Regularizer reg, MembraneTerms &m) {
  int64_t n = l.out;
  bool full = reg == Regularizer::MembraneFull;
  m.K.resize(size_t(n));
  m.inputs = 0;
  for (int64_t i = 0; i < n; ++i) {
    m.K[size_t(i)] = full ? int32_t(tr.order.size()) : tr.causal[size_t(i)];
    m.inputs = std::max(m.inputs, m.K[size_t(i)]);
  }
  m.integral.assign(size_t(n), 0.0);
  m.W.assign(size_t(n), 0.0);
  m.WT.assign(size_t(n), 0.0);
  m.level.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i)
    m.level[size_t(i)] = double(vhat * l.thresholdOf(i));
  m.P.assign(size_t(m.inputs + 1) * size_t(n), 0.0);
  m.Q.assign(size_t(m.inputs + 1) * size_t(n), 0.0);
  double tau = l.tau;
  const int32_t *K = m.K.data();
  double *W = m.W.data(), *WT = m.WT.data(), *integral = m.integral.data();
  for (int32_t k = 0; k < m.inputs; ++k) {
    const float *w = wT + size_t(tr.order[size_t(k)]) * size_t(n);
    double tk = tr.times[size_t(k)];
    double next = k + 1 < int32_t(tr.times.size())
                      ? double(tr.times[size_t(k + 1)])
                      : double(T);
    double *P = m.P.data() + size_t(k) * size_t(n);
    double *Q = m.Q.data() + size_t(k) * size_t(n);
    for (int64_t i = 0; i < n; ++i) {
      if (k >= K[i])
        continue;
      double wi = w[i];
      W[i] += wi;
      WT[i] += wi * tk;
      double q = k + 1 < K[i] ? next : double(T);
      segmentAbove(W[i], WT[i], m.level[size_t(i)], tau, tk, q, T, integral[i],
                   P[i], Q[i]);
    }
  }
  // Suffix sums (entries past a neuron's K_i are zero).
  for (int32_t k = m.inputs - 1; k >= 0; --k) {
    double *P = m.P.data() + size_t(k) * size_t(n);
    double *Q = m.Q.data() + size_t(k) * size_t(n);
    for (int64_t i = 0; i < n; ++i) {
      P[i] += P[size_t(n) + size_t(i)];
      Q[i] += Q[size_t(n) + size_t(i)];
    }
  }
}

bool isMembrane(Regularizer reg) {
  return reg == Regularizer::Membrane || reg == Regularizer::MembraneFull;
}

/// The causal potential at t_max of a neuron that did not fire:
/// Σ_C w·(T − t_j)/τ.
double potentialAtEnd(const Layer &l, const LayerTrace &tr, const float *wT,
                      int64_t i, float T) {
  double v = 0.0;
  for (int32_t k = 0; k < tr.causal[size_t(i)]; ++k)
    v += double(wT[size_t(tr.order[size_t(k)]) * size_t(l.out) + size_t(i)]) *
         (T - tr.times[size_t(k)]);
  return v / l.tau;
}

} // namespace

namespace {

/// The inputs that fire before t_max and the bias spike (input `in`, at
/// t = 0) in time order, ties in index order; returns their count.
int32_t sortInputs(const Layer &l, const float *inTimes, float tMax,
                   LayerTrace &tr) {
  tr.order.clear();
  for (int64_t j = 0; j < l.in; ++j)
    if (inTimes[j] < tMax)
      tr.order.push_back(int32_t(j));
  if (l.hasBias())
    tr.order.push_back(int32_t(l.in)); // the bias spike at t = 0
  auto timeOf = [&](int32_t j) { return j == l.in ? 0.0f : inTimes[j]; };
  std::stable_sort(tr.order.begin(), tr.order.end(),
                   [&](int32_t a, int32_t b) { return timeOf(a) < timeOf(b); });
  int32_t K = int32_t(tr.order.size());
  tr.times.resize(size_t(K));
  for (int32_t k = 0; k < K; ++k)
    tr.times[size_t(k)] = timeOf(tr.order[size_t(k)]);
  return K;
}

/// Per neuron state of a layer's forward pass.
struct ForwardState {
  std::vector<float> tauTh, W, WT, Wf, WTf;
  std::vector<uint8_t> done;
  void reset(const Layer &l) {
    size_t n = size_t(l.out);
    tauTh.resize(n);
    for (int64_t i = 0; i < l.out; ++i)
      tauTh[size_t(i)] = l.tau * l.thresholdOf(i);
    for (std::vector<float> *v : {&W, &WT, &Wf, &WTf})
      v->assign(n, 0.0f);
    done.assign(n, 0);
  }
};

/// Spike times from the frozen sums, clamped into the interval between the
/// last causal input and the next (or t_max), and the causal weight sums.
void finishLayer(const ForwardState &f, float tMax, LayerTrace &tr) {
  size_t n = f.done.size();
  int32_t K = int32_t(tr.times.size());
  tr.time.resize(n);
  tr.wsum.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!f.done[i]) {
      tr.time[i] = kNoSpike;
      tr.wsum[i] = f.W[i];
      continue;
    }
    int32_t c = tr.causal[i];
    float lo = tr.times[size_t(c - 1)], hi = c < K ? tr.times[size_t(c)] : tMax;
    float t = (f.tauTh[i] + f.WTf[i]) / f.Wf[i];
    tr.time[i] = std::min(std::max(t, lo), hi);
    tr.wsum[i] = f.Wf[i];
  }
}

} // namespace

void layerForward(const Layer &l, const float *wT, const float *inTimes,
                  float tMax, LayerTrace &tr) {
  int64_t n = l.out;
  int32_t K = sortInputs(l, inTimes, tMax, tr);
  ForwardState f;
  f.reset(l);
  tr.causal.assign(size_t(n), K);
  for (int32_t k = 0; k < K; ++k) {
    float t = tr.times[size_t(k)];
    float next = k + 1 < K ? tr.times[size_t(k + 1)] : tMax;
    addInput(n, wT + size_t(tr.order[size_t(k)]) * size_t(n), t, next, k,
             f.tauTh.data(), f.W.data(), f.WT.data(), f.done.data(),
             f.Wf.data(), f.WTf.data(), tr.causal.data());
    // Every 32 inputs: stop once all neurons have fired.
    if ((k & 31) == 31 &&
        std::accumulate(f.done.begin(), f.done.end(), int64_t(0)) == n)
      break;
  }
  finishLayer(f, tMax, tr);
}

namespace {

/// The forward pass of a convolution, event-driven: an input spike updates
/// only the neurons it reaches, and a neuron's crossing is checked when its
/// next input arrives and at t_max. Its potential is linear between its own
/// inputs, so the first global check time after its last input at which the
/// dense layer (layerForward) would see V_th reached is found by bisection:
/// the causal count, the clamp interval and so the spike times are those of
/// layerForward on the dense form of the layer (the same sums in the same
/// order, the zeros left out).
void convForward(const Layer &l, const Synapses &s, const float *inTimes,
                 float tMax, LayerTrace &tr, ForwardState &f,
                 std::vector<int32_t> &last) {
  int64_t n = l.out;
  int32_t K = sortInputs(l, inTimes, tMax, tr);
  f.reset(l);
  tr.causal.assign(size_t(n), K);
  last.assign(size_t(n), -1); // position of the neuron's latest input
  auto checkTime = [&](int32_t c) {
    return c < K ? tr.times[size_t(c)] : tMax;
  };
  // Neuron i crossed V_th by the check at position `upto` (K: t_max): the
  // first check after its latest input that sees the threshold reached.
  auto fire = [&](int64_t i, int32_t upto) {
    float a = f.W[size_t(i)], b = f.WT[size_t(i)], th = f.tauTh[size_t(i)];
    int32_t lo = last[size_t(i)] + 1, hi = upto;
    while (lo < hi) {
      int32_t mid = lo + (hi - lo) / 2;
      if (multiplyAdd(a, checkTime(mid), -b) >= th)
        hi = mid;
      else
        lo = mid + 1;
    }
    f.done[size_t(i)] = 1;
    f.Wf[size_t(i)] = a;
    f.WTf[size_t(i)] = b;
    tr.causal[size_t(i)] = hi;
  };
  for (int32_t k = 0; k < K; ++k) {
    int32_t j = tr.order[size_t(k)];
    float t = tr.times[size_t(k)];
    for (int64_t e = s.rowStart[size_t(j)]; e < s.rowStart[size_t(j + 1)];
         ++e) {
      int32_t i = s.rowNeuron[size_t(e)];
      if (f.done[size_t(i)])
        continue;
      float a = f.W[size_t(i)], b = f.WT[size_t(i)];
      if (last[size_t(i)] >= 0 && multiplyAdd(a, t, -b) >= f.tauTh[size_t(i)]) {
        fire(i, k);
        continue;
      }
      float w = s.params[size_t(s.rowParam[size_t(e)])];
      f.W[size_t(i)] = a + w;
      f.WT[size_t(i)] = multiplyAdd(w, t, b);
      last[size_t(i)] = k;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    if (!f.done[size_t(i)] && last[size_t(i)] >= 0 &&
        multiplyAdd(f.W[size_t(i)], tMax, -f.WT[size_t(i)]) >=
            f.tauTh[size_t(i)])
      fire(i, K);
  finishLayer(f, tMax, tr);
}

} // namespace

namespace {

/// Backward through a convolution: for every sorted input k and the neurons
/// it reached that integrated it (k < causal), ∂L/∂param += α_i·t_k + β_i
/// and ∂L/∂t_j += Σ_i γ_i·w (into gIn; not for the bias spike).
void convBackward(const Layer &l, const Synapses &s, const LayerTrace &tr,
                  const float *alpha, const float *beta, const float *gamma,
                  float *g, float *gIn) {
  int32_t maxCausal = 0;
  for (int32_t c : tr.causal)
    maxCausal = std::max(maxCausal, c);
  for (int32_t k = 0; k < maxCausal; ++k) {
    int32_t j = tr.order[size_t(k)];
    float t = tr.times[size_t(k)], sum = 0.0f;
    for (int64_t e = s.rowStart[size_t(j)]; e < s.rowStart[size_t(j + 1)];
         ++e) {
      int32_t i = s.rowNeuron[size_t(e)], p = s.rowParam[size_t(e)];
      if (k >= tr.causal[size_t(i)])
        continue;
      g[p] += alpha[i] * t + beta[i];
      sum += gamma[i] * s.params[size_t(p)];
    }
    if (j < l.in)
      gIn[j] += sum;
  }
}

/// position[j]: where input j (or the bias spike, j = in) stands in the
/// layer's sorted inputs, -1 when it does not fire before t_max.
void sortedPositions(const Layer &l, const LayerTrace &tr,
                     std::vector<int32_t> &position) {
  position.assign(size_t(l.in + 1), -1);
  for (size_t k = 0; k < tr.order.size(); ++k)
    position[size_t(tr.order[k])] = int32_t(k);
}

/// Scratch of convMembrane.
struct ConvMembraneScratch {
  std::vector<int32_t> position; // per input (and bias): sorted index or -1
  std::vector<int64_t> entries;  // a neuron's synapses (column entries)
  std::vector<double> P, Q;      // per entry, suffix sums
};

/// The membrane regularizer of a convolution, neuron by neuron over its own
/// inputs in time order (the causal ones, or every input before T for the
/// full potential): the segments between them are those of membraneTerms
/// with the inputs that do not reach the neuron (zero weight) left out.
/// Returns Σ_i R_i; with `g`, adds γ·∂R/∂param to g and γ·∂R/∂t_j to gIn.
double convMembrane(const Layer &l, const Synapses &s, const LayerTrace &tr,
                    float T, float vhat, Regularizer reg, float gammaReg,
                    float *g, float *gIn, ConvMembraneScratch &m) {
  bool full = reg == Regularizer::MembraneFull;
  sortedPositions(l, tr, m.position);
  double total = 0.0, tau = l.tau;
  for (int64_t i = 0; i < l.out; ++i) {
    int32_t K = full ? int32_t(tr.order.size()) : tr.causal[size_t(i)];
    m.entries.clear();
    for (int64_t e = s.colStart[size_t(i)]; e < s.colStart[size_t(i + 1)];
         ++e) {
      int32_t k = m.position[size_t(s.colInput[size_t(e)])];
      if (k >= 0 && k < K)
        m.entries.push_back(e);
    }
    auto posOf = [&](int64_t e) {
      return m.position[size_t(s.colInput[size_t(e)])];
    };
    std::sort(m.entries.begin(), m.entries.end(),
              [&](int64_t a, int64_t b) { return posOf(a) < posOf(b); });
    size_t E = m.entries.size();
    m.P.assign(E + 1, 0.0);
    m.Q.assign(E + 1, 0.0);
    double W = 0.0, WT = 0.0, integral = 0.0,
           level = double(vhat * l.thresholdOf(i));
    for (size_t x = 0; x < E; ++x) {
      int64_t e = m.entries[x];
      double w = s.params[size_t(s.colParam[size_t(e)])];
      double t = tr.times[size_t(posOf(e))];
      W += w;
      WT += w * t;
      double next =
          x + 1 < E ? double(tr.times[size_t(posOf(m.entries[x + 1]))]) : T;
      segmentAbove(W, WT, level, tau, t, next, T, integral, m.P[x], m.Q[x]);
    }
    total += integral;
    if (!g)
      continue;
    // ∂R/∂w = (P_k − t·Q_k)/τ, ∂R/∂t_j = −w·Q_k/τ with suffix sums.
    for (size_t x = E; x-- > 0;) {
      m.P[x] += m.P[x + 1];
      m.Q[x] += m.Q[x + 1];
      if (m.Q[x] == 0.0)
        continue; // no time above the level from this input on
      int64_t e = m.entries[x];
      int32_t j = s.colInput[size_t(e)], p = s.colParam[size_t(e)];
      double t = tr.times[size_t(posOf(e))];
      g[p] += float(gammaReg * (m.P[x] - t * m.Q[x]) / tau);
      if (j < l.in)
        gIn[j] += float(-gammaReg * s.params[size_t(p)] * m.Q[x] / tau);
    }
  }
  return total;
}

/// potentialAtEnd for a convolution: the neuron's causal inputs only.
double convPotentialAtEnd(const Layer &l, const Synapses &s,
                          const LayerTrace &tr, int64_t i, float T,
                          std::vector<int32_t> &position) {
  sortedPositions(l, tr, position);
  double v = 0.0;
  for (int64_t e = s.colStart[size_t(i)]; e < s.colStart[size_t(i + 1)]; ++e) {
    int32_t k = position[size_t(s.colInput[size_t(e)])];
    if (k >= 0 && k < tr.causal[size_t(i)])
      v += double(s.params[size_t(s.colParam[size_t(e)])]) *
           (T - tr.times[size_t(k)]);
  }
  return v / l.tau;
}

/// The spike-time regularizer (M-SSR or F-SSR) of neuron i; the membrane
/// regularizers come from membraneTerms.
double spikeTimeRegularizer(const Layer &l, const LayerTrace &tr, int64_t i,
                            float tMax, Regularizer reg) {
  float t = tr.time[size_t(i)];
  double W = tr.wsum[size_t(i)];
  if (t == kNoSpike)
    return 0.0;
  if (reg == Regularizer::MSSR)
    return W * (tMax - t) * (tMax - t) / (2.0 * l.tau);
  if (reg == Regularizer::FSSR)
    return W * (tMax - t) / l.tau;
  return 0.0;
}

} // namespace

double regularizerOf(const Layer &l, const LayerTrace &tr, int64_t i,
                     float tMax, Regularizer reg, float vhat) {
  if (!isMembrane(reg))
    return spikeTimeRegularizer(l, tr, i, tMax, reg);
  std::vector<float> wT = transposedWeights(l);
  MembraneTerms m;
  membraneTerms(l, tr, wT.data(), tMax, vhat, reg, m);
  return m.integral[size_t(i)];
}

void Stats::add(const Stats &o) {
  loss += o.loss;
  reg += o.reg;
  correct += o.correct;
  count += o.count;
  if (spikes.size() < o.spikes.size())
    spikes.resize(o.spikes.size(), 0.0);
  for (size_t k = 0; k < o.spikes.size(); ++k)
    spikes[k] += o.spikes[k];
  outputTime += o.outputTime;
  outputFired += o.outputFired;
}

Stats run(const Network &net, const float *x, const int32_t *labels, int64_t n,
          const LossOptions &opt, std::vector<std::vector<float>> *grads,
          std::vector<int32_t> *predictions) {
  size_t L = net.layers.size();
  // Dense layers: the transposed weights; convolutions: their synapses.
  std::vector<std::vector<float>> wT(L);
  std::vector<Synapses> syn(L);
  std::vector<size_t> gradSize(L);
  for (size_t k = 0; k < L; ++k) {
    const Layer &l = net.layers[k];
    if (l.conv)
      syn[k] = buildSynapses(l);
    else
      wT[k] = transposedWeights(l);
    gradSize[k] = l.conv ? size_t(l.parameterCount()) : wT[k].size();
  }
  if (grads) {
    grads->resize(L);
    for (size_t k = 0; k < L; ++k)
      (*grads)[k].resize(gradSize[k], 0.0f);
  }
  if (predictions)
    predictions->assign(size_t(n), -1);
  float T = net.tMax;
  int64_t chunks = chunkCount(n);
  std::vector<Stats> part(static_cast<size_t>(chunks));
  std::vector<std::vector<std::vector<float>>> partGrad(
      static_cast<size_t>(chunks));

  parallelChunks(n, [&](int64_t c, int64_t begin, int64_t end) {
    Stats &st = part[size_t(c)];
    st.spikes.assign(L, 0.0);
    std::vector<std::vector<float>> *g = nullptr;
    if (grads) {
      partGrad[size_t(c)].resize(L);
      for (size_t k = 0; k < L; ++k)
        partGrad[size_t(c)][k].assign(gradSize[k], 0.0f);
      g = &partGrad[size_t(c)];
    }
    std::vector<LayerTrace> tr(L);
    std::vector<float> input;
    std::vector<float> gTime, gIn, alpha, beta, gamma;
    MembraneTerms membraneScratch;
    ConvMembraneScratch convScratch;
    ForwardState forward;
    std::vector<int32_t> latest;
    std::vector<double> z;
    auto regularized = [&](size_t k) {
      return opt.reg != Regularizer::None && opt.gamma > 0 &&
             (k + 1 < L || opt.regularizeOutput);
    };
    for (int64_t s = begin; s < end; ++s) {
      const Layer &first = net.layers[0];
      input.resize(size_t(first.in));
      encode(x + s * first.in, first.in, net.inputTau, input.data());
      const float *in = input.data();
      for (size_t k = 0; k < L; ++k) {
        if (net.layers[k].conv)
          convForward(net.layers[k], syn[k], in, T, tr[k], forward, latest);
        else
          layerForward(net.layers[k], wT[k].data(), in, T, tr[k]);
        in = tr[k].time.data();
        if (const auto &p = net.layers[k].pool) {
          maxPoolTimes(*p, in, tr[k].pooled, tr[k].pooledFrom);
          in = tr[k].pooled.data();
        }
        for (float t : tr[k].time)
          st.spikes[k] += t != kNoSpike;
      }
      const Layer &last = net.layers[L - 1];
      const LayerTrace &out = tr[L - 1];
      int32_t pred = -1;
      float best = kNoSpike;
      for (int64_t i = 0; i < last.out; ++i)
        if (out.time[size_t(i)] < best) {
          best = out.time[size_t(i)];
          pred = int32_t(i);
        }
      if (pred >= 0) {
        st.outputTime += best;
        ++st.outputFired;
      }
      if (predictions)
        (*predictions)[size_t(s)] = pred;
      ++st.count;
      if (!labels)
        continue;
      int32_t y = labels[s];
      st.correct += pred == y;

      // Softmax cross-entropy over −t_k/σ (a silent output counts as t_max).
      gTime.assign(size_t(last.out), 0.0f);
      double zmax = -1e300;
      z.resize(size_t(last.out));
      for (int64_t i = 0; i < last.out; ++i) {
        float t = out.time[size_t(i)];
        z[size_t(i)] = -double(t == kNoSpike ? T : t) / opt.sigma;
        zmax = std::max(zmax, z[size_t(i)]);
      }
      double sum = 0.0;
      for (double v : z)
        sum += std::exp(v - zmax);
      st.loss += -(z[size_t(y)] - zmax - std::log(sum));
      for (int64_t i = 0; i < last.out; ++i) {
        double p = std::exp(z[size_t(i)] - zmax) / sum;
        if (out.time[size_t(i)] != kNoSpike)
          gTime[size_t(i)] = float(-(p - (i == y ? 1.0 : 0.0)) / opt.sigma);
      }
      // A silent target output: raise its potential at t_max.
      float fireGrad = 0.0f;
      if (out.time[size_t(y)] == kNoSpike && opt.fireWeight > 0) {
        double v = last.conv
                       ? convPotentialAtEnd(last, syn[L - 1], out, y, T,
                                            convScratch.position)
                       : potentialAtEnd(last, out, wT[L - 1].data(), y, T);
        double gap = last.thresholdOf(y) - v;
        if (gap > 0) {
          st.loss += opt.fireWeight * gap;
          fireGrad = opt.fireWeight;
        }
      }

      // The regularizer's value; with gradients, the backward pass adds the
      // membrane integral itself (it needs the same intervals).
      bool membrane = isMembrane(opt.reg);
      for (size_t kk = 0; kk < L; ++kk) {
        if (!regularized(kk) || (g && membrane))
          continue;
        const Layer &l = net.layers[kk];
        if (membrane && l.conv) {
          st.reg += convMembrane(l, syn[kk], tr[kk], T, opt.vhat, opt.reg,
                                 opt.gamma, nullptr, nullptr, convScratch);
        } else if (membrane) {
          membraneTerms(l, tr[kk], wT[kk].data(), T, opt.vhat, opt.reg,
                        membraneScratch);
          for (int64_t i = 0; i < l.out; ++i)
            st.reg += membraneScratch.integral[size_t(i)];
        } else {
          for (int64_t i = 0; i < l.out; ++i)
            st.reg += spikeTimeRegularizer(l, tr[kk], i, T, opt.reg);
        }
      }
      if (!g)
        continue;
      // Backward through dense layer kk (gradients into gw, gIn).
      auto denseBackward = [&](size_t kk, float *gw) {
        const Layer &l = net.layers[kk];
        const LayerTrace &t = tr[kk];
        bool regHere = regularized(kk);
        int32_t maxCausal = 0;
        for (int32_t c2 : t.causal)
          maxCausal = std::max(maxCausal, c2);
        for (int32_t k = 0; k < maxCausal; ++k) {
          int32_t j = t.order[size_t(k)];
          float s2 = backInput(l.out, k, t.times[size_t(k)],
                               wT[kk].data() + size_t(j) * size_t(l.out),
                               t.causal.data(), alpha.data(), beta.data(),
                               gamma.data(), gw + size_t(j) * size_t(l.out));
          if (j < l.in)
            gIn[size_t(j)] += s2;
        }
        if (regHere && membrane) {
          // ∂R/∂w_ij = (P_k − t_j·Q_k)/τ, ∂R/∂t_j = −w_ij·Q_k/τ.
          MembraneTerms &m = membraneScratch;
          membraneTerms(l, t, wT[kk].data(), T, opt.vhat, opt.reg, m);
          for (int64_t i = 0; i < l.out; ++i)
            st.reg += m.integral[size_t(i)];
          for (int32_t k = 0; k < m.inputs; ++k) {
            int32_t j = t.order[size_t(k)];
            double tj = t.times[size_t(k)];
            const double *P = m.P.data() + size_t(k) * size_t(l.out);
            const double *Q = m.Q.data() + size_t(k) * size_t(l.out);
            const float *w = wT[kk].data() + size_t(j) * size_t(l.out);
            float *gwj = gw + size_t(j) * size_t(l.out);
            float gj = j < l.in ? gIn[size_t(j)] : 0.0f;
            for (int64_t i = 0; i < l.out; ++i) {
              if (Q[i] == 0.0)
                continue; // no time above the level from input k on
              gwj[i] += float(opt.gamma * (P[i] - tj * Q[i]) / l.tau);
              gj += float(-opt.gamma * w[i] * Q[i] / l.tau);
            }
            if (j < l.in)
              gIn[size_t(j)] = gj;
          }
        }
      };
      // Backward, last layer first.
      for (size_t kk = L; kk-- > 0;) {
        const Layer &l = net.layers[kk];
        const LayerTrace &t = tr[kk];
        bool regHere = regularized(kk);
        alpha.assign(size_t(l.out), 0.0f);
        beta.assign(size_t(l.out), 0.0f);
        gamma.assign(size_t(l.out), 0.0f);
        for (int64_t i = 0; i < l.out; ++i) {
          float ti = t.time[size_t(i)];
          float W = t.wsum[size_t(i)];
          if (ti == kNoSpike)
            continue;
          double gt = gTime[size_t(i)], direct = 0.0;
          if (regHere && opt.reg == Regularizer::MSSR) {
            gt += -opt.gamma * W * (T - ti) / l.tau;
            direct = opt.gamma * (T - ti) * (T - ti) / (2.0 * l.tau);
          } else if (regHere && opt.reg == Regularizer::FSSR) {
            gt += -opt.gamma * W / l.tau;
            direct = opt.gamma * (T - ti) / l.tau;
          }
          // ∂t_i/∂w_ij = (t_j − t_i)/W, ∂t_i/∂t_j = w_ij/W.
          float a = float(gt / W);
          alpha[size_t(i)] = a;
          beta[size_t(i)] = float(-a * ti + direct);
          gamma[size_t(i)] = a;
        }
        if (kk + 1 == L && fireGrad > 0) {
          // L = λ·(V_th − Σ_C w·(T − t_j)/τ).
          alpha[size_t(y)] += fireGrad / l.tau;
          beta[size_t(y)] += -fireGrad * T / l.tau;
          gamma[size_t(y)] += fireGrad / l.tau;
        }
        gIn.assign(size_t(l.in), 0.0f);
        float *gw = (*g)[kk].data();
        if (l.conv) {
          convBackward(l, syn[kk], t, alpha.data(), beta.data(), gamma.data(),
                       gw, gIn.data());
          if (regHere && membrane)
            st.reg += convMembrane(l, syn[kk], t, T, opt.vhat, opt.reg,
                                   opt.gamma, gw, gIn.data(), convScratch);
        } else {
          denseBackward(kk, gw);
        }
        if (kk == 0)
          break;
        // ∂L/∂(the times of the layer below): through a max pooling, each
        // output's gradient goes to the neuron whose spike it passed.
        if (const Layer &below = net.layers[kk - 1]; below.pool) {
          gTime.assign(size_t(below.out), 0.0f);
          const std::vector<int32_t> &from = tr[kk - 1].pooledFrom;
          for (size_t o = 0; o < from.size(); ++o)
            if (from[o] >= 0)
              gTime[size_t(from[o])] += gIn[o];
        } else {
          gTime.swap(gIn);
        }
      }
    }
  });
  Stats total;
  total.spikes.assign(L, 0.0);
  for (int64_t c = 0; c < chunks; ++c) {
    total.add(part[size_t(c)]);
    if (grads)
      for (size_t k = 0; k < L; ++k) {
        std::vector<float> &dst = (*grads)[k];
        const std::vector<float> &src = partGrad[size_t(c)][k];
        for (size_t i = 0; i < dst.size(); ++i)
          dst[i] += src[i];
      }
  }
  total.loss += opt.gamma * total.reg;
  return total;
}

} // namespace snnrt::ttfs
