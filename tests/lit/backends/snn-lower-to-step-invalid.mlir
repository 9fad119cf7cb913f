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
