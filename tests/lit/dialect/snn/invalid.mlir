// RUN: snn-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{a train needs at least one dimension}}
func.func @rank_zero(%x: !snn.spikes<>)

// -----

// expected-error @+1 {{train dimensions must be positive or '?'}}
func.func @zero_dim(%x: !snn.spikes<0x4>)

// -----

// expected-error @+1 {{'timesteps' must be from 1 to 16777216 (spike counts are float32, exact up to 2^24), got 0}}
func.func @no_steps() attributes {snn.time = #snn.discrete<timesteps = 0>}

// -----

// expected-error @+1 {{'dt' must be positive and finite, got -1}}
func.func @negative_dt() attributes {snn.time = #snn.discrete<timesteps = 4, dt = -1.0>}

// -----

// expected-error @+1 {{'t_max' must be positive and finite, got 0}}
func.func @no_window() attributes {snn.time = #snn.continuous<t_max = 0.0>}

// -----

// expected-error @+1 {{'timesteps' must be from 1 to 16777216 (spike counts are float32, exact up to 2^24), got 16777217}}
func.func @too_many_steps() attributes {snn.time = #snn.discrete<timesteps = 16777217>}

// -----

// expected-error @+1 {{'dt' must be positive and finite, got nan}}
func.func @nan_dt() attributes {snn.time = #snn.discrete<timesteps = 4, dt = 0x7FF8000000000000>}

// -----

// expected-error @+1 {{'t_max' must be positive and finite, got INF}}
func.func @infinite_window() attributes {snn.time = #snn.continuous<t_max = 0x7FF0000000000000>}

// -----

// expected-error @+1 {{unknown snn attribute 'snn.timesteps'}}
func.func @unknown_attr() attributes {snn.timesteps = 4 : i64}

// -----

// expected-error @+1 {{'snn.time' must be #snn.discrete<...> or #snn.continuous<...>}}
func.func @bad_time() attributes {snn.time = 4 : i64}

// -----

// expected-error @+1 {{'snn.time' belongs on a function}}
module attributes {snn.time = #snn.discrete<timesteps = 4>} {}

// -----

func.func @poisson_in_continuous(%x: tensor<2x4xf32>) attributes {snn.time = #snn.continuous<t_max = 1.0>} {
  // expected-error @+1 {{requires the discrete time model, but the function has #snn.continuous<t_max = 1.000000e+00>}}
  %s = snn.encode_poisson %x {seed = 1 : i64} : tensor<2x4xf32> -> !snn.spikes<2x4>
  return
}

// -----

func.func @poisson_scale(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'scale' must be positive and finite, got 0}}
  %s = snn.encode_poisson %x {seed = 1 : i64, scale = 0.0 : f32} : tensor<2x4xf32> -> !snn.spikes<2x4>
  return
}

// -----

func.func @poisson_shape(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{result shape [2, 5] does not match the inferred shape [2, 4]}}
  %s = snn.encode_poisson %x {seed = 1 : i64} : tensor<2x4xf32> -> !snn.spikes<2x5>
  return
}

// -----

func.func @direct_kind(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{result #0 must be a train of synaptic currents over time}}
  %s = "snn.encode_direct"(%x) : (tensor<2x4xf32>) -> !snn.spikes<2x4>
  return
}

// -----

func.func @ttfs_in_discrete(%x: tensor<2x4xf32>) attributes {snn.time = #snn.discrete<timesteps = 8>} {
  // expected-error @+1 {{requires the continuous time model, but the function has #snn.discrete<timesteps = 8, dt = 1.000000e+00>}}
  %s = snn.encode_ttfs %x : tensor<2x4xf32> -> !snn.spikes<2x4>
  return
}

// -----

func.func @ttfs_tau(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'tau' must be positive and finite, got -1}}
  %s = snn.encode_ttfs %x {tau = -1.0 : f32} : tensor<2x4xf32> -> !snn.spikes<2x4>
  return
}

// -----

func.func @events_rank(%x: tensor<2x8x2x34xf32>) {
  // expected-error @+1 {{expects a 5-D input of event frames (N×T×C×H×W), got rank 4}}
  %s = snn.encode_events %x : tensor<2x8x2x34xf32> -> !snn.spikes<2x2x34>
  return
}

// -----

func.func @events_frames(%x: tensor<2x8x2x34x34xf32>) attributes {snn.time = #snn.discrete<timesteps = 16>} {
  // expected-error @+1 {{has 8 frames but the function runs 16 timesteps}}
  %s = snn.encode_events %x : tensor<2x8x2x34x34xf32> -> !snn.spikes<2x2x34x34>
  return
}

// -----

func.func @dense_rank(%x: !snn.spikes<2x4x4>, %w: tensor<3x16xf32>) {
  // expected-error @+1 {{expects a 2-D input train (N×K), got rank 3}}
  %i = snn.dense %x, %w : !snn.spikes<2x4x4>, tensor<3x16xf32> -> !snn.current<2x3>
  return
}

// -----

func.func @dense_weight_rank(%x: !snn.spikes<2x16>, %w: tensor<48xf32>) {
  // expected-error @+1 {{expects a 2-D weight (M×K), got rank 1}}
  %i = snn.dense %x, %w : !snn.spikes<2x16>, tensor<48xf32> -> !snn.current<2x3>
  return
}

// -----

func.func @dense_features(%x: !snn.spikes<2x16>, %w: tensor<3x15xf32>) {
  // expected-error @+1 {{input has 16 features but the weight expects 15}}
  %i = snn.dense %x, %w : !snn.spikes<2x16>, tensor<3x15xf32> -> !snn.current<2x3>
  return
}

// -----

func.func @dense_bias(%x: !snn.spikes<2x16>, %w: tensor<3x16xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'bias' must be 1-D with [3] elements, got shape [4]}}
  %i = snn.dense %x, %w, %b : !snn.spikes<2x16>, tensor<3x16xf32>, tensor<4xf32> -> !snn.current<2x3>
  return
}

// -----

func.func @dense_result(%x: !snn.spikes<2x16>, %w: tensor<3x16xf32>) {
  // expected-error @+1 {{result shape [2, 4] does not match the inferred shape [2, 3]}}
  %i = snn.dense %x, %w : !snn.spikes<2x16>, tensor<3x16xf32> -> !snn.current<2x4>
  return
}

// -----

func.func @conv_channels(%x: !snn.spikes<1x3x8x8>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{input channels (3) must equal weight input channels (1) × group (1)}}
  %i = snn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : !snn.spikes<1x3x8x8>, tensor<4x1x3x3xf32> -> !snn.current<1x4x6x6>
  return
}

// -----

func.func @conv_result(%x: !snn.spikes<1x1x8x8>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{result shape [1, 4, 8, 8] does not match the inferred shape [1, 4, 6, 6]}}
  %i = snn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : !snn.spikes<1x1x8x8>, tensor<4x1x3x3xf32> -> !snn.current<1x4x8x8>
  return
}

// -----

func.func @avg_pool_pads(%x: !snn.spikes<1x1x8x8>) {
  // expected-error @+1 {{pads must be smaller than the kernel, got [0, 0, 2, 0] for kernel [2, 2]}}
  %i = snn.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 2, 0>}
      : !snn.spikes<1x1x8x8> -> !snn.current<1x1x5x4>
  return
}

// -----

func.func @max_pool_current(%x: !snn.current<1x1x8x8>) {
  // expected-error @+1 {{operand #0 must be a train of spikes over time}}
  %s = "snn.max_pool"(%x) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : (!snn.current<1x1x8x8>) -> !snn.spikes<1x1x4x4>
  return
}

// -----

func.func @max_pool_result(%x: !snn.spikes<1x1x8x8>) {
  // expected-error @+1 {{result shape [1, 1, 3, 3] does not match the inferred shape [1, 1, 4, 4]}}
  %s = snn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : !snn.spikes<1x1x8x8> -> !snn.spikes<1x1x3x3>
  return
}

// -----

func.func @add_shapes(%a: !snn.current<2x4>, %b: !snn.spikes<2x5>) {
  // expected-error @+1 {{right operand shape [2, 5] does not match the inferred shape [2, 4]}}
  %i = snn.add %a, %b : !snn.current<2x4>, !snn.spikes<2x5> -> !snn.current<2x4>
  return
}

// -----

func.func @add_result(%a: !snn.current<2x4>, %b: !snn.spikes<2x4>) {
  // expected-error @+1 {{result shape [4, 2] does not match the inferred shape [2, 4]}}
  %i = snn.add %a, %b : !snn.current<2x4>, !snn.spikes<2x4> -> !snn.current<4x2>
  return
}

// -----

func.func @flatten_kind(%x: !snn.spikes<2x4x4>) {
  // expected-error @+1 {{result must be the same kind of train as the input, got '!snn.spikes<2x4x4>' -> '!snn.current<2x16>'}}
  %f = snn.flatten %x : !snn.spikes<2x4x4> -> !snn.current<2x16>
  return
}

// -----

func.func @flatten_axis(%x: !snn.spikes<2x4x4>) {
  // expected-error @+1 {{'axis' -4 is out of range for rank 3}}
  %f = snn.flatten %x {axis = -4 : i64} : !snn.spikes<2x4x4> -> !snn.spikes<1x32>
  return
}

// -----

func.func @flatten_result(%x: !snn.spikes<2x4x4>) {
  // expected-error @+1 {{result shape [2, 15] does not match the inferred shape [2, 16]}}
  %f = snn.flatten %x : !snn.spikes<2x4x4> -> !snn.spikes<2x15>
  return
}

// -----

func.func @threshold_empty(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'threshold' must not be empty}}
  %s = snn.if %i {threshold = array<f32>} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @threshold_rank(%i: !snn.current<4>) {
  // expected-error @+1 {{per-channel 'threshold' needs a rank of at least 2}}
  %s = snn.if %i {threshold = array<f32: 1.0, 2.0>} : !snn.current<4> -> !snn.spikes<4>
  return
}

// -----

func.func @threshold_channels(%i: !snn.current<2x3x4x4>) {
  // expected-error @+1 {{'threshold' has 2 values but the layer has 3 channels}}
  %s = snn.if %i {threshold = array<f32: 1.0, 2.0>} : !snn.current<2x3x4x4> -> !snn.spikes<2x3x4x4>
  return
}

// -----

func.func @threshold_positive(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'threshold' values must be positive}}
  %s = snn.if %i {threshold = array<f32: 0.0>} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @threshold_infinite(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'threshold' values must be positive and finite}}
  %s = snn.if %i {threshold = array<f32: 1.0, 1.0, 1.0, 0x7F800000>} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @threshold_nan(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'threshold' values must be positive and finite}}
  %s = snn.if %i {threshold = array<f32: 0x7FC00000>} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @refractory_32_bits(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'refractory' must be from 0 to 2147483647 steps (the simulator and generated code count it in 32 bits), got 4294967296}}
  %s = snn.if %i {threshold = array<f32: 1.0>, refractory = 4294967296 : i64} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @refractory(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'refractory' must be from 0 to 2147483647 steps (the simulator and generated code count it in 32 bits), got -1}}
  %s = snn.if %i {threshold = array<f32: 1.0>, refractory = -1 : i64} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @neuron_shape(%i: !snn.current<2x4>) {
  // expected-error @+1 {{result shape [2, 5] does not match the inferred shape [2, 4]}}
  %s = snn.if %i {threshold = array<f32: 1.0>} : !snn.current<2x4> -> !snn.spikes<2x5>
  return
}

// -----

func.func @if_in_continuous(%i: !snn.current<2x4>) attributes {snn.time = #snn.continuous<t_max = 1.0>} {
  // expected-error @+1 {{requires the discrete time model}}
  %s = snn.if %i {threshold = array<f32: 1.0>} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @neuron_input(%x: !snn.spikes<2x4>) {
  // expected-error @+1 {{operand #0 must be a train of synaptic currents over time}}
  %s = "snn.if"(%x) {threshold = array<f32: 1.0>} : (!snn.spikes<2x4>) -> !snn.spikes<2x4>
  return
}

// -----

func.func @lif_leak(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'leak' must be in (0, 1], got 1.500000e+00}}
  %s = snn.lif %i {threshold = array<f32: 1.0>, leak = 1.5 : f32} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @lif_refractory(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'refractory' must be from 0 to 2147483647 steps (the simulator and generated code count it in 32 bits), got -3}}
  %s = snn.lif %i {threshold = array<f32: 1.0>, leak = 0.9 : f32, refractory = -3 : i64} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @lif_threshold(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'threshold' values must be positive}}
  %s = snn.lif %i {threshold = array<f32: -1.0>, leak = 0.9 : f32} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @ttfs_neuron_tau(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'tau' must be positive and finite, got 0}}
  %s = snn.ttfs_neuron %i {threshold = array<f32: 1.0>, tau = 0.0 : f32} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @ttfs_neuron_discrete(%i: !snn.current<2x4>) attributes {snn.time = #snn.discrete<timesteps = 4>} {
  // expected-error @+1 {{requires the continuous time model}}
  %s = snn.ttfs_neuron %i {threshold = array<f32: 1.0>} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @ttfs_neuron_threshold(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'threshold' has 3 values but the layer has 4 channels}}
  %s = snn.ttfs_neuron %i {threshold = array<f32: 1.0, 1.0, 1.0>} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}

// -----

func.func @accumulate_shape(%i: !snn.current<2x10>) {
  // expected-error @+1 {{result shape [10] does not match the inferred shape [2, 10]}}
  %o = snn.accumulate %i : !snn.current<2x10> -> tensor<10xf32>
  return
}

// -----

func.func @spike_rate_time(%s: !snn.spikes<2x10>) attributes {snn.time = #snn.continuous<t_max = 1.0>} {
  // expected-error @+1 {{requires the discrete time model}}
  %o = snn.spike_rate %s : !snn.spikes<2x10> -> tensor<2x10xf32>
  return
}

// -----

func.func @spike_rate_shape(%s: !snn.spikes<2x10>) {
  // expected-error @+1 {{result shape [2, 5] does not match the inferred shape [2, 10]}}
  %o = snn.spike_rate %s : !snn.spikes<2x10> -> tensor<2x5xf32>
  return
}

// -----

func.func @first_spike_shape(%s: !snn.spikes<2x10>) {
  // expected-error @+1 {{result shape [2, 11] does not match the inferred shape [2, 10]}}
  %o = snn.first_spike %s : !snn.spikes<2x10> -> tensor<2x11xf32>
  return
}

// -----

func.func @concat_kinds(%a: !snn.spikes<?x4>, %b: !snn.current<?x2>) {
  // expected-error @+1 {{the result must be a current when an input is a current}}
  %s = snn.concat %a, %b {axis = 1 : i64} : !snn.spikes<?x4>, !snn.current<?x2> -> !snn.spikes<?x6>
  return
}

// -----

func.func @concat_dims(%a: !snn.spikes<?x4x3>, %b: !snn.spikes<?x2x5>) {
  // expected-error @+1 {{inputs differ in dimension 2 (3 vs 5)}}
  %s = snn.concat %a, %b {axis = 1 : i64} : !snn.spikes<?x4x3>, !snn.spikes<?x2x5> -> !snn.spikes<?x6x3>
  return
}

// -----

func.func @concat_shape(%a: !snn.spikes<?x4>, %b: !snn.spikes<?x2>) {
  // expected-error @+1 {{result shape [?, 7] does not match the inferred shape [?, 6]}}
  %s = snn.concat %a, %b {axis = 1 : i64} : !snn.spikes<?x4>, !snn.spikes<?x2> -> !snn.spikes<?x7>
  return
}

// -----

func.func @gather_range(%a: !snn.spikes<?x4>) {
  // expected-error @+1 {{index 4 is outside the input's 4 channels}}
  %s = snn.gather_channels %a {indices = array<i64: 0, 4>} : !snn.spikes<?x4> -> !snn.spikes<?x2>
  return
}

// -----

func.func @gather_kind(%a: !snn.spikes<?x4>) {
  // expected-error @+1 {{result must be the same kind of train as the input}}
  %s = snn.gather_channels %a {indices = array<i64: 0>} : !snn.spikes<?x4> -> !snn.current<?x1>
  return
}

// -----

func.func @initial_potential_range(%i: !snn.current<2x4>) {
  // expected-error @+1 {{'initial_potential' is a fraction of the threshold in [0, 1), got 1.000000e+00}}
  %s = snn.if %i {threshold = array<f32: 1.0>, initial_potential = 1.0 : f32} : !snn.current<2x4> -> !snn.spikes<2x4>
  return
}
