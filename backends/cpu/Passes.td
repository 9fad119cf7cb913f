//===- Passes.td - CPU backend passes ----------------------*- tablegen -*-===//

#ifndef SNN_MLIR_BACKENDS_CPU_PASSES_TD
#define SNN_MLIR_BACKENDS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SNNLowerToStep : Pass<"snn-lower-to-step", "ModuleOp"> {
  let summary = "Lower a discrete-time snn network to step functions on a "
                "state buffer (the C API of generated code)";
  let description = [{
    Replaces the network function with the functions of the generated
    model's C API, in upstream dialects (func, scf, memref, arith, math) on
    one state buffer per sample (`memref<BYTES x i8>`):

    - `PREFIX_reset(state)`: clear potentials, refractory and max-pool
      counters, readout sums, the step counter and the spike counts;
    - `PREFIX_set_input(state, x)`: copy one sample (`C×H×W` or `K` floats,
      NCHW) into the state;
    - `PREFIX_step(state)`: one time step of every layer in program order;
    - `PREFIX_run(state, steps)`: `steps` time steps;
    - `PREFIX_read_output(state, out)`: the readout (the accumulated
      potential, or the spike rate over the steps done);
    - `PREFIX_layer_spikes(state, counts)`: spikes of each spiking layer
      (Poisson encoders and neuron layers, in program order) since reset.

    Weights become private constant `memref.global`s, transposed for the
    event-driven synapse loops: every nonzero input adds its weights to the
    outputs it reaches, in ascending input order and with one fused
    multiply-add per synapse (`fma=true`), as the runtime's reference
    kernels do, so that spike counts are bit-identical to
    `snn-run eval --reference-order`. 4-D values are stored channel-last.
    Poisson encoding uses the runtime's counter-based generator.

    Supported: `encode_poisson`, `encode_direct`, `encode_events` (the
    input stays `T×C×H×W` per sample; step t reads frame t), `dense`, `conv2d` (strides,
    pads, dilations, groups), `avg_pool`, `max_pool` (spike-gated), `add`,
    `flatten`, `if`, `lif` (both resets, refractory periods, per-channel
    thresholds), `accumulate` and `spike_rate` as the function's result.

    TTFS networks (continuous time: `encode_ttfs`, optional `flatten`,
    `dense` + `ttfs_neuron` pairs, `first_spike`) get an exact event loop
    instead of a discrete approximation: one step simulates the whole window
    as the runtime's TTFS simulator does (inputs before `t_max` and the bias
    spike merge-sorted stably by time, added in order until every neuron has
    fired, spike times from the closed form), and the output is the spike
    times (`+inf`: none). Other ops are refused with an error at the op.
  }];
  let options = [
    Option<"prefix", "prefix", "std::string", "\"snn_model\"",
           "Prefix of the generated function and constant names">,
    Option<"functionName", "function", "std::string", "\"main\"",
           "The network function to lower">,
    Option<"fma", "fma", "bool", "true",
           "One rounding per synaptic multiply-add (math.fma), as the "
           "runtime built for FMA hardware">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // SNN_MLIR_BACKENDS_CPU_PASSES_TD
