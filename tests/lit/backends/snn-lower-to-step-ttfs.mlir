// RUN: snn-opt %s --snn-lower-to-step="prefix=t" | FileCheck %s

// A TTFS network: one step simulates the window exactly. The input is
// encoded into spike times, the firing inputs and the bias spike are merge
// sorted by time (stable, unrolled passes), a while loop adds them in order
// until every neuron fired, and spike times come from the closed form,
// clamped into the interval of the crossing.

// CHECK-DAG: memref.global "private" constant @t_const0 : memref<3xf32>
// CHECK-DAG: memref.global "private" constant @t_const1 : memref<15xf32>
// CHECK: func.func @t_step(%{{.*}}: memref<{{[0-9]+}}xi8>)
// Encoding: x ≤ 0 never fires, x ≥ 1 at 0, else τ·(1 − x).
// CHECK:   arith.cmpf ole
// CHECK:   arith.cmpf oge
// Inputs before t_max.
// CHECK:   arith.cmpf olt
// Merge passes of width 1, 2 and 4 for 5 entries (4 inputs + bias).
// CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c2
// CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
// CHECK:   scf.while
// CHECK:     math.fma
// CHECK:     arith.negf
// CHECK:     math.fma
// CHECK:     arith.cmpf oge
// CHECK:   arith.divf
// CHECK: func.func @t_run(%{{.*}}: memref<{{[0-9]+}}xi8>, %{{.*}}: i64)
// CHECK:   arith.minsi
// CHECK: func.func @t_read_output(%{{.*}}: memref<{{[0-9]+}}xi8>, %{{.*}}: memref<3xf32>)
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
