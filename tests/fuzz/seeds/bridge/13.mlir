func.func @matmul_bias(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = nn.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %m = nn.matmul %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %a = nn.add %m, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %c = nn.clip %a {min = -8.0 : f32, max = 8.0 : f32} : tensor<?x2xf32>
  return %c : tensor<?x2xf32>
}
