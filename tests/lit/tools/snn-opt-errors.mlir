// Malformed input gets a located diagnostic and a non-zero exit, never a crash
// (`not` fails on a crash).
// RUN: split-file %s %t
// RUN: not snn-opt %t/syntax.mlir 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not snn-opt %t/unknown-op.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not snn-opt %t/bad-type.mlir 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: not snn-opt %t/truncated.mlir 2>&1 | FileCheck %s --check-prefix=TRUNC
// RUN: not snn-opt %t/does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING

// SYNTAX: syntax.mlir:2:28: error: expected ':'
// UNKNOWN: unknown-op.mlir:2:8: error: custom op 'snn.fire' is unknown
// TYPE: bad-type.mlir:1:33: error: invalid dimension
// TRUNC: truncated.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
// MISSING: snn-opt: cannot read {{.*}}does-not-exist.mlir: No such file or directory

//--- syntax.mlir
func.func @f(%x: tensor<4xf32>) {
  %0 = snn.encode_direct %x tensor<4xf32> -> !snn.current<4>
  return
}

//--- unknown-op.mlir
func.func @f(%x: !snn.current<4>) {
  %0 = snn.fire %x : !snn.current<4>
  return
}

//--- bad-type.mlir
func.func @f(%x: !snn.current<4x>) {
  return
}

//--- truncated.mlir
func.func @f(%x: tensor<4xf32>) -> !snn.current<4> {
  %0 = snn.encode_direct %x : tensor<4xf32> -> !snn.
