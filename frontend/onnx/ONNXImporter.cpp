//===- ONNXImporter.cpp - ONNX models into the nn dialect -----------------===//
//
// parse (binary or text) → onnx::checker → version conversion to the opset we
// implement → ONNX shape inference (strict) → one builder per node. Every
// exception that libonnx throws is caught here and becomes a diagnostic.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/ONNXImporter.h"
#include "frontend/onnx/GraphImporter.h"

#include "dialect/NN/NNOps.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits>
#include <unordered_map>

using namespace mlir;
using namespace mlir::snnmlir;
using namespace mlir::snnmlir::onnx_import;

namespace mlir::snnmlir::onnx_import {

/// Dimensions above this, or tensors with more elements, are refused: no real
/// network has them and they would only make later stages allocate absurdly.
constexpr int64_t kMaxDim = int64_t(1) << 31;
constexpr int64_t kMaxElements = int64_t(1) << 34;

/// First line of a libonnx exception message, trimmed.
static std::string firstLines(const char *what) {
  StringRef s(what);
  s = s.trim();
  // libonnx appends "==> Context: ..." after a blank line; keep both parts on
  // one line.
  std::string out;
  for (StringRef line : llvm::split(s, '\n')) {
    line = line.trim();
    if (line.empty())
      continue;
    if (!out.empty())
      out += " ";
    out += line.str();
  }
  return out;
}

std::string describeNode(const onnx::NodeProto &node, size_t index,
                         int64_t opset) {
  std::string who = node.name().empty()
                        ? "node #" + std::to_string(index) + " (unnamed)"
                        : "node '" + node.name() + "'";
  return who + " (" + node.op_type() + ", opset " + std::to_string(opset) + ")";
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

static const llvm::StringMap<OpBuilderFn> &builderTable() {
  static const llvm::StringMap<OpBuilderFn> table = [] {
    llvm::StringMap<OpBuilderFn> t;
    registerLinearOps(t);
    registerElementwiseOps(t);
    registerPoolingOps(t);
    registerShapeOps(t);
    return t;
  }();
  return table;
}

bool isSupportedOpType(StringRef opType) {
  return builderTable().count(opType) != 0;
}

class GraphImporter {
public:
  GraphImporter(MLIRContext *ctx, StringRef sourceName,
                const ONNXImportOptions &options, int64_t opset)
      : ctx(ctx), builder(ctx), sourceName(sourceName.str()), options(options),
        opset(opset), table(builderTable()) {}

  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

  /// Re-runs ONNX shape inference with the types we computed where ONNX's
  /// own inference could not (e.g. a Reshape whose target came from a Shape
  /// chain), so that later nodes get shapes too.
  void refineInference();
  void indexInferredTypes();

  Location fileLoc() { return FileLineColLoc::get(ctx, sourceName, 0, 0); }

  LogicalResult fail(const Twine &message) {
    emitError(fileLoc()) << message;
    return failure();
  }

  /// The MLIR type of a tensor TypeProto, or a reason why there is none.
  FailureOr<RankedTensorType> convertType(const onnx::TypeProto &type,
                                          StringRef what, std::string &why);
  FailureOr<RankedTensorType> convertType(const onnx::TypeProto &type,
                                          StringRef what) {
    std::string why;
    auto t = convertType(type, what, why);
    if (failed(t))
      return fail(why);
    return t;
  }
  FailureOr<Value> materialize(const std::string &name, Location loc);

  MLIRContext *ctx;
  OpBuilder builder;
  std::string sourceName;
  ONNXImportOptions options;
  int64_t opset;
  const llvm::StringMap<OpBuilderFn> &table;
  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<const onnx::TypeProto *> inferred;
  /// Outputs that a builder did not provide (e.g. Dropout's mask).
  llvm::StringSet<> unavailable;
  unsigned resourceCounter = 0;
  onnx::ModelProto *model = nullptr;
  /// Types we know that ONNX's inference did not give.
  llvm::StringMap<RankedTensorType> pendingTypes;
};

void GraphImporter::indexInferredTypes() {
  inferred.clear();
  for (const auto &vi : model->graph().value_info())
    inferred[vi.name()] = &vi.type();
  for (const auto &vi : model->graph().output())
    inferred[vi.name()] = &vi.type();
}

void GraphImporter::refineInference() {
  if (pendingTypes.empty())
    return;
  auto *graph = model->mutable_graph();
  for (auto &entry : pendingTypes) {
    onnx::ValueInfoProto *vi = nullptr;
    for (auto &existing : *graph->mutable_value_info())
      if (existing.name() == entry.getKey())
        vi = &existing;
    if (!vi) {
      vi = graph->add_value_info();
      vi->set_name(entry.getKey().str());
    }
    auto *tensor = vi->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    auto *shape = tensor->mutable_shape();
    shape->clear_dim();
    for (int64_t d : entry.getValue().getShape()) {
      auto *dim = shape->add_dim();
      if (!ShapedType::isDynamic(d))
        dim->set_dim_value(d);
    }
  }
  pendingTypes.clear();
  try {
    onnx::ShapeInferenceOptions options(false, 0, true);
    onnx::shape_inference::InferShapes(
        *model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &) {
    // The first pass was strict; a refinement that fails leaves the types
    // as they were and the node that needs one reports it.
  }
  indexInferredTypes();
}

FailureOr<RankedTensorType>
GraphImporter::convertType(const onnx::TypeProto &type, StringRef what,
                           std::string &why) {
  auto fail = [&](const Twine &message) -> FailureOr<RankedTensorType> {
    why = message.str();
    return failure();
  };
  if (!type.has_tensor_type())
    return fail(Twine(what) + " is not a tensor");
  const auto &tensor = type.tensor_type();
  if (tensor.elem_type() != onnx::TensorProto::FLOAT)
    return fail(Twine(what) + " has element type " +
                onnx::TensorProto_DataType_Name(
                    onnx::TensorProto_DataType(tensor.elem_type())) +
                "; only float32 tensors are supported");
  if (!tensor.has_shape())
    return fail(Twine(what) + " has no shape (unknown rank)");
  SmallVector<int64_t> dims;
  int64_t elements = 1;
  for (const auto &d : tensor.shape().dim()) {
    if (!d.has_dim_value()) {
      dims.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t v = d.dim_value();
    if (v < 1 || v > kMaxDim)
      return fail(Twine(what) + " has an unsupported dimension " + Twine(v));
    elements = elements > kMaxElements / v ? kMaxElements + 1 : elements * v;
    if (elements > kMaxElements)
      return fail(Twine(what) + " is absurdly large (more than 2^34 elements)");
    dims.push_back(v);
  }
  return RankedTensorType::get(dims, Float32Type::get(ctx));
}

FailureOr<Value> GraphImporter::materialize(const std::string &name,
                                            Location loc) {
  auto it = values.find(name);
  if (it == values.end())
    return fail("value '" + name + "' is not produced by any node");
  ImportedValue &v = it->second;
  if (v.value)
    return v.value;
  if (!v.constant)
    return fail("value '" + name +
                "' is a shape computation that cannot be used as a tensor");
  const HostTensor &t = *v.constant;
  if (t.isInt)
    return fail("int64 tensor '" + name +
                "' is used where a float tensor is needed");
  ArrayRef<float> data = t.floats();
  auto bad = llvm::find_if(data, [](float x) { return !std::isfinite(x); });
  if (bad != data.end() && !options.allowNonFinite)
    return fail("tensor '" + name + "' holds " +
                (std::isnan(*bad) ? "NaN" : *bad > 0 ? "+inf" : "-inf") +
                " at element " + Twine(bad - data.begin()) + " of " +
                Twine(data.size()) +
                ": weights must be finite (--onnx-allow-nonfinite imports "
                "it anyway)");
  auto type = RankedTensorType::get(t.dims, Float32Type::get(ctx));
  ElementsAttr attr;
  if (int64_t(data.size() * sizeof(float)) > options.resourceThresholdBytes) {
    std::string key = "onnx_" + std::to_string(resourceCounter++);
    // The bytes moved out of the protobuf are shared with the blob, not
    // copied; they are freed with their last owner.
    attr = t.raw ? nn::f32SharedBlobAttr(type, data, t.raw, key)
                 : cast<ElementsAttr>(Attribute(DenseF32ResourceElementsAttr::get(
                       type, key,
                       HeapAsmResourceBlob::allocateAndCopyInferAlign(data))));
  } else {
    attr = DenseElementsAttr::get(type, data);
  }
  v.value = nn::ConstantOp::create(builder, loc, type, attr,
                                   /*allow_nonfinite=*/bad != data.end());
  return v.value;
}

OwningOpRef<ModuleOp> GraphImporter::run(onnx::ModelProto &m) {
  model = &m;
  const onnx::GraphProto &graph = m.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  indexInferredTypes();

  // Initializers: host constants. Those that will become resource blobs
  // keep the protobuf's bytes (moved out of it, not copied).
  for (auto &init : *m.mutable_graph()->mutable_initializer()) {
    std::string err;
    bool large = init.data_type() == onnx::TensorProto::FLOAT &&
                 int64_t(init.raw_data().size()) > options.resourceThresholdBytes;
    auto t = readTensor(init, options.modelDir, err,
                        large ? init.mutable_raw_data() : nullptr);
    if (failed(t)) {
      (void)fail("initializer '" + init.name() + "': " + err);
      return nullptr;
    }
    values[init.name()].constant = *t;
  }

  // Function arguments: graph inputs that are not initializers.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (values.count(in.name()))
      continue;
    auto type = convertType(in.type(), "graph input '" + in.name() + "'");
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(in.name());
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto fn = func::FuncOp::create(builder, fileLoc(), "main",
                                 builder.getFunctionType(argTypes, {}));
  Block *entry = fn.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name].value = entry->getArgument(i);
    fn.setArgAttr(i, "onnx.name", builder.getStringAttr(name));
  }
  builder.setInsertionPointToStart(entry);

  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    NodeContext nc(*this, node, index, builder);
    for (const auto &in : node.input())
      if (unavailable.contains(in)) {
        (void)nc.error("uses output '" + in +
                       "', which snn-mlir does not compute (an optional "
                       "training-time output)");
        return nullptr;
      }
    // Domains and op types were checked by checkGraphStructure.
    auto it = table.find(node.op_type());
    assert(it != table.end() && "unsupported op type passed the pre-check");
    if (failed(it->second(nc)))
      return nullptr;
    for (const auto &out : node.output())
      if (!out.empty() && !values.count(out))
        unavailable.insert(out);
  }

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    if (unavailable.contains(out.name())) {
      (void)fail("graph output '" + out.name() +
                 "' is an optional training-time output that snn-mlir does "
                 "not compute");
      return nullptr;
    }
    auto v = materialize(out.name(), fileLoc());
    if (failed(v))
      return nullptr;
    results.push_back(*v);
  }
  func::ReturnOp::create(builder, fileLoc(), results);
  fn.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    fn.setResultAttr(i, "onnx.name", builder.getStringAttr(out.name()));
  module->getOperation()->setAttr("onnx.opset",
                                  builder.getI64IntegerAttr(opset));

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

static Location nodeLoc(GraphImporter &g, const onnx::NodeProto &node) {
  std::string name = node.name().empty() ? node.op_type() : node.name();
  return NameLoc::get(StringAttr::get(g.ctx, name), g.fileLoc());
}

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
                         size_t index, OpBuilder &builder)
    : node(node), b(builder), loc(nodeLoc(graph, node)), graph(graph),
      index(index) {}

int64_t NodeContext::opset() const { return graph.opset; }

LogicalResult NodeContext::error(const Twine &message) {
  return graph.fail(describeNode(node, index, graph.opset) + ": " + message);
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::intAttr(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}

float NodeContext::floatAttr(StringRef name, float dflt) const {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeContext::stringAttr(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}

std::optional<std::vector<int64_t>>
NodeContext::intsAttr(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

LogicalResult NodeContext::requireStringAttr(StringRef name,
                                             ArrayRef<StringRef> allowed,
                                             StringRef dflt) {
  std::string v = stringAttr(name, dflt);
  if (llvm::is_contained(allowed, v))
    return success();
  return error("attribute " + name + " = '" + v + "' is not supported");
}

bool NodeContext::hasInput(size_t i) const {
  return i < size_t(node.input_size()) && !node.input(i).empty();
}

FailureOr<Value> NodeContext::input(size_t i) {
  if (!hasInput(i))
    return error("input " + Twine(i) + " is missing");
  if (!graph.values.count(node.input(i)))
    return error("input '" + node.input(i) +
                 "' is not produced by any node or initializer");
  return graph.materialize(node.input(i), loc);
}

FailureOr<RankedTensorType> NodeContext::inputType(size_t i) {
  auto v = input(i);
  if (failed(v))
    return failure();
  return cast<RankedTensorType>(v->getType());
}

std::shared_ptr<HostTensor> NodeContext::constantInput(size_t i) const {
  if (!hasInput(i))
    return nullptr;
  auto it = graph.values.find(node.input(i));
  return it == graph.values.end() ? nullptr : it->second.constant;
}

std::optional<SymVector> NodeContext::symbolicInput(size_t i) const {
  if (!hasInput(i))
    return std::nullopt;
  auto it = graph.values.find(node.input(i));
  if (it == graph.values.end())
    return std::nullopt;
  if (it->second.symbolic)
    return it->second.symbolic;
  if (const auto &c = it->second.constant;
      c && c->isInt && c->dims.size() <= 1) {
    SymVector v;
    v.scalar = c->dims.empty();
    for (int64_t k = 0; k < c->numElements(); ++k)
      v.elems.push_back(SymDim{c->i[k], "", -1});
    return v;
  }
  return std::nullopt;
}

size_t NodeContext::numOutputs() const { return node.output_size(); }

FailureOr<RankedTensorType> NodeContext::outputType(size_t i) {
  const std::string &name = node.output(i);
  std::string why;
  auto it = graph.inferred.find(name);
  if (it == graph.inferred.end() ||
      failed(graph.convertType(*it->second, "", why))) {
    graph.refineInference();
    it = graph.inferred.find(name);
  }
  if (it == graph.inferred.end())
    return error("ONNX shape inference gave no type for output '" + name + "'");
  auto type = graph.convertType(*it->second, "output '" + name + "'", why);
  if (failed(type))
    return error(why);
  return type;
}

std::optional<RankedTensorType> NodeContext::inferredOutputType(size_t i) {
  auto it = graph.inferred.find(node.output(i));
  if (it == graph.inferred.end())
    return std::nullopt;
  std::string why;
  auto type = graph.convertType(*it->second, "", why);
  if (failed(type))
    return std::nullopt;
  return *type;
}

void NodeContext::setOutput(size_t i, Value v) {
  graph.values[node.output(i)].value = v;
  std::string why;
  auto it = graph.inferred.find(node.output(i));
  if (it == graph.inferred.end() ||
      failed(graph.convertType(*it->second, "", why)))
    graph.pendingTypes[node.output(i)] = cast<RankedTensorType>(v.getType());
}

void NodeContext::setConstant(size_t i, std::shared_ptr<HostTensor> t) {
  graph.values[node.output(i)].constant = std::move(t);
}

void NodeContext::setSymbolic(size_t i, SymVector v) {
  graph.values[node.output(i)].symbolic = std::move(v);
}

LogicalResult NodeContext::verifyBuilt(Operation *op) {
  std::string message;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler handler(op->getContext(), [&](Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return success();
    });
    result = verify(op);
  }
  if (succeeded(result))
    return success();
  return error(message);
}

LogicalResult NodeContext::finish(Operation *op) {
  if (failed(verifyBuilt(op)))
    return failure();
  setOutput(0, op->getResult(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// Reads `[offset, offset + length)` of an external-data file that must stay
/// inside `modelDir`.
FailureOr<std::string> readExternal(const onnx::TensorProto &t,
                                    StringRef modelDir, std::string &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = std::atoll(kv.value().c_str());
    else if (kv.key() == "length")
      length = std::atoll(kv.value().c_str());
  }
  if (location.empty()) {
    error = "external data without a location";
    return failure();
  }
  if (llvm::sys::path::is_absolute(location)) {
    error = "external data path '" + location +
            "' is absolute; only paths inside the model's folder are allowed";
    return failure();
  }
  for (StringRef part : llvm::make_range(llvm::sys::path::begin(location),
                                         llvm::sys::path::end(location)))
    if (part == "..") {
      error = "external data path '" + location + "' leaves the model's folder";
      return failure();
    }
  SmallString<256> path(modelDir.empty() ? "." : modelDir);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read external data '" + std::string(path) +
            "': " + buffer.getError().message();
    return failure();
  }
  StringRef data = (*buffer)->getBuffer();
  if (offset < 0 || offset > int64_t(data.size())) {
    error = "external data offset " + std::to_string(offset) + " is outside '" +
            location + "'";
    return failure();
  }
  data = data.drop_front(offset);
  if (length >= 0) {
    if (length > int64_t(data.size())) {
      error = "external data length " + std::to_string(length) +
              " runs past the end of '" + location + "'";
      return failure();
    }
    data = data.take_front(length);
  }
  return data.str();
}

template <typename Src, typename Dst>
static void copyRaw(StringRef raw, std::vector<Dst> &out, int64_t n) {
  out.resize(n);
  for (int64_t k = 0; k < n; ++k) {
    Src v;
    std::memcpy(&v, raw.data() + k * sizeof(Src), sizeof(Src));
    out[k] = Dst(v);
  }
}

FailureOr<std::shared_ptr<HostTensor>>
readTensor(const onnx::TensorProto &t, StringRef modelDir, std::string &error,
           std::string *movableRaw) {
  auto host = std::make_shared<HostTensor>();
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > kMaxDim) {
      error = "dimension " + std::to_string(d) + " is out of range";
      return failure();
    }
    n = (d != 0 && n > kMaxElements / d) ? kMaxElements + 1 : n * d;
    if (n > kMaxElements) {
      error = "tensor is absurdly large (more than 2^34 elements)";
      return failure();
    }
    host->dims.push_back(d);
  }

  size_t elemSize;
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
    elemSize = 4;
    break;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
    elemSize = 8;
    break;
  default:
    error = "element type " +
            onnx::TensorProto_DataType_Name(
                onnx::TensorProto_DataType(t.data_type())) +
            " is not supported (float32, float64, int32, int64 are)";
    return failure();
  }
  host->isInt = t.data_type() == onnx::TensorProto::INT32 ||
                t.data_type() == onnx::TensorProto::INT64;

  std::string external;
  StringRef raw;
  bool hasRaw = t.has_raw_data();
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto data = readExternal(t, modelDir, error);
    if (failed(data))
      return failure();
    external = std::move(*data);
    raw = external;
    hasRaw = true;
  } else if (hasRaw) {
    raw = t.raw_data();
  }

  if (hasRaw) {
    if (raw.size() != size_t(n) * elemSize) {
      error = "holds " + std::to_string(raw.size()) + " bytes of data, but " +
              std::to_string(n) + " elements of its type need " +
              std::to_string(size_t(n) * elemSize);
      return failure();
    }
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (movableRaw && raw.data() == movableRaw->data()) {
        host->raw = std::make_shared<std::string>(std::move(*movableRaw));
        movableRaw->clear();
        break;
      }
      copyRaw<float>(raw, host->f, n);
      break;
    case onnx::TensorProto::DOUBLE:
      copyRaw<double>(raw, host->f, n);
      break;
    case onnx::TensorProto::INT32:
      copyRaw<int32_t>(raw, host->i, n);
      break;
    default:
      copyRaw<int64_t>(raw, host->i, n);
      break;
    }
    return host;
  }

  auto checkCount = [&](int64_t have) {
    if (have == n)
      return true;
    error = "holds " + std::to_string(have) + " values, but its shape needs " +
            std::to_string(n);
    return false;
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (!checkCount(t.float_data_size()))
      return failure();
    host->f.assign(t.float_data().begin(), t.float_data().end());
    break;
  case onnx::TensorProto::DOUBLE:
    if (!checkCount(t.double_data_size()))
      return failure();
    host->f.assign(t.double_data().begin(), t.double_data().end());
    break;
  case onnx::TensorProto::INT32:
    if (!checkCount(t.int32_data_size()))
      return failure();
    host->i.assign(t.int32_data().begin(), t.int32_data().end());
    break;
  default:
    if (!checkCount(t.int64_data_size()))
      return failure();
    host->i.assign(t.int64_data().begin(), t.int64_data().end());
    break;
  }
  return host;
}

FailureOr<std::vector<int64_t>> autoPads(NodeContext &ctx,
                                         ArrayRef<int64_t> inputShape,
                                         ArrayRef<int64_t> kernel,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations) {
  std::string mode = ctx.stringAttr("auto_pad", "NOTSET");
  size_t n = kernel.size();
  if (mode == "NOTSET") {
    auto pads = ctx.intsAttr("pads").value_or(std::vector<int64_t>(2 * n, 0));
    if (pads.size() != 2 * n)
      return ctx.error("attribute pads must have " + Twine(2 * n) +
                       " elements, got " + Twine(pads.size()));
    return pads;
  }
  if (mode == "VALID")
    return std::vector<int64_t>(2 * n, 0);
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER")
    return ctx.error("attribute auto_pad = '" + mode + "' is not supported");
  std::vector<int64_t> pads(2 * n, 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t in = inputShape[2 + i];
    if (ShapedType::isDynamic(in))
      return ctx.error("auto_pad = " + mode +
                       " needs static spatial dimensions");
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in, 0);
    int64_t small = total / 2, large = total - small;
    pads[i] = mode == "SAME_UPPER" ? small : large;
    pads[i + n] = mode == "SAME_UPPER" ? large : small;
  }
  return pads;
}

} // namespace mlir::snnmlir::onnx_import

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

bool mlir::snnmlir::looksLikeONNXText(StringRef bytes, StringRef sourceName) {
  if (sourceName.ends_with(".onnxtext") || sourceName.ends_with(".onnxtxt"))
    return true;
  StringRef s = bytes.ltrim();
  // No ModelProto starts with '<' or '#' (field 7 / field 4 with the wrong
  // wire type), so these cannot be mistaken for a binary model.
  return s.starts_with("<") || s.starts_with("#") ||
         s.starts_with("ir_version");
}

/// Reads external data into the initializers (validating every path), so
/// that the checker, the version converter and shape inference all see
/// plain in-memory tensors.
static LogicalResult inlineExternalData(onnx::ModelProto &model,
                                        StringRef modelDir, Location loc) {
  for (auto &t : *model.mutable_graph()->mutable_initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL)
      continue;
    std::string error;
    auto bytes = readExternal(t, modelDir, error);
    if (failed(bytes))
      return emitError(loc) << "initializer '" << t.name() << "': " << error;
    t.set_raw_data(std::move(*bytes));
    t.clear_external_data();
    t.set_data_location(onnx::TensorProto::DEFAULT);
  }
  return success();
}

/// Every node is in the default domain with an op type we import, and every
/// graph output is produced by a node, an initializer or an input.
static LogicalResult checkGraphStructure(const onnx::ModelProto &model,
                                         int64_t opset, Location loc) {
  const auto &g = model.graph();
  llvm::StringSet<> defined;
  for (const auto &t : g.initializer())
    defined.insert(t.name());
  // Shape inference dereferences tensor types without checking: values of
  // other kinds (maps, sequences, optionals) are refused up front.
  auto requireTensor = [&](const onnx::ValueInfoProto &v,
                           StringRef what) -> LogicalResult {
    if (v.type().has_tensor_type())
      return success();
    return emitError(loc) << what << " '" << v.name()
                          << "' is not a tensor (maps, sequences and "
                             "optionals are not supported)";
  };
  for (const auto &in : g.input())
    if (failed(requireTensor(in, "graph input")))
      return failure();
  for (const auto &out : g.output())
    if (failed(requireTensor(out, "graph output")))
      return failure();
  for (const auto &vi : g.value_info())
    if (failed(requireTensor(vi, "value")))
      return failure();
  for (const auto &in : g.input())
    defined.insert(in.name());
  for (const auto &[index, node] : llvm::enumerate(g.node())) {
    std::string who = describeNode(node, index, opset);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return emitError(loc) << who << ": ops of domain '" << node.domain()
                            << "' are not supported";
    if (!isSupportedOpType(node.op_type()))
      return emitError(loc)
             << who << ": op type '" << node.op_type() << "' is not supported";
    // ONNX's conv/pool shape inference divides by strides and dilations
    // without checking them.
    if (node.op_type() == "Conv" || node.op_type() == "AveragePool" ||
        node.op_type() == "MaxPool")
      for (const auto &a : node.attribute()) {
        bool positive = a.name() == "strides" || a.name() == "dilations" ||
                        a.name() == "kernel_shape";
        bool nonNegative = a.name() == "pads";
        bool bad = false;
        for (int64_t v : a.ints())
          bad |= (positive && v < 1) || (nonNegative && v < 0);
        if (a.name() == "group" && a.i() < 1)
          bad = true;
        if (bad)
          return emitError(loc)
                 << who << ": attribute " << a.name() << " must be "
                 << (nonNegative ? "non-negative" : "positive");
      }
    for (const auto &out : node.output())
      defined.insert(out);
  }
  for (const auto &out : g.output())
    if (!defined.contains(out.name()))
      return emitError(loc) << "graph output '" << out.name()
                            << "' is not produced by any node, initializer "
                               "or input";
  return success();
}

static int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      return o.version();
  return -1;
}

/// Parses ONNX text syntax into `model`.
static LogicalResult parseONNXText(StringRef bytes, onnx::ModelProto &model,
                                   Location loc) {
  std::string text = bytes.str();
  // The text parser reports most errors as a status but lets number
  // conversions throw (std::stof on a malformed literal).
  try {
    auto status = onnx::OnnxParser::Parse(model, text.c_str());
    if (!status.IsOK())
      return emitError(loc) << "cannot parse ONNX text: "
                            << firstLines(status.ErrorMessage().c_str());
  } catch (const std::exception &e) {
    return emitError(loc) << "cannot parse ONNX text: malformed literal ("
                          << e.what() << ")";
  }
  return success();
}

namespace {
/// Reads a binary ModelProto as protobuf's own parser does, except that each
/// initializer's raw_data is read straight into a string of its exact size.
/// Protobuf's stream parser grows strings above 50 MB by doubling (a 411 MB
/// weight would briefly need 800 MB), and parsing from memory needs the whole
/// file in memory beside the parsed copy. Every other field is copied as it
/// is and parsed by protobuf.
class ModelReader {
public:
  ModelReader(google::protobuf::io::ZeroCopyInputStream &stream, size_t size)
      : in(&stream), size(size) {}

  bool read(onnx::ModelProto &model) {
    return readFields(model, /*field=*/7,
                      [&] { return readGraph(*model.mutable_graph()); });
  }

private:
  google::protobuf::io::CodedInputStream in;
  size_t size;

  static bool isLengthDelimited(uint32_t tag, uint32_t field) {
    return tag == (field << 3 | 2);
  }

  /// Bytes not yet read: no length may claim more.
  size_t remaining() { return size - std::min<size_t>(size, in.CurrentPosition()); }

  bool readLength(uint32_t &length) {
    return in.ReadVarint32(&length) && length <= remaining();
  }

  /// A nested message: its length, then `body` up to that length.
  template <typename Body> bool readMessage(Body body) {
    uint32_t length;
    if (!readLength(length))
      return false;
    auto limit = in.PushLimit(int(length));
    bool ok = body() && in.ConsumedEntireMessage() && in.BytesUntilLimit() == 0;
    in.PopLimit(limit);
    return ok;
  }

  static void appendVarint(std::string &out, uint64_t v) {
    do {
      out.push_back(char((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
      v >>= 7;
    } while (v);
  }

  /// Copies one field (its tag already read) to `out` unchanged.
  bool copyField(uint32_t tag, std::string &out) {
    appendVarint(out, tag);
    switch (tag & 7) {
    case 0: { // varint
      uint64_t v;
      if (!in.ReadVarint64(&v))
        return false;
      appendVarint(out, v);
      return true;
    }
    case 1: { // 64-bit
      uint64_t v;
      if (!in.ReadLittleEndian64(&v))
        return false;
      out.append(reinterpret_cast<const char *>(&v), 8);
      return true;
    }
    case 5: { // 32-bit
      uint32_t v;
      if (!in.ReadLittleEndian32(&v))
        return false;
      out.append(reinterpret_cast<const char *>(&v), 4);
      return true;
    }
    case 2: { // length-delimited
      uint32_t length;
      if (!readLength(length))
        return false;
      appendVarint(out, length);
      size_t at = out.size();
      out.resize(at + length);
      return in.ReadRaw(out.data() + at, int(length));
    }
    default: // groups: not in ONNX's proto3 schema
      return false;
    }
  }

  /// The fields of `message` up to the end of the input or limit: field
  /// `nested` (a message) by `readNested`, the others copied and parsed by
  /// protobuf at the end.
  template <typename Message, typename ReadNested>
  bool readFields(Message &message, uint32_t nested, ReadNested readNested) {
    std::string rest;
    while (uint32_t tag = in.ReadTag()) {
      bool ok = isLengthDelimited(tag, nested) ? readMessage(readNested)
                                               : copyField(tag, rest);
      if (!ok)
        return false;
    }
    return in.ConsumedEntireMessage() && message.MergeFromString(rest);
  }

  bool readGraph(onnx::GraphProto &graph) {
    return readFields(graph, /*field=*/5,
                      [&] { return readTensor(*graph.add_initializer()); });
  }

  bool readTensor(onnx::TensorProto &tensor) {
    std::string rest, raw;
    bool hasRaw = false;
    while (uint32_t tag = in.ReadTag()) {
      if (!isLengthDelimited(tag, /*field=*/9)) {
        if (!copyField(tag, rest))
          return false;
        continue;
      }
      uint32_t length;
      if (!readLength(length))
        return false;
      raw.resize(length);
      if (!in.ReadRaw(raw.data(), int(length)))
        return false;
      hasRaw = true;
    }
    if (!tensor.MergeFromString(rest))
      return false;
    if (hasRaw)
      tensor.set_raw_data(std::move(raw));
    return true;
  }
};
} // namespace

static InFlightDiagnostic notAModel(Location loc) {
  return emitError(loc) << "not an ONNX model: the protobuf cannot be parsed "
                           "(truncated or not a ModelProto)";
}

/// Checks, converts and imports a parsed model (its large weights are moved
/// out of `model` into the module).
static OwningOpRef<ModuleOp> importParsedModel(onnx::ModelProto &model,
                                               StringRef sourceName,
                                               const ONNXImportOptions &options,
                                               MLIRContext *context) {
  Location loc = FileLineColLoc::get(context, sourceName, 0, 0);
  if (failed(inlineExternalData(model, options.modelDir, loc)))
    return nullptr;

  int64_t opset = -1;
  try {
    onnx::checker::check_model(model);
    opset = defaultOpset(model);
    if (opset < 1) {
      emitError(loc) << "the model imports no default-domain opset";
      return nullptr;
    }
    // libonnx's converter and inference trust the graph's structure (a
    // dangling graph output crashes the converter): check it ourselves and
    // refuse ops we cannot import before handing the model over.
    if (failed(checkGraphStructure(model, opset, loc)))
      return nullptr;
    // The converter copies the whole model through its IR (several times
    // for a model of hundreds of MB), and inference needs no weights: large
    // float initializers lend their bytes to a side table meanwhile (moved,
    // not copied) and get them back by name afterwards.
    std::unordered_map<std::string, std::string> weights;
    for (auto &init : *model.mutable_graph()->mutable_initializer())
      if (init.data_type() == onnx::TensorProto::FLOAT &&
          init.raw_data().size() >= (size_t(1) << 16)) {
        weights[init.name()].swap(*init.mutable_raw_data());
        init.clear_raw_data();
      }
    auto restoreWeights = [&] {
      for (auto &init : *model.mutable_graph()->mutable_initializer())
        if (auto it = weights.find(init.name()); it != weights.end())
          init.mutable_raw_data()->swap(it->second);
    };
    if (opset != options.targetOpset) {
      try {
        model = onnx::version_conversion::ConvertVersion(
            model, int(options.targetOpset));
      } catch (const std::exception &e) {
        emitError(loc) << "cannot convert the model from opset " << opset
                       << " to opset " << options.targetOpset << ": "
                       << firstLines(e.what());
        return nullptr;
      }
    }
    onnx::ShapeInferenceOptions inference(/*check_type=*/true,
                                          /*strict_mode=*/1,
                                          /*data_prop=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inference);
    restoreWeights();
  } catch (const std::exception &e) {
    emitError(loc) << "invalid ONNX model: " << firstLines(e.what());
    return nullptr;
  }

  GraphImporter importer(context, sourceName, options, options.targetOpset);
  return importer.run(model);
}

OwningOpRef<ModuleOp>
mlir::snnmlir::importONNXModel(StringRef bytes, StringRef sourceName,
                               bool isText, const ONNXImportOptions &options,
                               MLIRContext *context) {
  context->loadDialect<nn::NNDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(context, sourceName, 0, 0);
  onnx::ModelProto model;
  if (isText) {
    if (failed(parseONNXText(bytes, model, loc)))
      return nullptr;
  } else {
    bool parsed = false;
    if (bytes.size() <= size_t(std::numeric_limits<int>::max())) {
      google::protobuf::io::ArrayInputStream stream(bytes.data(),
                                                    int(bytes.size()));
      parsed = ModelReader(stream, bytes.size()).read(model);
    }
    if (!parsed) {
      notAModel(loc);
      return nullptr;
    }
  }
  return importParsedModel(model, sourceName, options, context);
}

OwningOpRef<ModuleOp>
mlir::snnmlir::importONNXFile(StringRef path, const ONNXImportOptions &options,
                              MLIRContext *context) {
  context->loadDialect<nn::NNDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(context, path, 0, 0);
  std::string pathString = path.str();
  int fd = ::open(pathString.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    emitError(loc) << "cannot read " << path << ": " << std::strerror(errno);
    return nullptr;
  }
  llvm::scope_exit closeFd([&] { ::close(fd); });
  struct stat info {};
  if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    emitError(loc) << "cannot read " << path << ": "
                   << std::strerror(S_ISDIR(info.st_mode) ? EISDIR : errno);
    return nullptr;
  }
  // Text models are small: read whole. A binary model is parsed from the
  // file as a stream, so that its bytes are never in memory twice (the file
  // and the parsed protobuf).
  char head[64];
  ssize_t got = ::pread(fd, head, sizeof(head), 0);
  bool seekable = got >= 0 && S_ISREG(info.st_mode);
  if (!seekable ||
      looksLikeONNXText(StringRef(head, size_t(got)), path)) {
    auto buffer = llvm::MemoryBuffer::getOpenFile(fd, path, -1,
                                                  /*RequiresNullTerminator=*/false,
                                                  /*IsVolatile=*/true);
    if (!buffer) {
      emitError(loc) << "cannot read " << path << ": "
                     << buffer.getError().message();
      return nullptr;
    }
    return importONNXModel((*buffer)->getBuffer(), path,
                           looksLikeONNXText((*buffer)->getBuffer(), path),
                           options, context);
  }
  onnx::ModelProto model;
  google::protobuf::io::FileInputStream stream(fd, /*block_size=*/1 << 20);
  if (size_t(info.st_size) > size_t(std::numeric_limits<int>::max())) {
    emitError(loc) << "cannot read " << path
                   << ": larger than 2 GB, which protobuf cannot parse (store "
                      "the weights as ONNX external data)";
    return nullptr;
  }
  if (!ModelReader(stream, size_t(info.st_size)).read(model)) {
    if (stream.GetErrno() != 0)
      emitError(loc) << "cannot read " << path << ": "
                     << std::strerror(stream.GetErrno());
    else
      notAModel(loc);
    return nullptr;
  }
  return importParsedModel(model, path, options, context);
}

static llvm::cl::opt<int64_t> clResourceThreshold(
    "onnx-resource-threshold",
    llvm::cl::desc("With --import-onnx: constants larger than this many bytes "
                   "become dense_resource blobs (default 65536)"),
    llvm::cl::init(64 * 1024));

static llvm::cl::opt<bool> clEmitBytecode(
    "emit-bytecode",
    llvm::cl::desc("With --import-onnx: write MLIR bytecode (.mlirbc; weights "
                   "as raw blobs, read by every tool) instead of text"),
    llvm::cl::init(false));

static llvm::cl::opt<bool> clAllowNonFinite(
    "onnx-allow-nonfinite",
    llvm::cl::desc("With --import-onnx: import float tensors that hold NaN or "
                   "infinities (by default an error naming the tensor)"),
    llvm::cl::init(false));

/// The translation's options, and the dialects its output needs.
static ONNXImportOptions optionsFromCommandLine(StringRef name,
                                                MLIRContext *context) {
  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect>();
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
  ONNXImportOptions options;
  options.resourceThresholdBytes = clResourceThreshold;
  options.allowNonFinite = clAllowNonFinite;
  if (name != "<stdin>" && name != "-")
    options.modelDir = llvm::sys::path::parent_path(name).str();
  return options;
}

static LogicalResult writeImported(OwningOpRef<ModuleOp> module,
                                   llvm::raw_ostream &output) {
  if (!module || failed(verify(*module)))
    return failure();
  if (clEmitBytecode)
    return writeBytecodeToFile(*module, output);
  module->print(output);
  return success();
}

void mlir::snnmlir::registerONNXImportTranslation() {
  static TranslateRegistration registration(
      "import-onnx",
      "Import an ONNX model (binary .onnx or text .onnxtext) into the nn "
      "dialect (MLIR text, or bytecode with --emit-bytecode)",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &output, MLIRContext *context) -> LogicalResult {
        const llvm::MemoryBuffer *buffer =
            sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
        StringRef name = buffer->getBufferIdentifier();
        ONNXImportOptions options = optionsFromCommandLine(name, context);
        bool isText = looksLikeONNXText(buffer->getBuffer(), name);
        return writeImported(importONNXModel(buffer->getBuffer(), name, isText,
                                             options, context),
                             output);
      });
}

LogicalResult mlir::snnmlir::translateONNXFile(StringRef path,
                                               llvm::raw_ostream &output,
                                               MLIRContext *context) {
  ONNXImportOptions options = optionsFromCommandLine(path, context);
  return writeImported(importONNXFile(path, options, context), output);
}
