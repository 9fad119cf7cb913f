// RUN: snn-opt %s --snn-lower-to-step="prefix=t" | FileCheck %s

// A convolutional TTFS layer compiles as the runtime's event-driven
// convolution (buildSynapses; spike for spike what its convForward
// computes): a synapse table with one row per input pixel listing the 2×2
// neurons it reaches and the kernel entry of each, and a last row for the
// channel bias; no dense weight table. The flatten before the dense layer is
// free.

// Rows: pixel (0,0) reaches neuron 0 with k00 = 1; pixel (0,1) neurons 0, 1
// with k01 = 2, k00 = 1; pixel (1,1) all four with k11, k10, k01, k00 =
// 4, 3, 2, 1; ...; then the bias 0.5 on every neuron.
// CHECK: memref.global "private" constant @t_const0 : memref<4xf32> = dense<1.000000e+00>
// CHECK: memref.global "private" constant @t_const1 : memref<11xi64> = dense<[0, 1, 3, 4, 6, 10, 12, 13, 15, 16, 20]>
// CHECK: memref.global "private" constant @t_const2 : memref<20xi32> = dense<[0, 0, 1, 1, 0, 2, 0, 1, 2, 3, 1, 3, 2, 2, 3, 3, 0, 1, 2, 3]>
// CHECK: memref.global "private" constant @t_const3 : memref<20xf32> = dense<[1.000000e+00, 2.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 1.000000e+00, 4.000000e+00, 3.000000e+00, 2.000000e+00, 1.000000e+00, 4.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01]>
// The dense layer's transposed weights (4 inputs + bias row) × 2 neurons.
// CHECK: memref.global "private" constant @t_const5 : memref<10xf32>
// CHECK-NOT: memref<40xf32>
// CHECK: func.func @t_step
// Each input's row of synapses, then per neuron the bisection for the
// check at which it crossed V_th.
// CHECK: memref.load %{{.*}} : memref<11xi64>
// CHECK: memref.load %{{.*}} : memref<20xi32>
// CHECK: scf.while
func.func @main(%x: tensor<?x1x3x3xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.continuous<t_max = 4.0>} {
  %k = nn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %kb = nn.constant dense<[0.5]> : tensor<1xf32>
  %w = nn.constant dense<[[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]]> : tensor<2x4xf32>
  %s = snn.encode_ttfs %x {tau = 1.0 : f32} : tensor<?x1x3x3xf32> -> !snn.spikes<?x1x3x3>
  %c = snn.conv2d %s, %k, %kb {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : !snn.spikes<?x1x3x3>, tensor<1x1x2x2xf32>, tensor<1xf32> -> !snn.current<?x1x2x2>
  %h = snn.ttfs_neuron %c {threshold = array<f32: 1.0>} : !snn.current<?x1x2x2> -> !snn.spikes<?x1x2x2>
  %f = snn.flatten %h {axis = 1 : i64} : !snn.spikes<?x1x2x2> -> !snn.spikes<?x4>
  %i = snn.dense %f, %w : !snn.spikes<?x4>, tensor<2x4xf32> -> !snn.current<?x2>
  %o = snn.ttfs_neuron %i {threshold = array<f32: 1.0>} : !snn.current<?x2> -> !snn.spikes<?x2>
  %t = snn.first_spike %o : !snn.spikes<?x2> -> tensor<?x2xf32>
  return %t : tensor<?x2xf32>
}
