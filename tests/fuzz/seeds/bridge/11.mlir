func.func @cnn(%x: tensor<?x1x8x8xf32>) -> tensor<?x10xf32> {
  %w = nn.constant dense<0.1> : tensor<4x1x3x3xf32>
  %b = nn.constant dense<0.0> : tensor<4xf32>
  %c = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %r = nn.relu %c : tensor<?x4x8x8xf32>
  %m = nn.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  %z = nn.pad %m {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %p = nn.avg_pool %z {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<?x4x4x4xf32>) -> tensor<?x4x2x2xf32>
  %f = nn.flatten %p : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  %d = nn.dropout %f : tensor<?x16xf32>
  %w2 = nn.constant dense<0.2> : tensor<10x16xf32>
  %b2 = nn.constant dense<0.5> : tensor<10xf32>
  %g = nn.gemm %d, %w2, %b2 {transB = true} : (tensor<?x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %s = nn.softmax %g : tensor<?x10xf32>
  return %s : tensor<?x10xf32>
}
