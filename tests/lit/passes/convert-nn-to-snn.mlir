// RUN: snn-opt %s --convert-nn-to-snn --split-input-file | FileCheck %s
// RUN: snn-opt %s --convert-nn-to-snn="neuron=lif leak=0.9 reset=zero encoding=direct timesteps=8 threshold=0.5 initial-potential=0.5" --split-input-file | FileCheck %s --check-prefix=OPTS

// A VGG-like network: every layer gets its spiking form.
// CHECK-LABEL: func.func @cnn
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x8x8xf32>) -> tensor<?x10xf32>
// CHECK-SAME: snn.time = #snn.discrete<timesteps = 32, dt = 1.000000e+00>
// CHECK: %[[S0:.*]] = snn.encode_poisson %[[X]] {seed = 0 : i64} : tensor<?x1x8x8xf32> -> !snn.spikes<?x1x8x8>
// CHECK: %[[I1:.*]] = snn.conv2d %[[S0]], %{{.*}}, %{{.*}} {{.*}} -> !snn.current<?x4x8x8>
// CHECK: %[[S1:.*]] = snn.if %[[I1]] {threshold = array<f32: 1.000000e+00>} : !snn.current<?x4x8x8> -> !snn.spikes<?x4x8x8>
// CHECK: %[[M:.*]] = snn.max_pool %[[S1]] {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !snn.spikes<?x4x8x8> -> !snn.spikes<?x4x4x4>
// CHECK: %[[P:.*]] = snn.avg_pool %[[M]] {{.*}} : !snn.spikes<?x4x4x4> -> !snn.current<?x4x2x2>
// CHECK: %[[F:.*]] = snn.flatten %[[P]] : !snn.current<?x4x2x2> -> !snn.current<?x16>
// CHECK: %[[W:.*]] = nn.constant dense<{{.*}}> : tensor<10x16xf32>
// CHECK: %[[B:.*]] = nn.constant dense<{{.*}}> : tensor<10xf32>
// CHECK: %[[I2:.*]] = snn.dense %[[F]], %[[W]], %[[B]] : !snn.current<?x16>, tensor<10x16xf32>, tensor<10xf32> -> !snn.current<?x10>
// CHECK: %[[O:.*]] = snn.accumulate %[[I2]] : !snn.current<?x10> -> tensor<?x10xf32>
// CHECK: return %[[O]]
// CHECK-NOT: nn.relu
// CHECK-NOT: nn.softmax

// OPTS-LABEL: func.func @cnn
// OPTS-SAME: snn.time = #snn.discrete<timesteps = 8, dt = 1.000000e+00>
// OPTS: snn.encode_direct %{{.*}} : tensor<?x1x8x8xf32> -> !snn.current<?x1x8x8>
// OPTS: snn.lif %{{.*}} {initial_potential = 5.000000e-01 : f32, leak = 0.899999976 : f32, reset = #snn.reset<zero>, threshold = array<f32: 5.000000e-01>}
func.func @cnn(%x: tensor<?x1x8x8xf32>) -> tensor<?x10xf32> {
  %w = nn.constant dense<0.1> : tensor<4x1x3x3xf32>
  %b = nn.constant dense<0.0> : tensor<4xf32>
  %c = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %r = nn.relu %c : tensor<?x4x8x8xf32>
  %m = nn.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  %z = nn.pad %m {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %p = nn.avg_pool %z {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<?x4x4x4xf32>) -> tensor<?x4x2x2xf32>
  %f = nn.flatten %p : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  %d = nn.dropout %f : tensor<?x16xf32>
  %w2 = nn.constant dense<0.2> : tensor<10x16xf32>
  %b2 = nn.constant dense<0.5> : tensor<10xf32>
  %g = nn.gemm %d, %w2, %b2 {transB = true} : (tensor<?x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %s = nn.softmax %g : tensor<?x10xf32>
  return %s : tensor<?x10xf32>
}

// -----

// Residual block: the shortcut's spikes and the branch's current add up.
// CHECK-LABEL: func.func @residual
// CHECK: %[[S:.*]] = snn.if
// CHECK: %[[C:.*]] = snn.conv2d %[[S]]
// CHECK: %[[A:.*]] = snn.add %[[C]], %[[S]] : !snn.current<1x2x4x4>, !snn.spikes<1x2x4x4> -> !snn.current<1x2x4x4>
// CHECK: snn.if %[[A]]
// CHECK: snn.spike_rate
func.func @residual(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<0.1> : tensor<2x2x3x3xf32>
  %c0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %r0 = nn.relu %c0 : tensor<1x2x4x4xf32>
  %c1 = nn.conv2d %r0, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %a = nn.add %c1, %r0 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %r1 = nn.relu %a : tensor<1x2x4x4xf32>
  return %r1 : tensor<1x2x4x4xf32>
}

// -----

// Fire / Inception: branches of spikes joined along the channels.
// CHECK-LABEL: func.func @concat
// CHECK: %[[S:.*]] = snn.if
// CHECK: %[[A:.*]] = snn.if
// CHECK: %[[B:.*]] = snn.if
// CHECK: snn.concat %[[A]], %[[B]] {axis = 1 : i64} : !snn.spikes<1x2x4x4>, !snn.spikes<1x2x4x4> -> !snn.spikes<1x4x4x4>
func.func @concat(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.constant dense<0.1> : tensor<2x2x3x3xf32>
  %c0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %r0 = nn.relu %c0 : tensor<1x2x4x4xf32>
  %c1 = nn.conv2d %r0, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %r1 = nn.relu %c1 : tensor<1x2x4x4xf32>
  %c2 = nn.conv2d %r0, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %r2 = nn.relu %c2 : tensor<1x2x4x4xf32>
  %j = nn.concat %r1, %r2 {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %j : tensor<1x4x4x4xf32>
}

// -----

// DenseNet joins conv outputs (currents) with pooled spikes: a current.
// CHECK-LABEL: func.func @concat_mixed
// CHECK: %[[S:.*]] = snn.if
// CHECK: %[[C:.*]] = snn.conv2d %[[S]]
// CHECK: snn.concat %[[S]], %[[C]] {axis = 1 : i64} : !snn.spikes<1x2x4x4>, !snn.current<1x2x4x4> -> !snn.current<1x4x4x4>
func.func @concat_mixed(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.constant dense<0.1> : tensor<2x2x3x3xf32>
  %c0 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %r0 = nn.relu %c0 : tensor<1x2x4x4xf32>
  %c1 = nn.conv2d %r0, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %j = nn.concat %r0, %c1 {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %r = nn.relu %j : tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// -----

// ShuffleNet: x.chunk(2, 1) slices the channels, the channel shuffle
// (reshape, transpose, reshape) permutes them: output channel j·g + i is
// input channel i·(C/g) + j.
// CHECK-LABEL: func.func @shuffle
// CHECK: %[[S:.*]] = snn.if
// CHECK: %[[LO:.*]] = snn.gather_channels %[[S]] {indices = array<i64: 0, 1>} : !snn.spikes<?x4x2x2> -> !snn.spikes<?x2x2x2>
// CHECK: %[[HI:.*]] = snn.gather_channels %[[S]] {indices = array<i64: 2, 3>}
// CHECK: %[[J:.*]] = snn.concat %[[HI]], %[[LO]]
// CHECK: snn.gather_channels %[[J]] {indices = array<i64: 0, 2, 1, 3>} : !snn.spikes<?x4x2x2> -> !snn.spikes<?x4x2x2>
// CHECK-NOT: nn.transpose
func.func @shuffle(%x: tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32> {
  %w = nn.constant dense<0.1> : tensor<4x4x1x1xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x2x2xf32>
  %r = nn.relu %c : tensor<?x4x2x2xf32>
  %lo = nn.slice %r {starts = array<i64: 0>, ends = array<i64: 2>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<?x4x2x2xf32>) -> tensor<?x2x2x2xf32>
  %hi = nn.slice %r {starts = array<i64: 2>, ends = array<i64: 4>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<?x4x2x2xf32>) -> tensor<?x2x2x2xf32>
  %j = nn.concat %hi, %lo {axis = 1 : i64} : (tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %g = nn.reshape %j {shape = array<i64: 0, 2, 2, 2, 2>} : (tensor<?x4x2x2xf32>) -> tensor<?x2x2x2x2xf32>
  %t = nn.transpose %g {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<?x2x2x2x2xf32>) -> tensor<?x2x2x2x2xf32>
  %y = nn.reshape %t {shape = array<i64: 0, -1, 2, 2>} : (tensor<?x2x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  return %y : tensor<?x4x2x2xf32>
}

// -----

// MatMul + Add (as onnx.helper builds a linear layer): one dense synapse with
// the transposed weight and the bias; a final clip of the logits is dropped.
// CHECK-LABEL: func.func @matmul_bias
// CHECK: %[[W:.*]] = nn.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[B:.*]] = nn.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK: snn.dense %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: nn.add
// CHECK-NOT: nn.clip
func.func @matmul_bias(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = nn.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %m = nn.matmul %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %a = nn.add %m, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %c = nn.clip %a {min = -8.0 : f32, max = 8.0 : f32} : tensor<?x2xf32>
  return %c : tensor<?x2xf32>
}
