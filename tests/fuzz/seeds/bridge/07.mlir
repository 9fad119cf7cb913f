func.func @main(%x: tensor<?x3x2x2x2xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.discrete<timesteps = 3>} {
  %w = nn.constant dense<0.5> : tensor<2x8xf32>
  %e = snn.encode_events %x : tensor<?x3x2x2x2xf32> -> !snn.spikes<?x2x2x2>
  %f = snn.flatten %e : !snn.spikes<?x2x2x2> -> !snn.spikes<?x8>
  %i = snn.dense %f, %w : !snn.spikes<?x8>, tensor<2x8xf32> -> !snn.current<?x2>
  %r = snn.accumulate %i : !snn.current<?x2> -> tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}
