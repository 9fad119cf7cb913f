// RUN: snn-opt %s --snn-lower-to-step -split-input-file -verify-diagnostics

// TTFS networks take the form the exact simulator reads, with its errors.
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32>
    attributes {snn.time = #snn.continuous<t_max = 4.0>} {
  %s = snn.encode_ttfs %x : tensor<?x4xf32> -> !snn.spikes<?x4>
  // expected-error @below {{the TTFS runtime expects the first-spike readout of the last neurons here}}
  %o = snn.first_spike %s : !snn.spikes<?x4> -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32>
    attributes {snn.time = #snn.discrete<timesteps = 4>} {
  %s = snn.encode_poisson %x {seed = 0 : i64} : tensor<?x4xf32> -> !snn.spikes<?x4>
  // expected-error @below {{the CPU backend needs the function to return a readout (snn.accumulate or snn.spike_rate)}}
  return %x : tensor<?x4xf32>
}

// -----

func.func @main(%x: tensor<?x?xf32>) -> tensor<?x4xf32>
    attributes {snn.time = #snn.discrete<timesteps = 4>} {
  %s = snn.encode_poisson %x {seed = 0 : i64} : tensor<?x?xf32> -> !snn.spikes<?x4>
  %r = snn.spike_rate %s : !snn.spikes<?x4> -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
// expected-error @-6 {{the CPU backend needs static sizes apart from the batch}}

// -----

// expected-error @below {{the CPU backend needs the discrete time model (snn.time = #snn.discrete<...>)}}
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %s = snn.encode_poisson %x {seed = 0 : i64} : tensor<?x4xf32> -> !snn.spikes<?x4>
  %r = snn.spike_rate %s : !snn.spikes<?x4> -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
    attributes {snn.time = #snn.discrete<timesteps = 4>} {
  %s = snn.encode_poisson %x {seed = 0 : i64} : tensor<?x1x4x4xf32> -> !snn.spikes<?x1x4x4>
  // expected-error @below {{the CPU backend reads out 2-D values (N×K) only}}
  %r = snn.spike_rate %s : !snn.spikes<?x1x4x4> -> tensor<?x1x4x4xf32>
  return %r : tensor<?x1x4x4xf32>
}

// -----

// A TTFS convolution needs static sizes (the runtime expands it to a dense
// layer of fixed size).
func.func @main(%x: tensor<?x1x?x3xf32>) -> tensor<?x1x?x2xf32>
    attributes {snn.time = #snn.continuous<t_max = 4.0>} {
  %k = nn.constant dense<1.0> : tensor<1x1x2x2xf32>
  %s = snn.encode_ttfs %x {tau = 1.0 : f32} : tensor<?x1x?x3xf32> -> !snn.spikes<?x1x?x3>
  // expected-error @below {{the TTFS runtime needs static channel and spatial sizes of a convolution}}
  %c = snn.conv2d %s, %k {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : !snn.spikes<?x1x?x3>, tensor<1x1x2x2xf32> -> !snn.current<?x1x?x2>
  %h = snn.ttfs_neuron %c {threshold = array<f32: 1.0>} : !snn.current<?x1x?x2> -> !snn.spikes<?x1x?x2>
  %t = snn.first_spike %h : !snn.spikes<?x1x?x2> -> tensor<?x1x?x2xf32>
  return %t : tensor<?x1x?x2xf32>
}

// -----

// Average pooling has no TTFS form in the runtime either.
func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32>
    attributes {snn.time = #snn.continuous<t_max = 4.0>} {
  %s = snn.encode_ttfs %x {tau = 1.0 : f32} : tensor<?x1x4x4xf32> -> !snn.spikes<?x1x4x4>
  // expected-error @below {{'snn.avg_pool' op has no form in the TTFS runtime (average pooling and residual adds have no exact time-to-first-spike form; downsample with max pooling or strided convolutions)}}
  %p = snn.avg_pool %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : !snn.spikes<?x1x4x4> -> !snn.current<?x1x2x2>
  %h = snn.ttfs_neuron %p {threshold = array<f32: 1.0>} : !snn.current<?x1x2x2> -> !snn.spikes<?x1x2x2>
  %t = snn.first_spike %h : !snn.spikes<?x1x2x2> -> tensor<?x1x2x2xf32>
  return %t : tensor<?x1x2x2xf32>
}
