// RUN: snn-opt %s --convert-nn-to-snn="encoding=ttfs t-max=3 tau=2 threshold=0.5" | FileCheck %s

// An MLP becomes a time-to-first-spike network in continuous time: the
// input is spike-time encoded, hidden and output layers are TTFS neurons,
// the result is the time of each output's first spike.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x2x2xf32>) -> tensor<?x3xf32>
// CHECK-SAME: snn.time = #snn.continuous<t_max = 3.000000e+00>
// CHECK: %[[S0:.*]] = snn.encode_ttfs %[[X]] {tau = 2.000000e+00 : f32} : tensor<?x1x2x2xf32> -> !snn.spikes<?x1x2x2>
// CHECK: %[[F:.*]] = snn.flatten %[[S0]] : !snn.spikes<?x1x2x2> -> !snn.spikes<?x4>
// CHECK: %[[I1:.*]] = snn.dense %[[F]], %{{.*}}, %{{.*}} : !snn.spikes<?x4>, tensor<5x4xf32>, tensor<5xf32> -> !snn.current<?x5>
// CHECK: %[[S1:.*]] = snn.ttfs_neuron %[[I1]] {tau = 2.000000e+00 : f32, threshold = array<f32: 5.000000e-01>} : !snn.current<?x5> -> !snn.spikes<?x5>
// CHECK: %[[I2:.*]] = snn.dense %[[S1]], %{{.*}} : !snn.spikes<?x5>, tensor<3x5xf32> -> !snn.current<?x3>
// CHECK: %[[S2:.*]] = snn.ttfs_neuron %[[I2]] {tau = 2.000000e+00 : f32, threshold = array<f32: 5.000000e-01>} : !snn.current<?x3> -> !snn.spikes<?x3>
// CHECK: %[[O:.*]] = snn.first_spike %[[S2]] : !snn.spikes<?x3> -> tensor<?x3xf32>
// CHECK: return %[[O]]
// CHECK-NOT: snn.if
// CHECK-NOT: snn.accumulate
func.func @mlp(%x: tensor<?x1x2x2xf32>) -> tensor<?x3xf32> {
  %f = nn.flatten %x : (tensor<?x1x2x2xf32>) -> tensor<?x4xf32>
  %w1 = nn.constant dense<0.5> : tensor<5x4xf32>
  %b1 = nn.constant dense<0.1> : tensor<5xf32>
  %h = nn.gemm %f, %w1, %b1 {transB = true} : (tensor<?x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %r = nn.relu %h : tensor<?x5xf32>
  %w2 = nn.constant dense<0.25> : tensor<5x3xf32>
  %o = nn.matmul %r, %w2 : (tensor<?x5xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
  return %o : tensor<?x3xf32>
}


// A CNN: convolutions keep their form, ReLUs become TTFS neurons, a max
// pooling of spikes becomes snn.max_pool (in continuous time the earliest
// spike of each window passes).
// CHECK-LABEL: func.func @cnn
// CHECK: %[[E:.*]] = snn.encode_ttfs
// CHECK: %[[C:.*]] = snn.conv2d %[[E]], %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !snn.spikes<?x1x4x4>, tensor<2x1x3x3xf32> -> !snn.current<?x2x4x4>
// CHECK: %[[N:.*]] = snn.ttfs_neuron %[[C]]
// CHECK: %[[P:.*]] = snn.max_pool %[[N]] {{.*}} : !snn.spikes<?x2x4x4> -> !snn.spikes<?x2x2x2>
// CHECK: snn.flatten %[[P]] : !snn.spikes<?x2x2x2> -> !snn.spikes<?x8>
// CHECK: snn.first_spike
func.func @cnn(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w = nn.constant dense<0.2> : tensor<2x1x3x3xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32>
  %r = nn.relu %c : tensor<?x2x4x4xf32>
  %p = nn.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32>
  %f = nn.flatten %p : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
  %w2 = nn.constant dense<0.25> : tensor<8x3xf32>
  %o = nn.matmul %f, %w2 : (tensor<?x8xf32>, tensor<8x3xf32>) -> tensor<?x3xf32>
  return %o : tensor<?x3xf32>
}
