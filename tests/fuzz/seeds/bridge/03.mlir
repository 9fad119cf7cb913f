func.func @main(%x: tensor<?x4xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w1 = nn.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %w2 = nn.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %s0 = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i1 = snn.dense %s0, %w1 : !snn.current<?x4>, tensor<2x4xf32> -> !snn.current<?x2>
  %s1 = snn.if %i1 {threshold = array<f32: 1.0>} : !snn.current<?x2> -> !snn.spikes<?x2>
  %i2 = snn.dense %s1, %w2 : !snn.spikes<?x2>, tensor<2x2xf32> -> !snn.current<?x2>
  %o = snn.accumulate %i2 : !snn.current<?x2> -> tensor<?x2xf32>
  return %o : tensor<?x2xf32>
}
