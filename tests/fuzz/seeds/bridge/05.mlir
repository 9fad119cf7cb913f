func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
    attributes {snn.time = #snn.discrete<timesteps = 4>} {
  %w = nn.constant dense<[[1.0, 2.0, 3.0, 10.0], [4.0, 5.0, 6.0, 11.0], [7.0, 8.0, 9.0, 12.0]]> : tensor<3x4xf32>
  %b = nn.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %s = snn.encode_poisson %x {seed = 3 : i64} : tensor<?x4xf32> -> !snn.spikes<?x4>
  %i = snn.dense %s, %w, %b : !snn.spikes<?x4>, tensor<3x4xf32>, tensor<3xf32> -> !snn.current<?x3>
  %o = snn.if %i {threshold = array<f32: 1.0>} : !snn.current<?x3> -> !snn.spikes<?x3>
  %r = snn.accumulate %i : !snn.current<?x3> -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
