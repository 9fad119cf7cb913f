//===- Graph.h - an ANN as the runtime executes it --------------*- C++ -*-===//
//
// A straight-line list of ops over numbered value slots, built from an `nn`
// module by the MLIR bridge (runtime/mlir-bridge) or by hand in tests. Each
// op keeps the ONNX semantics of its `nn` namesake.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_ANN_GRAPH_H
#define SNN_MLIR_RUNTIME_ANN_GRAPH_H

#include "runtime/tensor/Tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace snnrt {

enum class OpKind {
  Conv2D,
  Gemm,
  MatMul,
  Add,
  Sub,
  Mul,
  Div,
  Relu,
  LeakyRelu,
  Clip,
  BatchNorm,
  AvgPool,
  MaxPool,
  GlobalAvgPool,
  Flatten,
  Reshape,
  Transpose,
  Concat,
  Pad,
  Softmax,
  Identity,
  // No spiking form: the reference executor only.
  Sigmoid,
  Tanh,
  Erf,
  HardSigmoid,
  HardSwish,
  Gelu,
  ReduceMean,
  Slice
};

const char *opName(OpKind kind);

struct Node {
  OpKind kind;
  std::string name; // for error messages: the op and its source location
  std::vector<int> inputs;
  int output = -1;

  // Window ops (conv, pools): [h, w] / [top, left, bottom, right].
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t group = 1;
  bool ceilMode = false, countIncludePad = false;
  // Gemm.
  float alpha = 1.0f, beta = 1.0f;
  bool transA = false, transB = false;
  // Clip, LeakyRelu, BatchNorm, Pad.
  std::optional<float> min, max;
  float slope = 0.01f, epsilon = 1e-5f, padValue = 0.0f;
  // Flatten, Concat, Softmax; Reshape target; Transpose permutation.
  int64_t axis = 0;
  std::vector<int64_t> shape, perm;
  // ReduceMean (axes, keepdims), Slice (starts, ends, axes, steps);
  // HardSigmoid uses alpha and beta; Gelu's tanh approximation.
  std::vector<int64_t> axes, starts, ends, steps;
  bool keepdims = true, tanhApproximation = false;
};

/// Numbered value slots shared by ANN graphs and spiking networks: inputs,
/// outputs, constants (weights) and the values ops produce.
struct SlotTable {
  /// Slots holding constants (weights) are filled; the others are produced.
  std::vector<std::optional<Tensor>> constants;
  std::vector<int> inputs, outputs;
  /// Declared input shapes (-1 for a dynamic dimension).
  std::vector<Shape> inputShapes;

  int addSlot() {
    constants.emplace_back();
    return int(constants.size()) - 1;
  }
  int addConstant(Tensor t) {
    constants.emplace_back(std::move(t));
    return int(constants.size()) - 1;
  }
};

struct Graph : SlotTable {
  std::vector<Node> nodes;
};

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_ANN_GRAPH_H
