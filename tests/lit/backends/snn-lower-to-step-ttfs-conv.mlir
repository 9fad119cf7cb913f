// RUN: snn-opt %s --snn-lower-to-step="prefix=t" | FileCheck %s

// A convolutional TTFS layer compiles as its dense form (transposedWeights,
// spike for spike what the runtime's event-driven convolution computes): the
// transposed weight global has one row per input pixel with the
// kernel entries that reach each of the 2×2 neurons (zero elsewhere) and the
// channel bias as its last row; the flatten before the dense layer is free.

// Rows of @t_const0: pixel (0,0) reaches neuron (0,0) with k00 = 1; pixel
// (0,1) neurons (0,0), (0,1) with k01 = 2, k00 = 1; pixel (1,1) all four
// with k11, k10, k01, k00 = 4, 3, 2, 1; then the bias 0.5 on every neuron.
// CHECK: memref.global "private" constant @t_const0 : memref<40xf32> = dense<[1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 2.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00, 3.000000e+00, 0.000000e+00, 1.000000e+00, 0.000000e+00, 4.000000e+00, 3.000000e+00, 2.000000e+00, 1.000000e+00, 0.000000e+00, 4.000000e+00, 0.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 4.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 4.000000e+00, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01]>
// CHECK: memref.global "private" constant @t_const2 : memref<10xf32>
// CHECK: func.func @t_step
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
