// RUN: snn-opt %s --convert-nn-to-snn="encoding=ttfs" --split-input-file -verify-diagnostics
// RUN: not snn-opt %s --convert-nn-to-snn="encoding=ttfs t-max=0" 2>&1 | FileCheck %s --check-prefix=TMAX
// RUN: not snn-opt %s --convert-nn-to-snn="encoding=rank" 2>&1 | FileCheck %s --check-prefix=ENC

// RUN: not snn-opt %s --convert-nn-to-snn="encoding=ttfs t-max=inf" 2>&1 | FileCheck %s --check-prefix=TMAX-INF

// TMAX: error: convert-nn-to-snn: t-max and tau must be positive and finite, got t-max = 0.000000, tau = 1.000000
// TMAX-INF: error: convert-nn-to-snn: t-max and tau must be positive and finite, got t-max = inf
// ENC: error: convert-nn-to-snn: encoding must be 'poisson', 'direct', 'events' or 'ttfs', got 'rank'

func.func @pooled(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32> {
  // expected-error @+1 {{'nn.avg_pool' op has no spiking form: average pooling has no exact time-to-first-spike form (max pooling has: the earliest spike of each window); use max pooling or strided convolutions}}
  %p = nn.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32>
  return %p : tensor<?x1x2x2xf32>
}
