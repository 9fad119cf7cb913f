// RUN: snn-opt %s --convert-snn-to-llvm="prefix=m" | FileCheck %s
// RUN: snn-translate --snn-to-c-header --snn-prefix=m %s | FileCheck %s --check-prefix=HEADER
// RUN: not snn-translate --snn-to-object --snn-prefix=1x %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=PREFIX
// RUN: not snn-translate --snn-to-object --snn-cpu=bogus %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=CPU

// The whole pipeline down to the LLVM dialect: every memref argument is a
// bare pointer (the C API of the header), weights are LLVM globals.
// CHECK-NOT: snn.
// CHECK-DAG: llvm.func @m_reset(%{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.func @m_set_input(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.func @m_step(%{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.func @m_run(%{{.*}}: !llvm.ptr, %{{.*}}: i64)
// CHECK-DAG: llvm.func @m_read_output(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.func @m_layer_spikes(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.func @m_model_hash() -> i64
// CHECK-DAG: llvm.mlir.global private constant @m_const0
// CHECK-DAG: llvm.intr.fma

// HEADER: #ifndef M_H
// HEADER: #define M_TIMESTEPS 8
// HEADER: #define M_INPUT_SIZE 4
// HEADER: #define M_OUTPUT_SIZE 3
// HEADER: #define M_NUM_SPIKING_LAYERS 1
// HEADER: #define M_STATE_BYTES {{[0-9]+}}
// HEADER: #define M_MODEL_HASH UINT64_C(0x{{[0-9A-F]+}})
// HEADER: void m_step(void *state);
// HEADER: void m_run(void *state, int64_t steps);
// HEADER: uint64_t m_model_hash(void);
// HEADER: static const char *const names[] = {"snn.if 'hidden'", 0};
// HEADER: static inline int m_model_matches(void) {
// HEADER-NEXT: return m_model_hash() == M_MODEL_HASH;
// HEADER: static inline void *m_create(void) {
// HEADER-NEXT: if (!m_model_matches())
// HEADER-NEXT: return 0;
// HEADER: static inline int m_classify(

// PREFIX: --snn-prefix '1x' is not a C identifier
// CPU: error: CPU backend: unknown CPU 'bogus'
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w = nn.constant dense<0.5> : tensor<3x4xf32>
  %e = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i = snn.dense %e, %w : !snn.current<?x4>, tensor<3x4xf32> -> !snn.current<?x3>
  %s = snn.if %i {threshold = array<f32: 1.0>} : !snn.current<?x3> -> !snn.spikes<?x3> loc("hidden")
  %r = snn.accumulate %i : !snn.current<?x3> -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
