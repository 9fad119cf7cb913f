func.func @main(%x: tensor<?x1x2x2xf32>) -> tensor<?x8xf32>
    attributes {snn.time = #snn.discrete<timesteps = 4>} {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %e = snn.encode_direct %x : tensor<?x1x2x2xf32> -> !snn.current<?x1x2x2>
  %c = snn.conv2d %e, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : !snn.current<?x1x2x2>, tensor<2x1x1x1xf32> -> !snn.current<?x2x2x2>
  %s = snn.lif %c {threshold = array<f32: 0.5, 0.7>, leak = 0.9 : f32, reset = #snn.reset<zero>, refractory = 3 : i64} : !snn.current<?x2x2x2> -> !snn.spikes<?x2x2x2>
  %f = snn.flatten %s : !snn.spikes<?x2x2x2> -> !snn.spikes<?x8>
  %r = snn.spike_rate %f : !snn.spikes<?x8> -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
