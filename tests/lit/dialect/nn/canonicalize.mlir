// RUN: snn-opt %s --canonicalize --split-input-file | FileCheck %s

// Inference no-ops fold away.
// CHECK-LABEL: func.func @no_ops
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NOT: nn.identity
// CHECK-NOT: nn.dropout
// CHECK: %[[R:.*]] = nn.relu %[[X]]
// CHECK: return %[[R]]
func.func @no_ops(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %a = nn.identity %x : tensor<?x8xf32>
  %b = nn.dropout %a {ratio = 0.3 : f32} : tensor<?x8xf32>
  %c = nn.relu %b : tensor<?x8xf32>
  return %c : tensor<?x8xf32>
}

// -----

// A static reshape to its own type folds; one with a dynamic result does not.
// CHECK-LABEL: func.func @reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>, %[[Y:.*]]: tensor<?x6xf32>)
// CHECK: %[[R:.*]] = nn.reshape %[[Y]]
// CHECK: return %[[X]], %[[R]]
func.func @reshapes(%x: tensor<2x6xf32>, %y: tensor<?x6xf32>) -> (tensor<2x6xf32>, tensor<?x6xf32>) {
  %a = nn.reshape %x {shape = array<i64: 2, 6>} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  %b = nn.reshape %y {shape = array<i64: -1, 6>} : (tensor<?x6xf32>) -> tensor<?x6xf32>
  return %a, %b : tensor<2x6xf32>, tensor<?x6xf32>
}

// -----

// Zero padding (as PyTorch exports before AveragePool) folds away.
// CHECK-LABEL: func.func @zero_pad
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[P:.*]] = nn.pad %[[X]] {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
// CHECK: return %[[X]], %[[P]]
func.func @zero_pad(%x: tensor<?x4x8x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x10x10xf32>) {
  %a = nn.pad %x {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %b = nn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x10x10xf32>
  return %a, %b : tensor<?x4x8x8xf32>, tensor<?x4x10x10xf32>
}

// -----

// Equal constants are deduplicated.
// CHECK-LABEL: func.func @constants
// CHECK-COUNT-1: nn.constant
// CHECK-NOT: nn.constant
func.func @constants() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = nn.constant dense<1.0> : tensor<2xf32>
  %b = nn.constant dense<1.0> : tensor<2xf32>
  return %a, %b : tensor<2xf32>, tensor<2xf32>
}

// -----

// A mean over H and W is a global average pooling (then a flatten without
// keepdims): the form convert-nn-to-snn knows. Other means stay.
// CHECK-LABEL: func.func @spatial_mean
func.func @spatial_mean(%x: tensor<?x8x7x7xf32>) -> (tensor<?x8xf32>, tensor<?x8x1x1xf32>, tensor<?x7x7xf32>) {
  // CHECK: %[[P:.*]] = nn.global_avg_pool %{{.*}} : (tensor<?x8x7x7xf32>) -> tensor<?x8x1x1xf32>
  // CHECK: nn.flatten %[[P]] : (tensor<?x8x1x1xf32>) -> tensor<?x8xf32>
  // CHECK: nn.global_avg_pool %{{.*}} : (tensor<?x8x7x7xf32>) -> tensor<?x8x1x1xf32>
  // CHECK: nn.reduce_mean %{{.*}} {axes = array<i64: 1>, keepdims = false}
  %a = nn.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<?x8x7x7xf32>) -> tensor<?x8xf32>
  %b = nn.reduce_mean %x {axes = array<i64: -1, -2>} : (tensor<?x8x7x7xf32>) -> tensor<?x8x1x1xf32>
  %c = nn.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<?x8x7x7xf32>) -> tensor<?x7x7xf32>
  return %a, %b, %c : tensor<?x8xf32>, tensor<?x8x1x1xf32>, tensor<?x7x7xf32>
}
