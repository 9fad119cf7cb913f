// A small rate-coded MLP for 28×28 images (784-64-10), written by hand in the
// snn dialect: Poisson input, one layer of IF neurons with subtract reset,
// and an accumulating readout. Weights are placeholders (constant splats)
// until ONNX import and conversion land; scripts/demo.sh verifies and
// summarises it.
func.func @main(%img: tensor<?x1x28x28xf32>) -> tensor<?x10xf32>
    attributes {snn.time = #snn.discrete<timesteps = 32>} {
  %w1 = nn.constant dense<0.01> : tensor<64x784xf32>
  %b1 = nn.constant dense<0.0> : tensor<64xf32>
  %w2 = nn.constant dense<0.1> : tensor<10x64xf32>
  %x = snn.encode_poisson %img {seed = 42 : i64} : tensor<?x1x28x28xf32> -> !snn.spikes<?x1x28x28>
  %f = snn.flatten %x : !snn.spikes<?x1x28x28> -> !snn.spikes<?x784>
  %i1 = snn.dense %f, %w1, %b1 : !snn.spikes<?x784>, tensor<64x784xf32>, tensor<64xf32> -> !snn.current<?x64>
  %s1 = snn.if %i1 {threshold = array<f32: 1.0>, reset = #snn.reset<subtract>} : !snn.current<?x64> -> !snn.spikes<?x64>
  %i2 = snn.dense %s1, %w2 : !snn.spikes<?x64>, tensor<10x64xf32> -> !snn.current<?x10>
  %o = snn.accumulate %i2 : !snn.current<?x10> -> tensor<?x10xf32>
  return %o : tensor<?x10xf32>
}
