// TTFS thresholds searched on calibration data: two 2×2 images written here,
// pixel bytes {0, 128, 255, 51} (label 1) and {255, 0, 0, 0} (label 0).
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\000\200\377\063\377\000\000\000' > %t/train-images-idx3-ubyte
// RUN: printf '\000\000\010\001\000\000\000\002\001\000' > %t/train-labels-idx1-ubyte
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2" -verify-diagnostics | FileCheck %s
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2 scale=0.5" 2>&1 | FileCheck %s --check-prefix=SCALE
// RUN: not snn-opt %s --snn-threshold-balance="data=%t samples=2 method=spike" 2>&1 | FileCheck %s --check-prefix=SPIKE

// Output k copies pixel k: a pixel x > 0 spikes at t = 1 − x (x = 0 never),
// so output k fires at t_k = 1 − x_k + V_th when that is before t_max = 4.
// At V_th = 16 nothing fires (no answer right). From factor 2^-3 down both
// answers are right; the silent output of each image counts as t_max in the
// loss, so a lower threshold (an earlier right spike) keeps lowering it:
// the coarse round ends at 2^-6 and each finer round goes one step further
// down, 2^-6 · 2^-1/2 · 2^-1/4 · 2^-1/8 = 2^-6.875: V_th = 0.13631.
// CHECK: snn.ttfs_neuron %{{.*}} {threshold = array<f32: 0.136313468>}

// `scale` multiplies the factor found.
// SCALE: remark: TTFS thresholds scaled by 0.00426 (layer by layer): calibration accuracy 0 % -> 100 % on 2 images
// SCALE: snn.ttfs_neuron %{{.*}} {threshold = array<f32: 0.0681567341>}

// SPIKE: error: snn-threshold-balance: method=spike needs a discrete-time network

// expected-remark @+1 {{TTFS thresholds scaled by 0.00852 (layer by layer): calibration accuracy 0 % -> 100 % on 2 images}}
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.continuous<t_max = 4.0>} {
  %w = nn.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %s0 = snn.encode_ttfs %x : tensor<?x4xf32> -> !snn.spikes<?x4>
  %i1 = snn.dense %s0, %w : !snn.spikes<?x4>, tensor<2x4xf32> -> !snn.current<?x2>
  %s1 = snn.ttfs_neuron %i1 {threshold = array<f32: 16.0>} : !snn.current<?x2> -> !snn.spikes<?x2>
  %t = snn.first_spike %s1 : !snn.spikes<?x2> -> tensor<?x2xf32>
  return %t : tensor<?x2xf32>
}
