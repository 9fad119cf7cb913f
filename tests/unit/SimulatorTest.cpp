//===- SimulatorTest.cpp - the discrete-time simulator against hand traces
//-===//

#include "runtime/sim/Simulator.h"
#include "runtime/tensor/Parallel.h"

#include <gtest/gtest.h>

#include <random>

using namespace snnrt;

namespace {

/// Direct input x → one neuron layer → spike-rate readout, with the layer's
/// spikes also returned step by step through checkpoints.
Network neuronNet(float threshold, float leak, Reset reset,
                  int64_t refractory) {
  Network net;
  int in = net.addSlot();
  net.inputs = {in};
  net.inputShapes = {{-1, 1}};
  Layer enc;
  enc.kind = LayerKind::EncodeDirect;
  enc.inputs = {in};
  enc.output = net.addSlot();
  Layer neuron;
  neuron.kind = LayerKind::Neuron;
  neuron.name = "neuron";
  neuron.inputs = {enc.output};
  neuron.output = net.addSlot();
  neuron.threshold = {threshold};
  neuron.leak = leak;
  neuron.reset = reset;
  neuron.refractory = refractory;
  Layer count;
  count.kind = LayerKind::Accumulate; // sums the spikes: a running count
  count.inputs = {neuron.output};
  count.output = net.addSlot();
  net.layers = {enc, neuron, count};
  net.outputs = {count.output};
  net.timesteps = 6;
  return net;
}

/// Spike counts after each of steps 1..6.
std::vector<float> countsPerStep(const Network &net, float input) {
  SimOptions o;
  o.checkpoints = {1, 2, 3, 4, 5, 6};
  SimResult r;
  EXPECT_EQ(simulate(net, {Tensor({1, 1}, std::vector<float>{input})}, o, r),
            "");
  std::vector<float> counts;
  for (auto &outs : r.outputs)
    counts.push_back(outs[0].data[0]);
  return counts;
}

TEST(Simulator, IFSubtractReset) {
  // u: 0.4, 0.8, 1.2→spike→0.2, 0.6, 1.0→spike→0, 0.4
  EXPECT_EQ(countsPerStep(neuronNet(1.0f, 1.0f, Reset::Subtract, 0), 0.4f),
            (std::vector<float>{0, 0, 1, 1, 2, 2}));
  // Input 1.5 with subtract keeps the remainder: 1.5→0.5, 2.0→1.0, 2.5→1.5…
  EXPECT_EQ(countsPerStep(neuronNet(1.0f, 1.0f, Reset::Subtract, 0), 1.5f),
            (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Simulator, IFZeroResetLosesTheRemainder) {
  // u: 0.7, 1.4→spike→0, 0.7, 1.4→spike→0, 0.7, 1.4→spike
  EXPECT_EQ(countsPerStep(neuronNet(1.0f, 1.0f, Reset::Zero, 0), 0.7f),
            (std::vector<float>{0, 1, 1, 2, 2, 3}));
}

TEST(Simulator, LIFLeaks) {
  // λ = 0.5, input 0.6: u 0.6, 0.9, 1.05→spike→0.05, 0.625, 0.9125, 1.056→spike
  EXPECT_EQ(countsPerStep(neuronNet(1.0f, 0.5f, Reset::Subtract, 0), 0.6f),
            (std::vector<float>{0, 0, 1, 1, 1, 2}));
}

TEST(Simulator, LIFZeroReset) {
  // λ = 0.5, input 0.7: u 0.7, 1.05→spike→0, 0.7, 1.05→spike→0, 0.7, 1.05→spike
  EXPECT_EQ(countsPerStep(neuronNet(1.0f, 0.5f, Reset::Zero, 0), 0.7f),
            (std::vector<float>{0, 1, 1, 2, 2, 3}));
}

TEST(Simulator, PoissonInputDrivesAnIFNeuron) {
  // One Poisson input (x = 0.5, seed 9) into an IF neuron with threshold 2
  // and subtract reset: the neuron fires on every second input spike.
  Network net = neuronNet(2.0f, 1.0f, Reset::Subtract, 0);
  net.layers[0].kind = LayerKind::EncodePoisson;
  net.layers[0].seed = 9;
  net.timesteps = 50;
  SimOptions o;
  std::vector<float> expected;
  int inputSpikes = 0;
  for (int64_t t = 0; t < 50; ++t) {
    inputSpikes += counterUniform(9, uint64_t(t), 0) < 0.5f;
    expected.push_back(float(inputSpikes / 2));
    o.checkpoints.push_back(t + 1);
  }
  SimResult r;
  ASSERT_EQ(simulate(net, {Tensor({1, 1}, std::vector<float>{0.5f})}, o, r),
            "");
  std::vector<float> got;
  for (auto &outs : r.outputs)
    got.push_back(outs[0].data[0]);
  EXPECT_EQ(got, expected);
  EXPECT_GT(inputSpikes, 10); // about 25 of 50
  EXPECT_LT(inputSpikes, 40);
}

TEST(Simulator, RefractoryStepsSkipIntegration) {
  // Input 1.0 fires every step; with 2 refractory steps every third step.
  EXPECT_EQ(countsPerStep(neuronNet(1.0f, 1.0f, Reset::Subtract, 2), 1.0f),
            (std::vector<float>{1, 1, 1, 2, 2, 2}));
}

TEST(Simulator, PoissonIsTheSameOnOneAndTwoThreads) {
  Network net;
  int in = net.addSlot();
  net.inputs = {in};
  net.inputShapes = {{-1, 64}};
  Layer enc;
  enc.kind = LayerKind::EncodePoisson;
  enc.seed = 42;
  enc.inputs = {in};
  enc.output = net.addSlot();
  Layer rate;
  rate.kind = LayerKind::SpikeRate;
  rate.inputs = {enc.output};
  rate.output = net.addSlot();
  net.layers = {enc, rate};
  net.outputs = {rate.output};
  net.timesteps = 200;

  Tensor x({512, 64});
  for (int64_t i = 0; i < x.size(); ++i)
    x.data[i] = float(i % 64) / 64.0f * (i % 2 ? 1.0f : -1.0f);
  SimResult one, two;
  setNumThreads(1);
  ASSERT_EQ(simulate(net, {x}, {}, one), "");
  setNumThreads(2);
  ASSERT_EQ(simulate(net, {x}, {}, two), "");
  setNumThreads(0);
  EXPECT_EQ(one.outputs[0][0].data, two.outputs[0][0].data);
  // Rates follow |x| with sign(x): the mean over the batch is close.
  double mean = 0;
  for (int64_t n = 0; n < 512; ++n)
    mean += one.outputs[0][0].data[n * 64 + 33];
  EXPECT_NEAR(mean / 512, 33.0 / 64.0, 0.02);
}

TEST(Simulator, SpikeGatedMaxPoolFollowsTheMostActiveInput) {
  Network net;
  int in = net.addSlot();
  net.inputs = {in};
  net.inputShapes = {{1, 1, 1, 2}};
  Layer enc;
  enc.kind = LayerKind::EncodeDirect;
  enc.inputs = {in};
  enc.output = net.addSlot();
  Layer neuron;
  neuron.kind = LayerKind::Neuron;
  neuron.inputs = {enc.output};
  neuron.output = net.addSlot();
  neuron.threshold = {1.0f};
  Layer pool;
  pool.kind = LayerKind::MaxPool;
  pool.op.kernel = {1, 2};
  pool.op.strides = {1, 2};
  pool.op.pads = {0, 0, 0, 0};
  pool.inputs = {neuron.output};
  pool.output = net.addSlot();
  Layer count;
  count.kind = LayerKind::Accumulate;
  count.inputs = {pool.output};
  count.output = net.addSlot();
  net.layers = {enc, neuron, pool, count};
  net.outputs = {count.output};
  net.timesteps = 40;
  // Rates 0.25 and 0.5: the pooled output tends to the larger rate.
  SimResult r;
  ASSERT_EQ(simulate(net,
                     {Tensor({1, 1, 1, 2}, std::vector<float>{0.25f, 0.5f})},
                     {}, r),
            "");
  EXPECT_NEAR(r.outputs[0][0].data[0] / 40.0, 0.5, 0.05);
}

TEST(Simulator, EventDrivenSynapsesGiveTheDenseResult) {
  // Sparse Poisson input → conv → IF → dense → readout, once with the
  // event-driven synapses (chosen below 12 % density) and once dense only.
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  auto random = [&](Shape s) {
    Tensor t(std::move(s));
    for (float &v : t.data)
      v = u(rng);
    return t;
  };
  Network net;
  int in = net.addSlot();
  net.inputs = {in};
  net.inputShapes = {{-1, 2, 6, 6}};
  int w1 = net.addConstant(random({4, 2, 3, 3}));
  int b1 = net.addConstant(random({4}));
  int w2 = net.addConstant(random({3, 64}));
  Layer enc;
  enc.kind = LayerKind::EncodePoisson;
  enc.seed = 5;
  enc.inputs = {in};
  enc.output = net.addSlot();
  Layer conv;
  conv.kind = LayerKind::Conv2D;
  conv.op.strides = {1, 1};
  conv.op.pads = {0, 0, 0, 0};
  conv.op.dilations = {1, 1};
  conv.inputs = {enc.output, w1, b1};
  conv.output = net.addSlot();
  Layer neuron;
  neuron.kind = LayerKind::Neuron;
  neuron.threshold = {0.3f};
  neuron.inputs = {conv.output};
  neuron.output = net.addSlot();
  Layer flat;
  flat.kind = LayerKind::Flatten;
  flat.op.kind = OpKind::Flatten;
  flat.op.axis = 1;
  flat.inputs = {neuron.output};
  flat.output = net.addSlot();
  Layer dense;
  dense.kind = LayerKind::Dense;
  dense.op.transB = true;
  dense.inputs = {flat.output, w2};
  dense.output = net.addSlot();
  Layer readout;
  readout.kind = LayerKind::Accumulate;
  readout.inputs = {dense.output};
  readout.output = net.addSlot();
  net.layers = {enc, conv, neuron, flat, dense, readout};
  net.outputs = {readout.output};
  net.timesteps = 20;

  Tensor x({8, 2, 6, 6}, 0.05f); // about 5 % of the inputs spike per step
  SimOptions events, dense_only;
  dense_only.eventDriven = false;
  SimResult a, b;
  ASSERT_EQ(simulate(net, {x}, events, a), "");
  ASSERT_EQ(simulate(net, {x}, dense_only, b), "");
  ASSERT_EQ(a.outputs[0][0].shape, b.outputs[0][0].shape);
  for (int64_t i = 0; i < a.outputs[0][0].size(); ++i)
    EXPECT_NEAR(a.outputs[0][0].data[i], b.outputs[0][0].data[i], 1e-4);
  EXPECT_EQ(a.layers[1].synapticEvents, b.layers[1].synapticEvents);
}

TEST(Simulator, RejectsBadCheckpoints) {
  Network net = neuronNet(1.0f, 1.0f, Reset::Subtract, 0);
  SimOptions o;
  o.checkpoints = {7};
  SimResult r;
  EXPECT_NE(simulate(net, {Tensor({1, 1}, std::vector<float>{0.5f})}, o, r),
            "");
}

} // namespace

TEST(Simulator, EventInputDeliversFrameTAtStepT) {
  // Frames N×T×1 (2 samples, 3 frames) → IF (V_th 1.5) → spike counts per
  // step: the neuron sees frame t at step t, nothing after the last frame.
  Network net = neuronNet(1.5f, 1.0f, Reset::Subtract, 0);
  net.layers[0].kind = LayerKind::EncodeEvents;
  net.inputShapes = {{-1, 3, 1}};
  SimOptions o;
  o.checkpoints = {1, 2, 3, 4, 5, 6};
  SimResult r;
  Tensor frames({2, 3, 1}, std::vector<float>{2, 0, 1, 0, 1, 1});
  ASSERT_EQ(simulate(net, {frames}, o, r), "");
  // Sample 0: u = 2 → spike (0.5), 0.5, 1.5 → spike (0), then nothing.
  // Sample 1: u = 0, 1, 2 → spike (0.5), then nothing.
  std::vector<float> want0 = {1, 1, 2, 2, 2, 2}, want1 = {0, 0, 1, 1, 1, 1};
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(r.outputs[k][0].data[0], want0[k]) << "step " << k + 1;
    EXPECT_EQ(r.outputs[k][0].data[1], want1[k]) << "step " << k + 1;
  }
  // The input layer counts its nonzero event counts as spikes.
  EXPECT_EQ(r.layers[0].spikes, 4.0);
  // The ANN view sees the mean frame.
  std::vector<Tensor> values;
  ASSERT_EQ(annView(net, {frames}, values), "");
  EXPECT_FLOAT_EQ(values[net.layers[0].output].data[0], 1.0f);
  EXPECT_FLOAT_EQ(values[net.layers[0].output].data[1], 2.0f / 3.0f);
}
