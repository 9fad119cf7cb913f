// Per-channel bias correction, on the two 2×2 images of
// snn-threshold-balance.mlir: pixel bytes {0, 128, 255, 51} and
// {255, 0, 0, 0}.
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\000\200\377\063\377\000\000\000' > %t/train-images-idx3-ubyte
// RUN: printf '\000\000\010\001\000\000\000\002\001\000' > %t/train-labels-idx1-ubyte
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2 percentile=100 bias-correction=1" 2>%t/remarks | FileCheck %s --check-prefix=ONE
// RUN: FileCheck %s --check-prefix=REMARK < %t/remarks
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2 percentile=100 bias-correction=2" 2>/dev/null | FileCheck %s --check-prefix=TWO
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2 percentile=100" | FileCheck %s --check-prefix=NONE
// RUN: not snn-opt %s --snn-threshold-balance="data=%t bias-correction=-1" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: snn-opt %s --snn-threshold-balance="data=%t samples=2 percentile=100 bias-correction=2 bias-correction-mode=joint" 2>/dev/null | FileCheck %s --check-prefix=TWO
// RUN: not snn-opt %s --snn-threshold-balance="data=%t bias-correction-mode=often" 2>&1 | FileCheck %s --check-prefix=MODE

// The hidden layer copies pixels 0 and 1 (λ = 1, threshold 1, T = 8). Its
// rate ANN fires channel 1 at 128/255 on the first image and 0 on the
// second: mean 0.25098. The IF neuron integrates 8·128/255 = 4.016 and
// fires 4 times (rate 0.5): mean 0.25. One round adds the difference,
// 0.00098 times the threshold, to channel 1's bias; channel 0 (rates 0 and
// 1) is exact. The correction is too small to change a spike count, so a
// second round adds it again. With one corrected layer, joint correction
// is the same.
// ONE: %[[B:.*]] = nn.constant dense<[0.000000e+00, {{9\.804[0-9]*E-4}}]> : tensor<2xf32>
// ONE: snn.dense %{{.*}}, %{{.*}}, %[[B]]
// REMARK: remark: bias correction (layer-wise): 1 rounds over 1 layers on 2 images at T = 8 (mean per-channel rate error before: 4.9{{[0-9]*}}e-04)
// TWO: %[[B:.*]] = nn.constant dense<[0.000000e+00, {{0\.00196[0-9]*}}]> : tensor<2xf32>
// TWO: snn.dense %{{.*}}, %{{.*}}, %[[B]]
// NONE: %[[B:.*]] = nn.constant dense<0.000000e+00> : tensor<2xf32>
// NONE: snn.dense %{{.*}}, %{{.*}}, %[[B]]
// RANGE: error: snn-threshold-balance: bias-correction takes 0 to 16 rounds, got -1
// MODE: error: snn-threshold-balance: bias-correction-mode must be auto, layerwise or joint, not 'often'

func.func @main(%x: tensor<?x4xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w1 = nn.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %b1 = nn.constant dense<0.0> : tensor<2xf32>
  %w2 = nn.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %s0 = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i1 = snn.dense %s0, %w1, %b1 : !snn.current<?x4>, tensor<2x4xf32>, tensor<2xf32> -> !snn.current<?x2>
  %s1 = snn.if %i1 {threshold = array<f32: 1.0>} : !snn.current<?x2> -> !snn.spikes<?x2>
  %i2 = snn.dense %s1, %w2 : !snn.spikes<?x2>, tensor<2x2xf32> -> !snn.current<?x2>
  %o = snn.accumulate %i2 : !snn.current<?x2> -> tensor<?x2xf32>
  return %o : tensor<?x2xf32>
}
