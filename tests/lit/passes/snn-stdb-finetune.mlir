// STDB fine-tuning as a pass, on a data set of two 2×2 images written here:
// pixel bytes {0, 128, 255, 51} (label 1) and {255, 0, 0, 0} (label 0).
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\000\200\377\063\377\000\000\000' > %t/train-images-idx3-ubyte
// RUN: printf '\000\000\010\001\000\000\000\002\001\000' > %t/train-labels-idx1-ubyte
// RUN: snn-opt %s --snn-stdb-finetune="data=%t timesteps=4 batch=2 lr=0.1 optimizer=sgd weight-decay=0" | FileCheck %s
// RUN: not snn-opt %s --snn-stdb-finetune="data=%t validation=2" 2>&1 | FileCheck %s --check-prefix=SPLIT
// RUN: not snn-opt %s --snn-stdb-finetune="data=%t optimizer=rmsprop" 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not snn-opt %s --snn-stdb-finetune="data=%t/missing" 2>&1 | FileCheck %s --check-prefix=NODATA

// By hand, T = 4 (logits = readout / 4): image 1 drives hidden neuron 1
// with 0.502 (spikes at steps 1 and 3), image 2 drives neuron 0 with 1
// (spikes at every step). Readouts {0, 2} and {4, 0}; softmax gives
// ∂L/∂readout = (p − y) / (2 images · 4) = {0.04719, −0.04719} and
// {−0.03361, 0.03361}; ∂L/∂W2[j][i] = Σ ∂L/∂readout_j · count_i =
// [[−0.13445, 0.09438], [0.13445, −0.09438]]; one SGD step of 0.1 (the
// first momentum step is the gradient) moves the identity W2 to
// [[1.013445, −0.009438], [−0.013445, 1.009438]]. W1 moves by the STDB
// surrogate; the threshold stays.
// CHECK: func.func @main({{.*}} attributes {snn.time = #snn.discrete<timesteps = 4,
// CHECK: %[[W2:.*]] = nn.constant dense<{{\[\[}}1.01344{{[0-9]*}}, -0.00943{{[0-9]*}}], [-0.01344{{[0-9]*}}, 1.00943{{[0-9]*}}]]> : tensor<2x2xf32>
// CHECK: snn.if %{{.*}} {threshold = array<f32: 1.000000e+00>}
// CHECK: snn.dense %{{.*}}, %[[W2]]

// SPLIT: error: BPTT training (STDB/BPSTA) failed: the validation split (2 images) leaves no training images out of 2
// OPT: error: snn-stdb-finetune: optimizer must be 'adam' or 'sgd', got 'rmsprop'
// NODATA: error: {{.*}}missing: no such folder

func.func @main(%x: tensor<?x4xf32>) -> tensor<?x2xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w1 = nn.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %w2 = nn.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %s0 = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i1 = snn.dense %s0, %w1 : !snn.current<?x4>, tensor<2x4xf32> -> !snn.current<?x2>
  %s1 = snn.if %i1 {threshold = array<f32: 1.0>} : !snn.current<?x2> -> !snn.spikes<?x2>
  %i2 = snn.dense %s1, %w2 : !snn.spikes<?x2>, tensor<2x2xf32> -> !snn.current<?x2>
  %o = snn.accumulate %i2 : !snn.current<?x2> -> tensor<?x2xf32>
  return %o : tensor<?x2xf32>
}
