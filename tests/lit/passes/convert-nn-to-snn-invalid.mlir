// RUN: snn-opt %s --convert-nn-to-snn --split-input-file -verify-diagnostics
// RUN: not snn-opt %s --convert-nn-to-snn="neuron=izhikevich" 2>&1 | FileCheck %s --check-prefix=NEURON
// RUN: not snn-opt %s --convert-nn-to-snn="timesteps=0" 2>&1 | FileCheck %s --check-prefix=STEPS
// RUN: not snn-opt %s --convert-nn-to-snn="timesteps=1000000000" 2>&1 | FileCheck %s --check-prefix=STEPS-HUGE

// STEPS-HUGE: error: convert-nn-to-snn: timesteps must be from 1 to 16777216, got 1000000000

// NEURON: error: convert-nn-to-snn: neuron must be 'if' or 'lif', got 'izhikevich'
// STEPS: error: convert-nn-to-snn: timesteps must be from 1 to 16777216, got 0

func.func @batch_norm(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'nn.batch_norm' op has no spiking form: batch-norm must be folded into the preceding layer first (--nn-fold-batchnorm)}}
  %y = nn.batch_norm %x, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

func.func @leaky(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.leaky_relu' op has no spiking form: negative slopes cannot be expressed by spike rates}}
  %y = nn.leaky_relu %x : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @hidden_softmax(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.softmax' op has no spiking form: softmax in a hidden layer (only a final softmax, which does not change the class, is dropped)}}
  %s = nn.softmax %x : tensor<1x4xf32>
  %r = nn.relu %s : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

func.func @max_of_current(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %w = nn.constant dense<1.0> : tensor<1x1x1x1xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  // expected-error @+1 {{'nn.max_pool' op has no spiking form: max pooling needs spikes (put it right after a ReLU)}}
  %m = nn.max_pool %c {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %m : tensor<1x1x2x2xf32>
}

// -----

func.func @reshape(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'nn.reshape' op has no spiking form: only reshapes that flatten all but the batch dimension are supported}}
  %r = nn.reshape %x {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}

// -----

func.func @pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32> {
  // expected-error @+1 {{'nn.pad' op has no spiking form: explicit padding of spike trains; fold it into the next convolution's pads}}
  %p = nn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32>
  return %p : tensor<1x1x6x6xf32>
}

// -----

func.func @add_constant(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %c = nn.constant dense<1.0> : tensor<1x4xf32>
  // expected-error @+1 {{'nn.add' op has no spiking form: adding a constant to activations is only supported as the bias of the dense layer right before it}}
  %a = nn.add %x, %c : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %a : tensor<1x4xf32>
}

// -----

func.func @clip(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.clip' op has no spiking form: only clips with min = 0 (ReLU-like) become neurons}}
  %c = nn.clip %x {min = -1.0 : f32, max = 1.0 : f32} : tensor<1x4xf32>
  %r = nn.relu %c : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

func.func @trans_a(%x: tensor<4x2xf32>) -> tensor<2x3xf32> {
  %w = nn.constant dense<1.0> : tensor<4x3xf32>
  // expected-error @+1 {{'nn.gemm' op has no spiking form: transA = true puts the batch in the weights}}
  %g = nn.gemm %x, %w {transA = true} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}

// -----

func.func @weights_not_constant(%x: tensor<1x4xf32>, %w: tensor<4x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.matmul' op has no spiking form: only 2-D inputs times constant 2-D weights become dense synapses}}
  %m = nn.matmul %x, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  return %m : tensor<1x4xf32>
}

// -----

// An already converted network gets no second encoder: it is refused.
// expected-error @+1 {{convert-nn-to-snn: @converted is already a spiking network (it has 'snn.encode_direct'); convert the ANN (the nn-dialect module from --import-onnx) instead}}
func.func @converted(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w = nn.constant dense<0.5> : tensor<3x4xf32>
  %e = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i = snn.dense %e, %w : !snn.current<?x4>, tensor<3x4xf32> -> !snn.current<?x3>
  %r = snn.accumulate %i : !snn.current<?x3> -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// -----

func.func @concat_batch(%x: tensor<1x2xf32>) -> tensor<2x2xf32> {
  %w = nn.constant dense<0.1> : tensor<2x2xf32>
  %g = nn.gemm %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %r = nn.relu %g : tensor<1x2xf32>
  // expected-error @+1 {{has no spiking form: joining along the batch dimension mixes samples}}
  %j = nn.concat %r, %r {axis = 0 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  return %j : tensor<2x2xf32>
}

// -----

func.func @slice_rows(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x4xf32> {
  %w = nn.constant dense<0.1> : tensor<2x2x1x1xf32>
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = nn.relu %c : tensor<1x2x4x4xf32>
  // expected-error @+1 {{has no spiking form: only slices along the channels (dimension 1) are supported}}
  %s = nn.slice %r {starts = array<i64: 0>, ends = array<i64: 2>, axes = array<i64: 2>, steps = array<i64: 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x4xf32>
  return %s : tensor<1x2x2x4xf32>
}
