// RUN: snn-opt %s --nn-fold-batchnorm --split-input-file | FileCheck %s

// k = scale / sqrt(var + eps) = [2, 0.5]; W' = k·W; b' = k·(b − mean) + bias.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x4x4xf32>)
// CHECK-NOT: nn.batch_norm
// CHECK-DAG: %[[W:.*]] = nn.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}5.000000e-01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = nn.constant dense<[3.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = nn.conv2d %[[X]], %[[W]], %[[B]]
// CHECK: return %[[C]]
func.func @conv(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %b = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = nn.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %bias = nn.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = nn.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %var = nn.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %c = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %y = nn.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 0.0 : f32}
      : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// Gemm with transB, alpha and beta: B' = alpha·k·B (rows), C' = k·beta·C + d.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: %[[B:.*]] = nn.constant dense<{{\[\[}}4.000000e+00, 4.000000e+00], [2.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[C:.*]] = nn.constant dense<[2.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK: nn.gemm %{{.*}}, %[[B]], %[[C]] {transB = true}
// CHECK-NOT: nn.batch_norm
func.func @gemm(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %b = nn.constant dense<1.0> : tensor<2x2xf32>
  %c = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = nn.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %bias = nn.constant dense<[-2.0, 0.0]> : tensor<2xf32>
  %mean = nn.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %var = nn.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %g = nn.gemm %x, %b, %c {alpha = 2.0 : f32, beta = 3.0 : f32, transB = true}
      : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %y = nn.batch_norm %g, %scale, %bias, %mean, %var {epsilon = 0.0 : f32}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Not folded into the conv: its result has a second use (the batch-norm
// becomes a 1×1 depthwise conv of its own, k = 1/√(1 + 1e-5)), or the
// statistics are not constants (kept).
// CHECK-LABEL: func.func @kept
// CHECK-DAG: %[[K:.*]] = nn.constant dense<0.999994993> : tensor<1x1x1x1xf32>
// CHECK-DAG: %[[C:.*]] = nn.conv2d %arg0
// CHECK: nn.conv2d %[[C]], %[[K]]
// CHECK-COUNT-1: nn.batch_norm
// CHECK-NOT: nn.batch_norm
func.func @kept(%x: tensor<1x1x2x2xf32>, %s: tensor<1xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = nn.constant dense<1.0> : tensor<1x1x1x1xf32>
  %p = nn.constant dense<1.0> : tensor<1xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y = nn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %c2 = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %z = nn.batch_norm %c2, %s, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y, %c, %z : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// Input normalisation folds into an unpadded first convolution:
// W' = W / s = [0.5, 0.25], b' = b − Σ W'·m = 1 − (0.5·1 + 0.25·2) = 0.
// CHECK-LABEL: func.func @input_normalization
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x4x4xf32>)
// CHECK-NOT: nn.sub
// CHECK-NOT: nn.div
// CHECK-DAG: %[[W:.*]] = nn.constant dense<{{\[\[\[\[}}5.000000e-01]], {{\[\[}}2.500000e-01]]]]> : tensor<1x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = nn.constant dense<0.000000e+00> : tensor<1xf32>
// CHECK: nn.conv2d %[[X]], %[[W]], %[[B]]
func.func @input_normalization(%x: tensor<?x2x4x4xf32>) -> tensor<?x1x4x4xf32> {
  %m = nn.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %s = nn.constant dense<[[[[2.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %w = nn.constant dense<1.0> : tensor<1x2x1x1xf32>
  %b = nn.constant dense<1.0> : tensor<1xf32>
  %a = nn.sub %x, %m : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %n = nn.div %a, %s : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %c = nn.conv2d %n, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<?x1x4x4xf32>
  return %c : tensor<?x1x4x4xf32>
}

// -----

// With padding and a non-zero mean the fold would change the borders: kept.
// CHECK-LABEL: func.func @padded_kept
// CHECK: nn.sub
func.func @padded_kept(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %m = nn.constant dense<0.5> : tensor<f32>
  %w = nn.constant dense<1.0> : tensor<1x1x3x3xf32>
  %a = nn.sub %x, %m : (tensor<1x1x4x4xf32>, tensor<f32>) -> tensor<1x1x4x4xf32>
  %c = nn.conv2d %a, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
  return %c : tensor<1x1x4x4xf32>
}

// -----

// DenseNet's pre-activation batch-norm after a concatenation has no conv to
// fold into: it becomes a depthwise 1×1 convolution with the same affine map
// (k = scale/√(var+ε) = 2, d = bias − k·mean = 1 − 2·0.5 = 0).
// CHECK-LABEL: func.func @standalone
// CHECK-DAG: %[[W:.*]] = nn.constant dense<2.000000e+00> : tensor<4x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = nn.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-DAG: %[[J:.*]] = nn.concat
// CHECK: nn.conv2d %[[J]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NOT: nn.batch_norm
func.func @standalone(%a: tensor<?x2x3x3xf32>, %b: tensor<?x2x3x3xf32>) -> tensor<?x4x3x3xf32> {
  %j = nn.concat %a, %b {axis = 1 : i64} : (tensor<?x2x3x3xf32>, tensor<?x2x3x3xf32>) -> tensor<?x4x3x3xf32>
  %scale = nn.constant dense<2.0> : tensor<4xf32>
  %bias = nn.constant dense<1.0> : tensor<4xf32>
  %mean = nn.constant dense<0.5> : tensor<4xf32>
  %var = nn.constant dense<1.0> : tensor<4xf32>
  %y = nn.batch_norm %j, %scale, %bias, %mean, %var {epsilon = 0.0 : f32}
      : (tensor<?x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x3x3xf32>
  return %y : tensor<?x4x3x3xf32>
}
