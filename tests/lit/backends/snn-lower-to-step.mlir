// RUN: snn-opt %s --snn-lower-to-step="prefix=net" -split-input-file | FileCheck %s
// RUN: snn-opt %s --snn-lower-to-step="prefix=net fma=false" -split-input-file | FileCheck %s --check-prefix=NOFMA

// A Poisson-encoded dense IF layer with an accumulate readout: the C API
// functions on one state buffer, the transposed weight as a constant global,
// event-driven synapse loops with fused multiply-adds, and the network
// function gone.

// CHECK-NOT: func.func @main
// The weight, transposed to K×M (4×3), and the bias.
// CHECK: memref.global "private" constant @net_const0 : memref<12xf32> = dense<[1.000000e+00, 4.000000e+00, 7.000000e+00, 2.000000e+00
// CHECK: memref.global "private" constant @net_const1 : memref<3xf32>
// CHECK:       func.func @net_reset(%{{.*}}: memref<[[BYTES:[0-9]+]]xi8>)
// CHECK:         scf.for
// CHECK:           memref.store %{{.*}} : memref<{{[0-9]+}}xi32>
// CHECK:       func.func @net_set_input(%{{.*}}: memref<[[BYTES]]xi8>, %{{.*}}: memref<4xf32>)
// CHECK:       func.func @net_step(%{{.*}}: memref<[[BYTES]]xi8>)
// Poisson: SplitMix64 over (seed, step, element).
// CHECK:         arith.shrui
// CHECK:         arith.uitofp
// CHECK:         arith.cmpf olt
// The bias first, then every nonzero input adds its weight row.
// CHECK:         memref.get_global @net_const0 : memref<12xf32>
// CHECK:         memref.get_global @net_const1 : memref<3xf32>
// CHECK:         arith.cmpf one
// CHECK:         scf.if
// CHECK:           math.fma
// IF neurons: u + I, spike when u ≥ V_th, subtract reset, spikes counted.
// CHECK:         arith.cmpf oge
// CHECK:         arith.subf
// CHECK:         arith.extui
// The step counter.
// CHECK:         arith.addi %{{.*}}, %c1_i64
// CHECK:       func.func @net_run(%{{.*}}: memref<[[BYTES]]xi8>, %{{.*}}: i64)
// CHECK:         call @net_step
// CHECK:       func.func @net_read_output(%{{.*}}: memref<[[BYTES]]xi8>, %{{.*}}: memref<3xf32>)
// CHECK:       func.func @net_layer_spikes(%{{.*}}: memref<[[BYTES]]xi8>, %{{.*}}: memref<2xi64>)

// NOFMA-NOT: math.fma
// NOFMA: arith.mulf
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

// -----

// LIF with zero reset, a refractory period and per-channel thresholds on a
// channel-last 4-D value; a spike-rate readout of the flattened value divides
// by the steps done and writes NCHW order.

// CHECK:       func.func @net_step
// CHECK:         memref.get_global @net_const{{[0-9]+}} : memref<2xf32>
// CHECK:         arith.remsi
// CHECK:         memref.load %{{.*}} : memref<{{[0-9]+}}xi32>
// CHECK:         arith.cmpi sgt
// CHECK:         scf.if
// CHECK:           arith.subi
// CHECK:         } else {
// CHECK:           math.fma
// CHECK:           arith.cmpf oge
// CHECK:           arith.constant 3 : i32
// CHECK:       func.func @net_read_output
// CHECK:         arith.sitofp
// CHECK:         arith.divf
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

// -----

// Event frames: the input stays T×C×H×W per sample; step t copies frame t
// (zeros after the last, T = 3 here) channel-last and counts its nonzeros.

// CHECK:       func.func @net_set_input(%{{.*}}: memref<{{[0-9]+}}xi8>, %{{.*}}: memref<24xf32>)
// CHECK:       func.func @net_step
// CHECK:         arith.cmpi slt, %{{.*}}, %c3_i64
// CHECK:         arith.minsi %{{.*}}, %c2_i64
// CHECK:         arith.select
// CHECK:         arith.cmpf one
func.func @main(%x: tensor<?x3x2x2x2xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.discrete<timesteps = 3>} {
  %w = nn.constant dense<0.5> : tensor<2x8xf32>
  %e = snn.encode_events %x : tensor<?x3x2x2x2xf32> -> !snn.spikes<?x2x2x2>
  %f = snn.flatten %e : !snn.spikes<?x2x2x2> -> !snn.spikes<?x8>
  %i = snn.dense %f, %w : !snn.spikes<?x8>, tensor<2x8xf32> -> !snn.current<?x2>
  %r = snn.accumulate %i : !snn.current<?x2> -> tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}

// -----

// Initial potentials: reset clears the state, then sets each membrane to
// initial_potential · V_th of its channel (per-channel thresholds from a
// table).

// CHECK:       func.func @net_reset
// CHECK:         scf.for
// CHECK:           memref.store %c0_i32
// CHECK-NEXT:    }
// CHECK:         memref.get_global
// CHECK:         scf.for
// CHECK:           arith.remsi
// CHECK:           memref.load
// CHECK:           arith.mulf %cst{{.*}}, %{{.*}} : f32
// CHECK:           memref.store
// CHECK:         return
// CHECK:       func.func @net_set_input
func.func @main(%x: tensor<?x1x2x2xf32>) -> tensor<?x8xf32>
    attributes {snn.time = #snn.discrete<timesteps = 4>} {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %e = snn.encode_direct %x : tensor<?x1x2x2xf32> -> !snn.current<?x1x2x2>
  %c = snn.conv2d %e, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : !snn.current<?x1x2x2>, tensor<2x1x1x1xf32> -> !snn.current<?x2x2x2>
  %s = snn.if %c {threshold = array<f32: 0.5, 0.7>, initial_potential = 0.5 : f32} : !snn.current<?x2x2x2> -> !snn.spikes<?x2x2x2>
  %f = snn.flatten %s : !snn.spikes<?x2x2x2> -> !snn.spikes<?x8>
  %r = snn.spike_rate %f : !snn.spikes<?x8> -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
