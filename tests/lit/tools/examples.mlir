// The bundled example network that scripts/demo.sh uses stays valid.
// RUN: snn-opt %S/../../../examples/mlp.snn.mlir | snn-opt | FileCheck %s
// RUN: snn-opt %S/../../../examples/mlp.snn.mlir --snn-report -o /dev/null | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func.func @main
// CHECK: snn.encode_poisson
// CHECK: snn.if
// CHECK: snn.accumulate
// REPORT: total: 848 neurons, 50816 synapses, 50880 parameters per sample
