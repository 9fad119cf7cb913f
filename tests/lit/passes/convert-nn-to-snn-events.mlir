// RUN: snn-opt %s --convert-nn-to-snn="encoding=events timesteps=6" -split-input-file -verify-diagnostics | FileCheck %s

// encoding=events: a network built for one 2×8×8 frame takes T = 6 frames
// per sample, N×T×C×H×W, read one per step by snn.encode_events.

// CHECK-LABEL: func.func @events(
// CHECK-SAME:      %[[X:.*]]: tensor<?x6x2x8x8xf32>) -> tensor<?x3xf32>
// CHECK-SAME:      attributes {snn.time = #snn.discrete<timesteps = 6, dt = 1.000000e+00>}
// CHECK: %[[S:.*]] = snn.encode_events %[[X]] : tensor<?x6x2x8x8xf32> -> !snn.spikes<?x2x8x8>
// CHECK: snn.conv2d %[[S]]
// CHECK: snn.if
// CHECK: snn.accumulate
func.func @events(%x: tensor<?x2x8x8xf32>) -> tensor<?x3xf32> {
  %w = nn.constant dense<0.1> : tensor<4x2x3x3xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x4x4xf32>
  %r = nn.relu %c : tensor<?x4x4x4xf32>
  %f = nn.flatten %r : (tensor<?x4x4x4xf32>) -> tensor<?x64xf32>
  %w2 = nn.constant dense<0.05> : tensor<3x64xf32>
  %g = nn.gemm %f, %w2 {transB = true} : (tensor<?x64xf32>, tensor<3x64xf32>) -> tensor<?x3xf32>
  return %g : tensor<?x3xf32>
}

// -----

// expected-error @below {{encoding=events needs image inputs (N×C×H×W, e.g. C = 2 ON/OFF channels); argument #0 is 'tensor<?x64xf32>'}}
func.func @mlp(%x: tensor<?x64xf32>) -> tensor<?x3xf32> {
  %w2 = nn.constant dense<0.05> : tensor<3x64xf32>
  %g = nn.gemm %x, %w2 {transB = true} : (tensor<?x64xf32>, tensor<3x64xf32>) -> tensor<?x3xf32>
  return %g : tensor<?x3xf32>
}
