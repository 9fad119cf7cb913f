// What --snn-to-object makes of modules that are not one network alone.
// RUN: rm -rf %t && split-file %s %t
// RUN: snn-translate --snn-to-object %t/two-functions.mlir -o %t/two.o
// RUN: test -s %t/two.o
// RUN: snn-translate --snn-to-c-header %t/two-functions.mlir | FileCheck %s --check-prefix=HEADER
// RUN: not snn-translate --snn-to-object %t/ann.mlir -o %t/ann.o 2>&1 | FileCheck %s --check-prefix=ANN
// RUN: not test -e %t/ann.o

// A second function is left out of the object: @main is the network.
// HEADER: #define SNN_MODEL_OUTPUT_SIZE 3
// An ANN is named as such, not as a network in the wrong time model; the
// failed run leaves no output file.
// ANN: error: @main is not a spiking network (it has no snn ops): convert it first, e.g. snn-opt --snn-rate-pipeline

//--- two-functions.mlir
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w = nn.constant dense<0.5> : tensor<3x4xf32>
  %e = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i = snn.dense %e, %w : !snn.current<?x4>, tensor<3x4xf32> -> !snn.current<?x3>
  %s = snn.if %i {threshold = array<f32: 1.0>} : !snn.current<?x3> -> !snn.spikes<?x3>
  %r = snn.accumulate %i : !snn.current<?x3> -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
func.func @other(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = nn.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

//--- ann.mlir
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = nn.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
