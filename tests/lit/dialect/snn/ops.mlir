// RUN: snn-opt %s | snn-opt | FileCheck %s
// RUN: snn-opt %s --mlir-print-op-generic | snn-opt | FileCheck %s

// A rate-coded VGG-like network: every synapse, neuron and readout op.
// CHECK-LABEL: func.func @rate_coded
// CHECK-SAME: snn.time = #snn.discrete<timesteps = 32, dt = 1.000000e+00>
func.func @rate_coded(%img: tensor<?x1x28x28xf32>, %w1: tensor<8x1x3x3xf32>,
                      %b1: tensor<8xf32>, %w2: tensor<10x392xf32>)
    -> tensor<?x10xf32> attributes {snn.time = #snn.discrete<timesteps = 32>} {
  // CHECK: snn.encode_poisson %{{.*}} {seed = 7 : i64} : tensor<?x1x28x28xf32> -> !snn.spikes<?x1x28x28>
  %x = snn.encode_poisson %img {seed = 7 : i64} : tensor<?x1x28x28xf32> -> !snn.spikes<?x1x28x28>
  // CHECK: snn.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !snn.spikes<?x1x28x28>, tensor<8x1x3x3xf32>, tensor<8xf32> -> !snn.current<?x8x28x28>
  %i1 = snn.conv2d %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : !snn.spikes<?x1x28x28>, tensor<8x1x3x3xf32>, tensor<8xf32> -> !snn.current<?x8x28x28>
  // CHECK: snn.if %{{.*}} {refractory = 2 : i64, reset = #snn.reset<zero>, threshold = array<f32: 1.500000e+00>} : !snn.current<?x8x28x28> -> !snn.spikes<?x8x28x28>
  %s1 = snn.if %i1 {threshold = array<f32: 1.5>, reset = #snn.reset<zero>, refractory = 2 : i64}
      : !snn.current<?x8x28x28> -> !snn.spikes<?x8x28x28>
  // CHECK: snn.avg_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !snn.spikes<?x8x28x28> -> !snn.current<?x8x14x14>
  %p1 = snn.avg_pool %s1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : !snn.spikes<?x8x28x28> -> !snn.current<?x8x14x14>
  // CHECK: snn.lif %{{.*}} {leak = 9.900000e-01 : f32, threshold = array<f32: 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00>}
  %s2 = snn.lif %p1 {threshold = array<f32: 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0>, leak = 0.99 : f32}
      : !snn.current<?x8x14x14> -> !snn.spikes<?x8x14x14>
  // CHECK: snn.max_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !snn.spikes<?x8x14x14> -> !snn.spikes<?x8x7x7>
  %m = snn.max_pool %s2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : !snn.spikes<?x8x14x14> -> !snn.spikes<?x8x7x7>
  // CHECK: snn.flatten %{{.*}} : !snn.spikes<?x8x7x7> -> !snn.spikes<?x392>
  %f = snn.flatten %m : !snn.spikes<?x8x7x7> -> !snn.spikes<?x392>
  // CHECK: snn.dense %{{.*}}, %{{.*}} : !snn.spikes<?x392>, tensor<10x392xf32> -> !snn.current<?x10>
  %i3 = snn.dense %f, %w2 : !snn.spikes<?x392>, tensor<10x392xf32> -> !snn.current<?x10>
  // CHECK: snn.accumulate %{{.*}} : !snn.current<?x10> -> tensor<?x10xf32>
  %o = snn.accumulate %i3 : !snn.current<?x10> -> tensor<?x10xf32>
  return %o : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @residual_direct
func.func @residual_direct(%img: tensor<4x16xf32>, %w: tensor<16x16xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  // CHECK: snn.encode_direct %{{.*}} : tensor<4x16xf32> -> !snn.current<4x16>
  %c = snn.encode_direct %img : tensor<4x16xf32> -> !snn.current<4x16>
  %s = snn.if %c {threshold = array<f32: 1.0>} : !snn.current<4x16> -> !snn.spikes<4x16>
  %i = snn.dense %s, %w : !snn.spikes<4x16>, tensor<16x16xf32> -> !snn.current<4x16>
  // CHECK: snn.add %{{.*}}, %{{.*}} : !snn.current<4x16>, !snn.spikes<4x16> -> !snn.current<4x16>
  %r = snn.add %i, %s : !snn.current<4x16>, !snn.spikes<4x16> -> !snn.current<4x16>
  %s2 = snn.if %r {threshold = array<f32: 1.0>} : !snn.current<4x16> -> !snn.spikes<4x16>
  // CHECK: snn.spike_rate %{{.*}} : !snn.spikes<4x16> -> tensor<4x16xf32>
  %rate = snn.spike_rate %s2 : !snn.spikes<4x16> -> tensor<4x16xf32>
  // CHECK: snn.first_spike %{{.*}} : !snn.spikes<4x16> -> tensor<4x16xf32>
  %first = snn.first_spike %s2 : !snn.spikes<4x16> -> tensor<4x16xf32>
  return %rate, %first : tensor<4x16xf32>, tensor<4x16xf32>
}

// CHECK-LABEL: func.func @ttfs
// CHECK-SAME: snn.time = #snn.continuous<t_max = 2.000000e+00>
func.func @ttfs(%img: tensor<?x784xf32>, %w: tensor<400x784xf32>) -> tensor<?x400xf32>
    attributes {snn.time = #snn.continuous<t_max = 2.0>} {
  // CHECK: snn.encode_ttfs %{{.*}} {tau = 5.000000e-01 : f32} : tensor<?x784xf32> -> !snn.spikes<?x784>
  %x = snn.encode_ttfs %img {tau = 0.5 : f32} : tensor<?x784xf32> -> !snn.spikes<?x784>
  %i = snn.dense %x, %w : !snn.spikes<?x784>, tensor<400x784xf32> -> !snn.current<?x400>
  // CHECK: snn.ttfs_neuron %{{.*}} {threshold = array<f32: 1.000000e+00>} : !snn.current<?x400> -> !snn.spikes<?x400>
  %s = snn.ttfs_neuron %i {threshold = array<f32: 1.0>} : !snn.current<?x400> -> !snn.spikes<?x400>
  %t = snn.first_spike %s : !snn.spikes<?x400> -> tensor<?x400xf32>
  return %t : tensor<?x400xf32>
}

// CHECK-LABEL: func.func @events
func.func @events(%frames: tensor<?x16x2x34x34xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x32x32xf32>
    attributes {snn.time = #snn.discrete<timesteps = 16, dt = 1.0e-3>} {
  // CHECK: snn.encode_events %{{.*}} : tensor<?x16x2x34x34xf32> -> !snn.spikes<?x2x34x34>
  %x = snn.encode_events %frames : tensor<?x16x2x34x34xf32> -> !snn.spikes<?x2x34x34>
  %i = snn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : !snn.spikes<?x2x34x34>, tensor<4x2x3x3xf32> -> !snn.current<?x4x32x32>
  %s = snn.lif %i {threshold = array<f32: 0.5>, leak = 0.9 : f32, reset = #snn.reset<zero>}
      : !snn.current<?x4x32x32> -> !snn.spikes<?x4x32x32>
  %r = snn.spike_rate %s : !snn.spikes<?x4x32x32> -> tensor<?x4x32x32xf32>
  return %r : tensor<?x4x32x32xf32>
}

// CHECK-LABEL: func.func @concat
func.func @concat(%a: !snn.spikes<?x4x8x8>, %b: !snn.spikes<?x2x8x8>, %c: !snn.current<?x3x8x8>, %d: !snn.current<?x3x8x8>) -> (!snn.spikes<?x6x8x8>, !snn.current<?x3x8x16>) {
  // CHECK: snn.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : !snn.spikes<?x4x8x8>, !snn.spikes<?x2x8x8> -> !snn.spikes<?x6x8x8>
  // CHECK: snn.concat %{{.*}}, %{{.*}} {axis = -1 : i64} : !snn.current<?x3x8x8>, !snn.current<?x3x8x8> -> !snn.current<?x3x8x16>
  %s = snn.concat %a, %b {axis = 1 : i64} : !snn.spikes<?x4x8x8>, !snn.spikes<?x2x8x8> -> !snn.spikes<?x6x8x8>
  %i = snn.concat %c, %d {axis = -1 : i64} : !snn.current<?x3x8x8>, !snn.current<?x3x8x8> -> !snn.current<?x3x8x16>
  return %s, %i : !snn.spikes<?x6x8x8>, !snn.current<?x3x8x16>
}

// CHECK-LABEL: func.func @gather_channels
func.func @gather_channels(%a: !snn.spikes<?x4x8x8>) -> !snn.spikes<?x2x8x8> {
  // CHECK: snn.gather_channels %{{.*}} {indices = array<i64: 3, 1>} : !snn.spikes<?x4x8x8> -> !snn.spikes<?x2x8x8>
  %s = snn.gather_channels %a {indices = array<i64: 3, 1>} : !snn.spikes<?x4x8x8> -> !snn.spikes<?x2x8x8>
  return %s : !snn.spikes<?x2x8x8>
}
