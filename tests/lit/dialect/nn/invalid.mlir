// RUN: snn-opt %s -split-input-file -verify-diagnostics

func.func @constant_type(%x: tensor<2xf32>) {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %c = "nn.constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<2xf32>
  return
}

// -----

func.func @constant_nan() -> tensor<3xf32> {
  // expected-error @+1 {{'nn.constant' op holds NaN at element 1 of 3: weights, biases and statistics must be finite (the unit attribute 'allow_nonfinite' keeps such a constant on purpose)}}
  %c = nn.constant dense<[1.0, 0x7FC00000, 2.0]> : tensor<3xf32>
  return %c : tensor<3xf32>
}

// -----

func.func @constant_infinite_splat() -> tensor<3xf32> {
  // expected-error @+1 {{'nn.constant' op holds -inf at element 0 of 3}}
  %c = nn.constant dense<0xFF800000> : tensor<3xf32>
  return %c : tensor<3xf32>
}

// -----

func.func @constant_infinite_resource() -> tensor<2xf32> {
  // expected-error @+1 {{'nn.constant' op holds +inf at element 1 of 2}}
  %c = nn.constant dense_resource<blob> : tensor<2xf32>
  return %c : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F0000807F"
    }
  }
#-}

// -----

func.func @not_f32(%x: tensor<2xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %r = "nn.relu"(%x) : (tensor<2xi32>) -> tensor<2xi32>
  return
}

// -----

func.func @conv_rank(%x: tensor<1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{expects a 4-D input (N×C×H×W), got rank 3}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x1x28x28xf32>, %w: tensor<8x9xf32>) {
  // expected-error @+1 {{expects a 4-D weight (M×C/group×kH×kW), got rank 2}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x28x28xf32>, tensor<8x9xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_dynamic_kernel(%x: tensor<1x1x28x28xf32>, %w: tensor<8x1x?x3xf32>) {
  // expected-error @+1 {{expects a static kernel size, got weight shape [8, 1, ?, 3]}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x28x28xf32>, tensor<8x1x?x3xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_strides_length(%x: tensor<1x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{'strides' must have 2 elements, got 3}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_stride_zero(%x: tensor<1x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{'strides' must be positive}}
  %y = nn.conv2d %x, %w {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{'pads' must be non-negative}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: -1, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x2x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{'group' must be positive, got 0}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 0 : i64}
      : (tensor<1x2x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{input channels (3) must equal weight input channels (1) × group (1)}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_group_divides(%x: tensor<1x2x28x28xf32>, %w: tensor<7x1x3x3xf32>) {
  // expected-error @+1 {{weight output channels (7) must be divisible by group (2)}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x28x28xf32>, tensor<7x1x3x3xf32>) -> tensor<1x7x26x26xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x1x28x28xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'bias' must be 1-D with [8] elements, got shape [4]}}
  %y = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<4xf32>) -> tensor<1x8x26x26xf32>
  return
}

// -----

func.func @conv_window(%x: tensor<1x1x2x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{window does not fit the input in spatial dimension 0: input 2, kernel 3, dilation 1, pads 0+0}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x2x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x1x26xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<?x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{result shape [?, 8, 28, 28] does not match the inferred shape [?, 8, 26, 26]}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x28x28xf32>
  return
}

// -----

func.func @gemm_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{expects 2-D operands A and B, got ranks 3 and 2}}
  %y = nn.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gemm_inner(%a: tensor<2x3xf32>, %b: tensor<10x4xf32>) {
  // expected-error @+1 {{inner dimensions differ: op(A) is [2, 3], op(B) is [4, 10]}}
  %y = nn.gemm %a, %b {transB = true} : (tensor<2x3xf32>, tensor<10x4xf32>) -> tensor<2x10xf32>
  return
}

// -----

func.func @gemm_c(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<2x1x5xf32>) {
  // expected-error @+1 {{C of shape [2, 1, 5] does not broadcast to [2, 5]}}
  %y = nn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<2x1x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{expects operands of rank ≥ 1}}
  %y = nn.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{inner dimensions differ: 3 vs 4}}
  %y = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) {
  // expected-error @+1 {{shapes [2] and [3] are not broadcast-compatible}}
  %y = nn.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<3x2x5xf32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{shapes [2, 3] and [4] are not broadcast-compatible}}
  %y = nn.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @mul_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result shape [3] does not match the inferred shape [2, 3]}}
  %y = nn.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @unary_type(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "nn.relu"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @clip_bounds(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'min' (2.000000e+00) must not exceed 'max' (1.000000e+00)}}
  %y = nn.clip %a {min = 2.0 : f32, max = 1.0 : f32} : tensor<2x3xf32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'axis' 2 is out of range for rank 2}}
  %y = nn.softmax %a {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @dropout_ratio(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'ratio' must be in [0, 1), got 1.500000e+00}}
  %y = nn.dropout %a {ratio = 1.5 : f32} : tensor<2x3xf32>
  return
}

// -----

func.func @bn_rank(%x: tensor<3xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{expects an input of rank ≥ 2 (N×C×…), got rank 1}}
  %y = nn.batch_norm %x, %p, %p, %p, %p : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @bn_params(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>, %q: tensor<4xf32>) {
  // expected-error @+1 {{'variance' must be 1-D with [3] elements, got shape [4]}}
  %y = nn.batch_norm %x, %p, %p, %p, %q : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @bn_epsilon(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{'epsilon' must be non-negative}}
  %y = nn.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @bn_result(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{result shape [1, 3, 4, 5] does not match the inferred shape [1, 3, 4, 4]}}
  %y = nn.batch_norm %x, %p, %p, %p, %p : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x5xf32>
  return
}

// -----

func.func @pool_kernel_length(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'kernel_shape' must have 2 elements, got 1}}
  %y = nn.avg_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @pool_kernel_zero(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'kernel_shape' must be positive}}
  %y = nn.avg_pool %x {kernel_shape = array<i64: 0, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @pool_pads(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{pads must be smaller than the kernel, got [2, 0, 0, 0] for kernel [2, 2]}}
  %y = nn.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x2xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<3x4x4xf32>) {
  // expected-error @+1 {{expects a 4-D input (N×C×H×W), got rank 3}}
  %y = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<3x4x4xf32>) -> tensor<3x2x2xf32>
  return
}

// -----

func.func @pool_dilation(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'dilations' must be positive}}
  %y = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @pool_result(%x: tensor<1x3x5x5xf32>) {
  // expected-error @+1 {{result shape [1, 3, 2, 2] does not match the inferred shape [1, 3, 3, 3]}}
  %y = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x3x5x5xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @gap_result(%x: tensor<1x3x5x5xf32>) {
  // expected-error @+1 {{result shape [1, 3] does not match the inferred shape [1, 3, 1, 1]}}
  %y = nn.global_avg_pool %x : (tensor<1x3x5x5xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @flatten_axis(%x: tensor<1x3x5x5xf32>) {
  // expected-error @+1 {{'axis' 5 is out of range for rank 4}}
  %y = nn.flatten %x {axis = 5 : i64} : (tensor<1x3x5x5xf32>) -> tensor<75x1xf32>
  return
}

// -----

func.func @flatten_result(%x: tensor<1x3x5x5xf32>) {
  // expected-error @+1 {{result shape [1, 74] does not match the inferred shape [1, 75]}}
  %y = nn.flatten %x : (tensor<1x3x5x5xf32>) -> tensor<1x74xf32>
  return
}

// -----

func.func @reshape_entry(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{'shape' entries must be ≥ -1, got -2}}
  %y = nn.reshape %x {shape = array<i64: -2, 6>} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @reshape_two_infers(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{'shape' may contain -1 at most once}}
  %y = nn.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @reshape_copy(%x: tensor<12xf32>) {
  // expected-error @+1 {{'shape' entry 0 at index 1 copies a dimension the input does not have}}
  %y = nn.reshape %x {shape = array<i64: 12, 0>} : (tensor<12xf32>) -> tensor<12x1xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{cannot reshape 12 elements into shape [5, -1]}}
  %y = nn.reshape %x {shape = array<i64: 5, -1>} : (tensor<2x6xf32>) -> tensor<5x2xf32>
  return
}

// -----

func.func @reshape_result(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result shape [3, 5] does not match the inferred shape [3, 4]}}
  %y = nn.reshape %x {shape = array<i64: 3, -1>} : (tensor<2x6xf32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'perm' must be a permutation of [0, 3), got [0, 0, 1]}}
  %y = nn.transpose %x {perm = array<i64: 0, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<2x2x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{expects at least one input}}
  %y = nn.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{all inputs must have rank 2, input 1 has rank 1}}
  %y = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{input 1 dimension 1 is 4, expected 3}}
  %y = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{result shape [2, 8] does not match the inferred shape [2, 7]}}
  %y = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @pad_length(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'pads' must have 4 elements, got 2}}
  %y = nn.pad %x {pads = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @pad_crop(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{padding leaves dimension 1 with size -1}}
  %y = nn.pad %x {pads = array<i64: 0, -2, 0, -2>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @gelu_mode(%x: tensor<2xf32>) {
  // expected-error @+1 {{'approximate' must be "none" or "tanh", got "fast"}}
  %y = nn.gelu %x {approximate = "fast"} : tensor<2xf32>
  return
}

// -----

func.func @reduce_twice(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'axes' names dimension 1 twice}}
  %y = nn.reduce_mean %x {axes = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @reduce_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result shape [2, 1] does not match the inferred shape [2]}}
  %y = nn.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'steps' must not be 0}}
  %y = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 2>, axes = array<i64: 1>, steps = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @slice_lengths(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'starts', 'ends', 'axes' and 'steps' must have one entry per sliced axis}}
  %y = nn.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @slice_shape(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result shape [2, 2] does not match the inferred shape [2, 3]}}
  %y = nn.slice %x {starts = array<i64: -1>, ends = array<i64: -100>, axes = array<i64: 1>, steps = array<i64: -2>} : (tensor<2x6xf32>) -> tensor<2x2xf32>
  return
}
