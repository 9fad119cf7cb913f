// The registered pipeline folds, converts and balances in one go.
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\000\200\377\063\377\000\000\000' > %t/train-images-idx3-ubyte
// RUN: printf '\000\000\010\001\000\000\000\002\001\000' > %t/train-labels-idx1-ubyte
// RUN: snn-opt %s --snn-rate-pipeline="timesteps=16 data=%t samples=2 percentile=100 per-channel=false" | FileCheck %s
// Defaults: direct input, neurons starting at half their threshold,
// per-channel thresholds (λ = 2 and 2·128/255).
// RUN: snn-opt %s --snn-rate-pipeline="data=%t samples=2 percentile=100" | FileCheck %s --check-prefix=DEFAULTS

// CHECK-LABEL: func.func @main
// CHECK-SAME: snn.time = #snn.discrete<timesteps = 16, dt = 1.000000e+00>
// CHECK: snn.encode_direct
// CHECK: snn.dense
// CHECK: snn.if %{{.*}} {initial_potential = 5.000000e-01 : f32, threshold = array<f32: 2.000000e+00>}
// CHECK: snn.accumulate
// CHECK-NOT: nn.batch_norm
// CHECK-NOT: nn.relu

// DEFAULTS-LABEL: func.func @main
// DEFAULTS-SAME: snn.time = #snn.discrete<timesteps = 32
// DEFAULTS: snn.encode_direct
// DEFAULTS: snn.if %{{.*}} {initial_potential = 5.000000e-01 : f32, threshold = array<f32: 2.000000e+00, 1.00392163>}

// Batch-norm (k = 2) folds into the gemm: the hidden activations are
// 2·{0, 1} and 2·{128/255, 0}, so λ = 2.
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w1 = nn.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %two = nn.constant dense<2.0> : tensor<2xf32>
  %zero = nn.constant dense<0.0> : tensor<2xf32>
  %one = nn.constant dense<1.0> : tensor<2xf32>
  %w2 = nn.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %h = nn.gemm %x, %w1 {transB = true} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  %bn = nn.batch_norm %h, %two, %zero, %zero, %one {epsilon = 0.0 : f32}
      : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %r = nn.relu %bn : tensor<?x2xf32>
  %o = nn.gemm %r, %w2 {transB = true} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %o : tensor<?x2xf32>
}
