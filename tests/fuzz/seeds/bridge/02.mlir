func.func @mlp(%x: tensor<?x1x2x2xf32>) -> tensor<?x3xf32> {
  %f = nn.flatten %x : (tensor<?x1x2x2xf32>) -> tensor<?x4xf32>
  %w1 = nn.constant dense<0.5> : tensor<5x4xf32>
  %b1 = nn.constant dense<0.1> : tensor<5xf32>
  %h = nn.gemm %f, %w1, %b1 {transB = true} : (tensor<?x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %r = nn.relu %h : tensor<?x5xf32>
  %w2 = nn.constant dense<0.25> : tensor<5x3xf32>
  %o = nn.matmul %r, %w2 : (tensor<?x5xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
  return %o : tensor<?x3xf32>
}


func.func @cnn(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w = nn.constant dense<0.2> : tensor<2x1x3x3xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32>
  %r = nn.relu %c : tensor<?x2x4x4xf32>
  %p = nn.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32>
  %f = nn.flatten %p : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
  %w2 = nn.constant dense<0.25> : tensor<8x3xf32>
  %o = nn.matmul %f, %w2 : (tensor<?x8xf32>, tensor<8x3xf32>) -> tensor<?x3xf32>
  return %o : tensor<?x3xf32>
}
