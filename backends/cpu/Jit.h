//===- Jit.h - run a compiled snn network in-process ------------*- C++ -*-===//
//
// The generated code of the CPU backend, compiled at run time by
// mlir::ExecutionEngine (-O3 for this machine's CPU): the same API as the
// object file and its header, for `snn-run eval --engine jit`.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_BACKENDS_CPU_JIT_H
#define SNN_MLIR_BACKENDS_CPU_JIT_H

#include "backends/cpu/CodeGen.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace mlir::snnmlir::cpu {

class JitNetwork {
public:
  /// Compiles the snn network in `module` (left unchanged); diagnostics go
  /// to the module's context.
  static FailureOr<std::unique_ptr<JitNetwork>>
  compile(ModuleOp module, const CodegenOptions &options = {});
  ~JitNetwork();

  int64_t stateBytes() const { return stateBytes_; }
  int64_t inputSize() const { return inputSize_; }
  int64_t outputSize() const { return outputSize_; }
  int64_t timesteps() const { return timesteps_; }
  /// TTFS: the output is spike times (class = argmin, none when all are
  /// +inf); else a readout (class = argmax).
  bool firstSpikeOutput() const { return firstSpike_; }
  const std::vector<std::string> &layerNames() const { return layerNames_; }
  const std::vector<int64_t> &layerNeurons() const { return layerNeurons_; }

  /// A zeroed, 64-byte aligned state, reset (free with std::free).
  void *createState() const;
  void reset(void *state) const { reset_(state); }
  void setInput(void *state, const float *input) const {
    setInput_(state, input);
  }
  void step(void *state) const { step_(state); }
  void run(void *state, int64_t steps) const { run_(state, steps); }
  void readOutput(void *state, float *out) const { readOutput_(state, out); }
  void layerSpikes(void *state, int64_t *counts) const {
    layerSpikes_(state, counts);
  }

private:
  JitNetwork() = default;
  std::unique_ptr<ExecutionEngine> engine_;
  int64_t stateBytes_ = 0, inputSize_ = 0, outputSize_ = 0, timesteps_ = 0;
  bool firstSpike_ = false;
  std::vector<std::string> layerNames_;
  std::vector<int64_t> layerNeurons_;
  void (*reset_)(void *) = nullptr;
  void (*setInput_)(void *, const float *) = nullptr;
  void (*step_)(void *) = nullptr;
  void (*run_)(void *, int64_t) = nullptr;
  void (*readOutput_)(void *, float *) = nullptr;
  void (*layerSpikes_)(void *, int64_t *) = nullptr;
};

} // namespace mlir::snnmlir::cpu

#endif // SNN_MLIR_BACKENDS_CPU_JIT_H
