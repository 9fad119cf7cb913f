// RUN: snn-opt %s | snn-opt | FileCheck %s
// RUN: snn-opt %s --mlir-print-op-generic | snn-opt | FileCheck %s

// Every nn op, in the forms the ONNX importer produces.

// CHECK-LABEL: func.func @cnn
func.func @cnn(%x: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
  // CHECK: nn.constant dense<1.000000e-01> : tensor<8x1x3x3xf32>
  %w = nn.constant dense<0.1> : tensor<8x1x3x3xf32>
  %b = nn.constant dense<0.0> : tensor<8xf32>
  %one = nn.constant dense<1.0> : tensor<8xf32>
  // CHECK: nn.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  %c = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  // CHECK: nn.batch_norm %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  %bn = nn.batch_norm %c, %one, %b, %b, %one {epsilon = 1.0e-3 : f32}
      : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  // CHECK: nn.relu %{{.*}} : tensor<?x8x28x28xf32>
  %r = nn.relu %bn : tensor<?x8x28x28xf32>
  // CHECK: nn.avg_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  %a = nn.avg_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  // CHECK: nn.max_pool %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x14x14xf32>) -> tensor<?x8x8x8xf32>
  %m = nn.max_pool %a {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : (tensor<?x8x14x14xf32>) -> tensor<?x8x8x8xf32>
  // CHECK: nn.flatten %{{.*}} : (tensor<?x8x8x8xf32>) -> tensor<?x512xf32>
  %f = nn.flatten %m : (tensor<?x8x8x8xf32>) -> tensor<?x512xf32>
  %w2 = nn.constant dense<0.01> : tensor<10x512xf32>
  %b2 = nn.constant dense<0.0> : tensor<10xf32>
  // CHECK: nn.gemm %{{.*}}, %{{.*}}, %{{.*}} {transB = true} : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %g = nn.gemm %f, %w2, %b2 {transB = true} : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: nn.dropout %{{.*}} {ratio = 2.000000e-01 : f32} : tensor<?x10xf32>
  %d = nn.dropout %g {ratio = 0.2 : f32} : tensor<?x10xf32>
  // CHECK: nn.softmax %{{.*}} {axis = 1 : i64} : tensor<?x10xf32>
  %s = nn.softmax %d {axis = 1 : i64} : tensor<?x10xf32>
  return %s : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3x4xf32>, %y: tensor<4xf32>, %z: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %a = nn.add %x, %y : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.sub %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %b = nn.sub %a, %z : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.mul
  %c = nn.mul %b, %y : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.div
  %d = nn.div %z, %c : (tensor<3x1xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f32} : tensor<2x3x4xf32>
  %e = nn.leaky_relu %d {alpha = 0.2 : f32} : tensor<2x3x4xf32>
  // CHECK: nn.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<2x3x4xf32>
  %f = nn.clip %e {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3x4xf32>
  // CHECK: nn.identity %{{.*}} : tensor<2x3x4xf32>
  %g = nn.identity %f : tensor<2x3x4xf32>
  return %g : tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<?x3x4x4xf32>, %v: tensor<4xf32>, %m: tensor<5x4xf32>, %bm: tensor<7x4x6xf32>) -> tensor<?x48xf32> {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5xf32>
  %mv = nn.matmul %m, %v : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<5x4xf32>, tensor<7x4x6xf32>) -> tensor<7x5x6xf32>
  %bmm = nn.matmul %m, %bm : (tensor<5x4xf32>, tensor<7x4x6xf32>) -> tensor<7x5x6xf32>
  // CHECK: nn.global_avg_pool %{{.*}} : (tensor<?x3x4x4xf32>) -> tensor<?x3x1x1xf32>
  %gap = nn.global_avg_pool %x : (tensor<?x3x4x4xf32>) -> tensor<?x3x1x1xf32>
  // CHECK: nn.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x4x4xf32>) -> tensor<?x4x4x3xf32>
  %t = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x4x4xf32>) -> tensor<?x4x4x3xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>) -> tensor<?x4x4x6xf32>
  %cat = nn.concat %t, %t {axis = -1 : i64} : (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>) -> tensor<?x4x4x6xf32>
  // CHECK: nn.pad %{{.*}} {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>, value = 5.000000e-01 : f32} : (tensor<?x4x4x6xf32>) -> tensor<?x4x6x6xf32>
  %p = nn.pad %cat {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>, value = 0.5 : f32} : (tensor<?x4x4x6xf32>) -> tensor<?x4x6x6xf32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: 0, -1, 2>} : (tensor<?x4x6x6xf32>) -> tensor<?x?x2xf32>
  %r = nn.reshape %p {shape = array<i64: 0, -1, 2>} : (tensor<?x4x6x6xf32>) -> tensor<?x?x2xf32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: -1, 48>} : (tensor<?x3x4x4xf32>) -> tensor<?x48xf32>
  %f = nn.reshape %x {shape = array<i64: -1, 48>} : (tensor<?x3x4x4xf32>) -> tensor<?x48xf32>
  return %f : tensor<?x48xf32>
}

// Grouped, strided, dilated convolution and Gemm with transposed A.
// CHECK-LABEL: func.func @grouped
func.func @grouped(%x: tensor<1x4x9x9xf32>, %w: tensor<6x2x3x3xf32>, %a: tensor<3x2xf32>, %b: tensor<3x5xf32>, %c: tensor<1x5xf32>)
    -> (tensor<1x6x3x3xf32>, tensor<2x5xf32>) {
  // CHECK: nn.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
  %y = nn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, group = 2 : i64}
      : (tensor<1x4x9x9xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  // CHECK: nn.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, beta = 2.000000e+00 : f32, transA = true}
  %g = nn.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, transA = true}
      : (tensor<3x2xf32>, tensor<3x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  return %y, %g : tensor<1x6x3x3xf32>, tensor<2x5xf32>
}

// Activations without a spiking form, reductions and slices.
// CHECK-LABEL: func.func @no_spiking_form
func.func @no_spiking_form(%x: tensor<?x4x6x6xf32>) -> (tensor<?x4x6x6xf32>, tensor<?x4xf32>, tensor<?x2x3x6xf32>) {
  // CHECK: nn.sigmoid %{{.*}} : tensor<?x4x6x6xf32>
  // CHECK: nn.tanh
  // CHECK: nn.erf
  // CHECK: nn.hard_sigmoid %{{.*}} {alpha = 1.250000e-01 : f32, beta = 2.500000e-01 : f32}
  // CHECK: nn.hard_swish
  // CHECK: nn.gelu %{{.*}} {approximate = "tanh"}
  // CHECK: nn.reduce_mean %{{.*}} {axes = array<i64: 2, -1>, keepdims = false}
  // CHECK: nn.slice %{{.*}} {axes = array<i64: 1, 2>, ends = array<i64: 9223372036854775807, -7>, starts = array<i64: 2, 5>, steps = array<i64: 1, -2>}
  %a = nn.sigmoid %x : tensor<?x4x6x6xf32>
  %b = nn.tanh %a : tensor<?x4x6x6xf32>
  %c = nn.erf %b : tensor<?x4x6x6xf32>
  %d = nn.hard_sigmoid %c {alpha = 0.125 : f32, beta = 0.25 : f32} : tensor<?x4x6x6xf32>
  %e = nn.hard_swish %d : tensor<?x4x6x6xf32>
  %f = nn.gelu %e {approximate = "tanh"} : tensor<?x4x6x6xf32>
  %m = nn.reduce_mean %x {axes = array<i64: 2, -1>, keepdims = false} : (tensor<?x4x6x6xf32>) -> tensor<?x4xf32>
  %s = nn.slice %x {starts = array<i64: 2, 5>, ends = array<i64: 9223372036854775807, -7>, axes = array<i64: 1, 2>, steps = array<i64: 1, -2>} : (tensor<?x4x6x6xf32>) -> tensor<?x2x3x6xf32>
  return %f, %m, %s : tensor<?x4x6x6xf32>, tensor<?x4xf32>, tensor<?x2x3x6xf32>
}
