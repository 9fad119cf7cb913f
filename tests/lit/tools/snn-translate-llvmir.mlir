// RUN: snn-translate --mlir-to-llvmir %s | FileCheck %s
// RUN: not snn-translate --mlir-to-llvmir %S/../dialect/nn/ops.mlir 2>&1 | FileCheck %s --check-prefix=NOLLVM

// A lowered step function (LLVM dialect) becomes LLVM IR.
// CHECK: define float @if_step(float %{{.*}}, float %{{.*}})
// CHECK: fadd float
llvm.func @if_step(%u: f32, %i: f32) -> f32 {
  %0 = llvm.fadd %u, %i : f32
  llvm.return %0 : f32
}

// Networks that are not lowered yet are refused with a located error.
// NOLLVM: ops.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
