// Initializers stored as external data are read relative to the model's
// folder; absolute paths and paths that leave the folder are refused.
// RUN: rm -rf %t && split-file %s %t && mkdir -p %t/model
// RUN: onnx-fixture %t/net.onnxtext %t/model/net.onnx --external w
// RUN: snn-translate --import-onnx %t/model/net.onnx | FileCheck %s
// RUN: onnx-fixture %t/net.onnxtext %t/model/abs.onnx --external w --external-path /etc/passwd
// RUN: not snn-translate --import-onnx %t/model/abs.onnx 2>&1 | FileCheck %s --check-prefix=ABS
// RUN: onnx-fixture %t/net.onnxtext %t/model/up.onnx --external w --external-path ../w.bin
// RUN: not snn-translate --import-onnx %t/model/up.onnx 2>&1 | FileCheck %s --check-prefix=UP
// RUN: onnx-fixture %t/net.onnxtext %t/model/gone.onnx --external w --external-path missing.bin
// RUN: not snn-translate --import-onnx %t/model/gone.onnx 2>&1 | FileCheck %s --check-prefix=GONE

// CHECK: nn.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: nn.add
// ABS: error: {{.*}}external data path '/etc/passwd' is absolute; only paths inside the model's folder are allowed
// UP: error: {{.*}}external data path '../w.bin' leaves the model's folder
// GONE: error: {{.*}}cannot read external data '{{.*}}missing.bin'

//--- net.onnxtext
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3] x) => (float[1, 3] y) <float[3] w = {1.0, 2.0, 3.0}> {
  y = Add(x, w)
}
