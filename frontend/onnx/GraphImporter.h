//===- GraphImporter.h - state shared by the ONNX op builders ---*- C++ -*-===//
//
// Internal to the importer (includes ONNX headers; built with -fexceptions).
// The graph importer walks the nodes in order and hands each to the builder
// registered for its op type. Values are MLIR SSA values, or host constants
// (initializers, Constant nodes), or symbolic shape vectors (what exporters
// compute with Shape/Gather/Concat before a Reshape), folded at import time.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_FRONTEND_ONNX_GRAPHIMPORTER_H
#define SNN_MLIR_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::snnmlir::onnx_import {

/// A constant known at import time: float32 or int64 data.
struct HostTensor {
  std::vector<int64_t> dims;
  bool isInt = false;
  std::vector<float> f;
  std::vector<int64_t> i;
  /// Large float32 initializers: the model's raw little-endian bytes, moved
  /// out of the protobuf (not copied) and later lent to a resource blob, so
  /// that the weights exist once in memory. `f` is empty then.
  std::shared_ptr<std::string> raw;

  int64_t numElements() const;
  /// Element k as int64 (float data is truncated).
  int64_t intAt(size_t k) const { return isInt ? i[k] : int64_t(floatAt(k)); }
  float floatAt(size_t k) const {
    if (isInt)
      return float(i[k]);
    if (!raw)
      return f[k];
    float v;
    std::memcpy(&v, raw->data() + k * sizeof(float), sizeof(float));
    return v;
  }
  /// The float32 elements, wherever they are held.
  ArrayRef<float> floats() const {
    if (raw)
      return ArrayRef<float>(reinterpret_cast<const float *>(raw->data()),
                             raw->size() / sizeof(float));
    return f;
  }
};

/// One entry of a shape vector computed from Shape ops: a known value, or
/// dimension `dim` of the value named `source` (dynamic at import time).
struct SymDim {
  int64_t value = 0;
  std::string source;
  int64_t dim = -1;
  bool isKnown() const { return source.empty(); }
};

struct SymVector {
  std::vector<SymDim> elems;
  bool scalar = false; // rank 0 (Gather with a scalar index)
};

/// What a name in the graph stands for.
struct ImportedValue {
  Value value;
  std::shared_ptr<HostTensor> constant;
  std::optional<SymVector> symbolic;
};

class GraphImporter;

/// The view one op builder has of its node.
class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node, size_t index,
              OpBuilder &builder);

  const onnx::NodeProto &node;
  OpBuilder &b;
  Location loc;

  // Attributes.
  const onnx::AttributeProto *attr(StringRef name) const;
  int64_t intAttr(StringRef name, int64_t dflt) const;
  float floatAttr(StringRef name, float dflt) const;
  std::string stringAttr(StringRef name, StringRef dflt) const;
  std::optional<std::vector<int64_t>> intsAttr(StringRef name) const;

  // Inputs (an empty name is an omitted optional input).
  size_t numInputs() const { return node.input_size(); }
  bool hasInput(size_t i) const;
  /// The input as an f32 tensor value (host constants become nn.constant).
  FailureOr<Value> input(size_t i);
  FailureOr<RankedTensorType> inputType(size_t i);
  /// The input's data when it is a host constant, else null.
  std::shared_ptr<HostTensor> constantInput(size_t i) const;
  /// The input as a shape vector (int64 constant or symbolic), if known.
  std::optional<SymVector> symbolicInput(size_t i) const;
  /// Name of input i.
  const std::string &inputName(size_t i) const { return node.input(i); }

  // Outputs.
  size_t numOutputs() const;
  /// Type from ONNX shape inference (f32, dynamic where unknown).
  FailureOr<RankedTensorType> outputType(size_t i);
  /// The same, or nothing when inference did not give a ranked f32 type.
  std::optional<RankedTensorType> inferredOutputType(size_t i);
  void setOutput(size_t i, Value v);
  void setConstant(size_t i, std::shared_ptr<HostTensor> t);
  void setSymbolic(size_t i, SymVector v);

  /// The opset the graph is imported at (models are converted to it first).
  int64_t opset() const;

  /// "node 'conv1' (Conv, opset 17): <message>", as an error; returns failure.
  LogicalResult error(const Twine &message);
  /// Fails unless attribute `name` is absent or has one of the allowed values.
  LogicalResult requireStringAttr(StringRef name, ArrayRef<StringRef> allowed,
                                  StringRef dflt);
  /// Runs the verifier of a freshly built op; its message is re-worded as an
  /// error on this node.
  LogicalResult verifyBuilt(Operation *op);
  /// Verifies a freshly built single-result op and makes it output 0.
  LogicalResult finish(Operation *op);
  /// Builds OpTy at this node from `args` (after builder and location),
  /// verifies it and makes it output 0.
  template <typename OpTy, typename... Args>
  LogicalResult build(Args &&...args) {
    return finish(OpTy::create(b, loc, std::forward<Args>(args)...));
  }

  GraphImporter &graph;
  size_t index; // position of the node in the graph
};

using OpBuilderFn = std::function<LogicalResult(NodeContext &)>;

/// Op families register their builders into this table.
void registerLinearOps(llvm::StringMap<OpBuilderFn> &table);
void registerElementwiseOps(llvm::StringMap<OpBuilderFn> &table);
void registerPoolingOps(llvm::StringMap<OpBuilderFn> &table);
void registerShapeOps(llvm::StringMap<OpBuilderFn> &table);

/// "node 'conv1' (Conv, opset 17)", or "node #3 (unnamed) (…)" without a
/// name: how every error names the node it is about.
std::string describeNode(const onnx::NodeProto &node, size_t index,
                         int64_t opset);

/// Whether the importer has a builder for this default-domain op type.
bool isSupportedOpType(StringRef opType);

/// Reads a TensorProto (raw or typed fields, external data relative to
/// `modelDir`) into host memory; fails with a message on bad sizes, types or
/// paths. With `movableRaw` (the tensor's own raw_data), a float32 tensor
/// takes the bytes over instead of copying them.
FailureOr<std::shared_ptr<HostTensor>>
readTensor(const onnx::TensorProto &t, StringRef modelDir, std::string &error,
           std::string *movableRaw = nullptr);

/// Bytes of a tensor's external data file (inside `modelDir` only).
FailureOr<std::string> readExternal(const onnx::TensorProto &t,
                                    StringRef modelDir, std::string &error);

/// Pads for auto_pad SAME_UPPER / SAME_LOWER / VALID on static spatial dims.
FailureOr<std::vector<int64_t>> autoPads(NodeContext &ctx,
                                         ArrayRef<int64_t> inputShape,
                                         ArrayRef<int64_t> kernel,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations);

} // namespace mlir::snnmlir::onnx_import

#endif // SNN_MLIR_FRONTEND_ONNX_GRAPHIMPORTER_H
