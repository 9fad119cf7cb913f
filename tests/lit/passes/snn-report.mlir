// RUN: snn-opt %s --snn-report -o /dev/null | FileCheck %s
// RUN: snn-opt %s --snn-report="format=json" -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: snn-opt %s --snn-report="output=%t.txt" | FileCheck %s --check-prefix=MODULE
// RUN: FileCheck %s --input-file=%t.txt
// RUN: not snn-opt %s --snn-report="output=%t.missing/dir/report.txt" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOWRITE

// CHECK-LABEL: snn-report @net: discrete time, T = 16, dt = 1
// CHECK: #  op              shape                neurons    synapses    params  notes
// CHECK-NEXT: 0  encode_poisson  ?x1x8x8                   64           -         -  seed=3
// CHECK-NEXT: 1  conv2d          ?x4x8x8                    -        2304        40
// CHECK-NEXT: 2  if              ?x4x8x8                  256           -         -  V_th=1.5, reset=subtract
// CHECK-NEXT: 3  avg_pool        ?x4x4x4                    -         256         0
// CHECK-NEXT: 4  lif             ?x4x4x4                   64           -         -  V_th per channel in [0.5, 2], leak=0.9, reset=zero, refractory=1
// CHECK-NEXT: 5  flatten         ?x64                       -           -         -
// CHECK-NEXT: 6  dense           ?x10                       -         640       650
// CHECK-NEXT: 7  accumulate      ?x10                       -           -         -
// CHECK-NEXT: total: 384 neurons, 3200 synapses, 690 parameters per sample
// CHECK-NOT: @plain

// JSON: "functions": [
// JSON: "layers": [
// JSON: "op": "conv2d",
// JSON-NEXT: "params": 40,
// JSON-NEXT: "shape": "?x4x8x8",
// JSON-NEXT: "synapses": 2304
// JSON: "name": "net",
// JSON: "totals": {
// JSON-NEXT: "neurons": 384,
// JSON-NEXT: "params": 690,
// JSON-NEXT: "synapses": 3200

// The pass leaves the module unchanged.
// MODULE: func.func @net
// MODULE: snn.accumulate

// NOWRITE: error: snn-report: cannot write '{{.*}}report.txt'

func.func @net(%img: tensor<?x1x8x8xf32>) -> tensor<?x10xf32>
    attributes {snn.time = #snn.discrete<timesteps = 16>} {
  %w1 = nn.constant dense<0.1> : tensor<4x1x3x3xf32>
  %b1 = nn.constant dense<0.0> : tensor<4xf32>
  %w2 = nn.constant dense<0.1> : tensor<10x64xf32>
  %b2 = nn.constant dense<0.0> : tensor<10xf32>
  %x = snn.encode_poisson %img {seed = 3 : i64} : tensor<?x1x8x8xf32> -> !snn.spikes<?x1x8x8>
  %i1 = snn.conv2d %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : !snn.spikes<?x1x8x8>, tensor<4x1x3x3xf32>, tensor<4xf32> -> !snn.current<?x4x8x8>
  %s1 = snn.if %i1 {threshold = array<f32: 1.5>} : !snn.current<?x4x8x8> -> !snn.spikes<?x4x8x8>
  %p = snn.avg_pool %s1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : !snn.spikes<?x4x8x8> -> !snn.current<?x4x4x4>
  %s2 = snn.lif %p {threshold = array<f32: 0.5, 1.0, 2.0, 1.0>, leak = 0.9 : f32, reset = #snn.reset<zero>, refractory = 1 : i64}
      : !snn.current<?x4x4x4> -> !snn.spikes<?x4x4x4>
  %f = snn.flatten %s2 : !snn.spikes<?x4x4x4> -> !snn.spikes<?x64>
  %i3 = snn.dense %f, %w2, %b2 : !snn.spikes<?x64>, tensor<10x64xf32>, tensor<10xf32> -> !snn.current<?x10>
  %o = snn.accumulate %i3 : !snn.current<?x10> -> tensor<?x10xf32>
  return %o : tensor<?x10xf32>
}

// A function without spiking ops is not reported.
func.func @plain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = nn.relu %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
