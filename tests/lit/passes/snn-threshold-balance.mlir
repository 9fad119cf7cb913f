// Thresholds and synapse scaling from calibration data, on a data set of two
// 2×2 images written here: pixel bytes {0, 128, 255, 51} and {255, 0, 0, 0}.
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\000\200\377\063\377\000\000\000' > %t/train-images-idx3-ubyte
// RUN: printf '\000\000\010\001\000\000\000\002\001\000' > %t/train-labels-idx1-ubyte
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2 percentile=100" | FileCheck %s --check-prefix=LAYER
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2 percentile=100 per-channel=true scale=0.5" | FileCheck %s --check-prefix=CHANNEL
// RUN: not snn-opt %s --snn-threshold-balance="data=%t/missing" 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not snn-opt %s --snn-threshold-balance="data=%t method=guess" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not snn-opt %s --snn-threshold-balance="data=%t normalize=imagenet mean=0.5" 2>&1 | FileCheck %s --check-prefix=NORMALIZE
// RUN: not snn-opt %s --snn-threshold-balance="data=%t channel-order=grb" 2>&1 | FileCheck %s --check-prefix=ORDER

// The hidden layer copies pixels 0 and 1: ANN activations {0, 1} and
// {128/255, 0}. Per layer, λ = max = 1: threshold 1, and each hidden spike
// stands for 1, so the readout weights stay.
// LAYER: snn.if %{{.*}} {threshold = array<f32: 1.000000e+00>}
// LAYER: %[[W:.*]] = nn.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// LAYER: snn.dense %{{.*}}, %[[W]]

// Per channel, λ = {1, 0.50196}; thresholds are scale · λ and the readout
// weights take the units of the spikes they receive (0.5 · λ).
// CHANNEL: snn.if %{{.*}} {threshold = array<f32: 5.000000e-01, 0.250980407>}
// CHANNEL: %[[W:.*]] = nn.constant dense<{{\[\[}}5.000000e-01, 0.000000e+00], [0.000000e+00, 0.250980407]]> : tensor<2x2xf32>
// CHANNEL: snn.dense %{{.*}}, %[[W]]

// NODATA: error: snn-threshold-balance: {{.*}}missing: no such folder
// METHOD: error: snn-threshold-balance: method must be 'activation' or 'spike', got 'guess'
// NORMALIZE: error: snn-threshold-balance: normalize and mean/std exclude each other
// ORDER: error: snn-threshold-balance: channel-order must be rgb or bgr, not 'grb'

func.func @main(%x: tensor<?x4xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w1 = nn.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %w2 = nn.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %s0 = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i1 = snn.dense %s0, %w1 : !snn.current<?x4>, tensor<2x4xf32> -> !snn.current<?x2>
  %s1 = snn.if %i1 {threshold = array<f32: 1.0>} : !snn.current<?x2> -> !snn.spikes<?x2>
  %i2 = snn.dense %s1, %w2 : !snn.spikes<?x2>, tensor<2x2xf32> -> !snn.current<?x2>
  %o = snn.accumulate %i2 : !snn.current<?x2> -> tensor<?x2xf32>
  return %o : tensor<?x2xf32>
}
