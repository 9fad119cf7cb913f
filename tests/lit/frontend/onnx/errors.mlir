// Bad ONNX input: one error line that names the node, exit code 1, no crash.
// RUN: rm -rf %t && split-file %s %t
// RUN: printf 'this is not a model' > %t/random.onnx
// RUN: not snn-translate --import-onnx %t/random.onnx 2>&1 | FileCheck %s --check-prefix=RANDOM
// RUN: head -c 40 %onnx_testdata/node/test_conv_with_strides_padding/model.onnx > %t/truncated.onnx
// RUN: not snn-translate --import-onnx %t/truncated.onnx 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: onnx-fixture %t/unknown-op.onnxtext %t/unknown-op.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/unknown-op.onnx 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: onnx-fixture %t/unsupported-op.onnxtext %t/unsupported-op.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/unsupported-op.onnx 2>&1 | FileCheck %s --check-prefix=NOT-OURS
// RUN: onnx-fixture %t/bad-attr.onnxtext %t/bad-attr.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/bad-attr.onnx 2>&1 | FileCheck %s --check-prefix=ATTR
// RUN: onnx-fixture %t/bad-attr2.onnxtext %t/bad-attr2.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/bad-attr2.onnx 2>&1 | FileCheck %s --check-prefix=ATTR2
// RUN: onnx-fixture %t/missing-init.onnxtext %t/missing-init.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/missing-init.onnx 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: onnx-fixture %t/cycle.onnxtext %t/cycle.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/cycle.onnx 2>&1 | FileCheck %s --check-prefix=CYCLE
// RUN: onnx-fixture %t/shapes.onnxtext %t/shapes.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/shapes.onnx 2>&1 | FileCheck %s --check-prefix=SHAPES
// RUN: onnx-fixture %t/data-size.onnxtext %t/data-size.onnx --short-data w
// RUN: not snn-translate --import-onnx %t/data-size.onnx 2>&1 | FileCheck %s --check-prefix=DATA
// RUN: onnx-fixture %t/absurd.onnxtext %t/absurd.onnx
// RUN: not snn-translate --import-onnx %t/absurd.onnx 2>&1 | FileCheck %s --check-prefix=ABSURD
// RUN: onnx-fixture %t/absurd-init.onnxtext %t/absurd-init.onnx
// RUN: not snn-translate --import-onnx %t/absurd-init.onnx 2>&1 | FileCheck %s --check-prefix=ABSURD-INIT
// RUN: onnx-fixture %t/nan-init.onnxtext %t/nan-init.onnx --nan-data w
// RUN: not snn-translate --import-onnx %t/nan-init.onnx 2>&1 | FileCheck %s --check-prefix=NAN
// RUN: snn-translate --import-onnx --onnx-allow-nonfinite %t/nan-init.onnx | FileCheck %s --check-prefix=NAN-ALLOWED
// RUN: not snn-translate --import-onnx %t/text-syntax.onnxtext 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: onnx-fixture %t/int-input.onnxtext %t/int-input.onnx
// RUN: not snn-translate --import-onnx %t/int-input.onnx 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: onnx-fixture %t/clip-input.onnxtext %t/clip-input.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/clip-input.onnx 2>&1 | FileCheck %s --check-prefix=CLIP
// RUN: onnx-fixture %t/conv3d.onnxtext %t/conv3d.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/conv3d.onnx 2>&1 | FileCheck %s --check-prefix=CONV3D
// RUN: onnx-fixture %t/verifier.onnxtext %t/verifier.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/verifier.onnx 2>&1 | FileCheck %s --check-prefix=VERIFIER
// RUN: onnx-fixture %t/dangling.onnxtext %t/dangling.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/dangling.onnx 2>&1 | FileCheck %s --check-prefix=DANGLING
// RUN: onnx-fixture %t/verifier2.onnxtext %t/verifier2.onnx --name-nodes
// RUN: not snn-translate --import-onnx %t/verifier2.onnx 2>&1 | FileCheck %s --check-prefix=VERIFIER2

// RANDOM: random.onnx:0:0: error: not an ONNX model: the protobuf cannot be parsed (truncated or not a ModelProto)
// TRUNCATED: truncated.onnx:0:0: error: {{not an ONNX model|invalid ONNX model}}
// UNKNOWN: error: invalid ONNX model: No Op registered for Frobnicate with domain_version of 17 ==> Context: Bad node spec for node. Name: y OpType: Frobnicate
// NOT-OURS: error: node 'y' (Elu, opset 17): op type 'Elu' is not supported
// ATTR: error: node 'y' (Pad, opset 17): attribute mode = 'reflect' is not supported
// ATTR2: error: node 'y' (MaxPool, opset 17): attribute storage_order = 1 is not supported
// MISSING: error: invalid ONNX model: Nodes in a graph must be topologically sorted, however input 'w' of node: name: y OpType: Gemm is not output of any previous nodes.
// CYCLE: error: invalid ONNX model: Nodes in a graph must be topologically sorted, however input 'b' of node: name: a OpType: Relu is not output of any previous nodes.
// SHAPES: error: invalid ONNX model: [ShapeInferenceError] Shape inference error(s): (op_type:Add, node name: y): [ShapeInferenceError] Incompatible dimensions
// DATA: error: initializer 'w': holds 2 values, but its shape needs 3
// ABSURD: error: graph input 'x' has an unsupported dimension 1000000000000
// ABSURD-INIT: error: initializer 'huge': tensor is absurdly large (more than 2^34 elements)
// NAN: error: tensor 'w' holds NaN at element 1 of 2: weights must be finite (--onnx-allow-nonfinite imports it anyway)
// NAN-ALLOWED: nn.constant {allow_nonfinite} dense<[1.000000e+00, 0x7FC00000]>
// SYNTAX: text-syntax.onnxtext:0:0: error: cannot parse ONNX text:
// DTYPE: error: graph input 'ids' has element type INT64; only float32 tensors are supported
// CLIP: error: node 'y' (Clip, opset 17): bound 'min' must be a constant (initializer or Constant node)
// CONV3D: error: node 'y' (Conv, opset 17): only 2-D convolutions are supported (4-D input and weight), got ranks 5 and 5
// VERIFIER2: error: node 'y' (AveragePool, opset 17): 'nn.avg_pool' op pads must be smaller than the kernel, got [2, 2, 2, 2] for kernel [2, 2]
// DANGLING: error: graph output 'z' is not produced by any node, initializer or input
// VERIFIER: error: node 'y' (Conv, opset 17): 'nn.conv2d' op input channels (3) must equal weight input channels (2) × group (1)

//--- unknown-op.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4] x) => (float[1, 4] y) {
  y = Frobnicate(x)
}

//--- unsupported-op.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4] x) => (float[1, 4] y) {
  y = Elu(x)
}

//--- bad-attr.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4] x) => (float[1, 6] y) <int64[4] p = {0, 1, 0, 1}> {
  y = Pad<mode = "reflect">(x, p)
}

//--- bad-attr2.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 4, 4] x) => (float[1, 1, 2, 2] y) {
  y = MaxPool<kernel_shape = [2, 2], strides = [2, 2], storage_order = 1>(x)
}

//--- missing-init.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4] x) => (float[1, 2] y) {
  y = Gemm<transB = 1>(x, w)
}

//--- cycle.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4] x) => (float[1, 4] y) {
  a = Relu(b)
  b = Relu(a)
  y = Add(a, x)
}

//--- shapes.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 3] x, float[4] z) => (float[2, 3] y) {
  y = Add(x, z)
}

//--- data-size.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3] x) => (float[1, 3] y) <float[3] w = {1.0, 2.0, 3.0}> {
  y = Add(x, w)
}

//--- absurd.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1000000000000, 5] x) => (float[1000000000000, 5] y) {
  y = Relu(x)
}

//--- nan-init.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 2] x) => (float[1, 2] y) <float[2] w = {1.0, 2.0}> {
  y = Add(x, w)
}

//--- absurd-init.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3] x) => (float[1, 3] y) <float[100000, 100000, 100000] huge = {1.0}> {
  y = Add(x, x)
}

//--- text-syntax.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4] x) => (float[1, 4] y) {
  y = Relu(x
}

//--- int-input.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (int64[1, 4] ids) => (int64[1, 4] y) {
  y = Identity(ids)
}

//--- clip-input.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4] x, float lo) => (float[1, 4] y) {
  y = Clip(x, lo)
}

//--- conv3d.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 4, 4, 4] x, float[1, 1, 2, 2, 2] w) => (float[1, 1, 3, 3, 3] y) {
  y = Conv(x, w)
}

//--- verifier.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3, 8, 8] x, float[4, 2, 3, 3] w) => (float[1, 4, 6, 6] y) {
  y = Conv(x, w)
}

//--- verifier2.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3, 8, 8] x) => (float[1, 3, 11, 11] y) {
  y = AveragePool<kernel_shape = [2, 2], pads = [2, 2, 2, 2]>(x)
}

//--- dangling.onnxtext
<ir_version: 6, opset_import: ["" : 11]>
g (float[1, 4] x) => (float[1, 4] y, float[1, 4] z) {
  y = Relu(x)
}
