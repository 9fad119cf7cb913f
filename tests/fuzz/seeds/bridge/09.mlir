func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w = nn.constant dense<0.5> : tensor<3x4xf32>
  %e = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i = snn.dense %e, %w : !snn.current<?x4>, tensor<3x4xf32> -> !snn.current<?x3>
  %s = snn.if %i {threshold = array<f32: 1.0>} : !snn.current<?x3> -> !snn.spikes<?x3> loc("hidden")
  %r = snn.accumulate %i : !snn.current<?x3> -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
