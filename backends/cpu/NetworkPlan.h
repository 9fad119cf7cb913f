//===- NetworkPlan.h - a discrete-time network laid out for codegen -*- C++
//-*-//
//
// What the CPU backend needs to know about an `snn` function before it
// generates code: the supported ops in program order, one state buffer per
// value, neuron and readout state, the spiking layers whose spikes are
// counted, and the size of the whole state. The step lowering and the C
// header are both written from this plan, so they always agree.
//
// Layout: one state blob per sample (batch 1), 64-byte aligned regions:
//   [steps done (i64)] [spike count per spiking layer (i64)]
//   [membranes, refractory counters, max-pool counts, readout sums]
//   [per-step values] [input]
// 4-D values (N×C×H×W in the dialect) are stored channel-last (H×W×C) so
// that the event-driven synapse loops run over contiguous output channels.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_BACKENDS_CPU_NETWORKPLAN_H
#define SNN_MLIR_BACKENDS_CPU_NETWORKPLAN_H

#include "runtime/ttfs/Ttfs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::snnmlir::cpu {

/// Where a value lives in the state: `size` floats at byte `offset`. When
/// `chw` is set the value is (or was flattened from) a C×H×W tensor stored
/// channel-last.
struct BufferInfo {
  int64_t offset = 0;
  int64_t size = 0;
  SmallVector<int64_t, 3> chw;
  bool channelLast() const { return !chw.empty(); }
};

/// A layer whose spikes the generated code counts (neuron layers and Poisson
/// encoders), as the runtime simulator's per-layer statistics do.
struct SpikingLayer {
  std::string name;
  int64_t neurons = 0;
};

/// State of one layer of a TTFS network (byte offsets): its input times
/// plus the bias spike at t = 0 (in + 1 floats), the firing inputs in time
/// order and a scratch copy for the merge sort (in + 1 ints each), their
/// sorted times, per neuron the causal sums W and Σ w·t (running and frozen
/// at the spike), fired flags, causal input counts, the spike times, and for
/// a convolution (simulated event-driven) the position of each neuron's
/// latest input (-1, none allocated, for a dense layer).
struct TtfsLayerState {
  int64_t times, order, scratch, sorted, W, WT, Wf, WTf, done, causal, out,
      last;
};

struct NetworkPlan {
  func::FuncOp function;
  /// Identifies the network (bridge::networkHash of the function): the
  /// object's `PREFIX_model_hash()` returns it and the C header's
  /// `PREFIX_create()` checks it, so that a header and an object of
  /// different networks cannot be used together.
  uint64_t modelHash = 0;
  int64_t timesteps = 0;
  /// A TTFS network (continuous time): `ttfs` holds it as the runtime's
  /// exact simulator reads it, one step simulates the whole window, and the
  /// readout is the output spike times (+inf: no spike; class = argmin).
  std::shared_ptr<const snnrt::ttfs::Network> ttfs;
  std::vector<TtfsLayerState> ttfsLayers;
  SmallVector<int64_t> inputShape;  // one sample, NCHW without the batch
  SmallVector<int64_t> outputShape; // one sample
  int64_t inputSize = 0, outputSize = 0;
  bool spikeRateReadout = false; // else the accumulated potential
  std::vector<SpikingLayer> spiking;
  /// Ops in program order (constants and the return excluded).
  std::vector<Operation *> ops;
  llvm::DenseMap<Value, BufferInfo> buffers;
  /// Per op: its state (membrane, max-pool counts or readout sums), and the
  /// refractory counters (i32) of neurons that have them.
  llvm::DenseMap<Operation *, int64_t> stateOffset, refractoryOffset;
  /// Per counted op: its index in `spiking`.
  llvm::DenseMap<Operation *, int64_t> spikingIndex;
  int64_t stepsOffset = 0, countsOffset = 0, inputOffset = 0;
  /// Bytes [0, resetBytes) are cleared by reset; the input comes after.
  int64_t resetBytes = 0;
  int64_t stateBytes = 0;
};

/// Plans @`funcName` of `module`; emits an error at the op that the backend
/// cannot lower (continuous time, unsupported ops, dynamic sizes, ...).
FailureOr<NetworkPlan> planNetwork(ModuleOp module,
                                   StringRef funcName = "main");

} // namespace mlir::snnmlir::cpu

#endif // SNN_MLIR_BACKENDS_CPU_NETWORKPLAN_H
