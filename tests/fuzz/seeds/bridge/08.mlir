func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
    attributes {snn.time = #snn.continuous<t_max = 4.0>} {
  %w = nn.constant dense<[[1.0, 0.5, -0.5, 2.0], [0.3, 0.3, 0.3, 0.3], [2.0, -1.0, 1.0, 0.5]]> : tensor<3x4xf32>
  %b = nn.constant dense<[0.1, 0.0, -0.2]> : tensor<3xf32>
  %s = snn.encode_ttfs %x {tau = 1.0 : f32} : tensor<?x4xf32> -> !snn.spikes<?x4>
  %i = snn.dense %s, %w, %b : !snn.spikes<?x4>, tensor<3x4xf32>, tensor<3xf32> -> !snn.current<?x3>
  %o = snn.ttfs_neuron %i {threshold = array<f32: 1.0>} : !snn.current<?x3> -> !snn.spikes<?x3>
  %t = snn.first_spike %o : !snn.spikes<?x3> -> tensor<?x3xf32>
  return %t : tensor<?x3xf32>
}
