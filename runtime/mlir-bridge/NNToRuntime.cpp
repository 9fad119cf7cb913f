//===- NNToRuntime.cpp - nn modules into runtime graphs -------------------===//

#include "runtime/mlir-bridge/NNToRuntime.h"
#include "runtime/mlir-bridge/BridgeCommon.h"

#include "dialect/Dialects.h"
#include "dialect/NN/NNOps.h"
#include "frontend/onnx/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using snnrt::Node;
using snnrt::OpKind;

void mlir::snnmlir::registerBridgeDialects(DialectRegistry &registry) {
  registerDialects(registry);
  registry.insert<func::FuncDialect>();
}

bool mlir::snnmlir::isONNXPath(StringRef path) {
  return path.ends_with(".onnx") || path.ends_with(".onnxtext");
}

OwningOpRef<ModuleOp> mlir::snnmlir::loadNetwork(llvm::SourceMgr &sources,
                                                 MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sources.getMemoryBuffer(sources.getMainFileID());
  StringRef path = buffer->getBufferIdentifier(), bytes = buffer->getBuffer();
  if (isONNXPath(path)) {
    ONNXImportOptions options;
    options.modelDir = llvm::sys::path::parent_path(path).str();
    return importONNXModel(bytes, path, looksLikeONNXText(bytes, path), options,
                           context);
  }
  return parseSourceFile<ModuleOp>(sources, context);
}

OwningOpRef<ModuleOp> mlir::snnmlir::loadNetwork(StringRef path,
                                                 MLIRContext *context) {
  // Read, not mapped: the file may be rewritten (it may be the output).
  auto buffer =
      path == "-" ? llvm::MemoryBuffer::getSTDIN()
                  : llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                                /*RequiresNullTerminator=*/true,
                                                /*IsVolatile=*/true);
  if (!buffer) {
    emitError(UnknownLoc::get(context))
        << "cannot open '" << path << "': " << buffer.getError().message();
    return nullptr;
  }
  llvm::SourceMgr sources;
  sources.AddNewSourceBuffer(std::move(*buffer), SMLoc());
  return loadNetwork(sources, context);
}

static std::vector<int64_t> vec(ArrayRef<int64_t> a) {
  return std::vector<int64_t>(a.begin(), a.end());
}

/// Fills the op-specific fields of `n`; false for ops the runtime lacks.
static bool describe(Operation *op, Node &n) {
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case<nn::Conv2DOp>([&](auto c) {
        n.kind = OpKind::Conv2D;
        n.strides = vec(c.getStrides());
        n.pads = vec(c.getPads());
        n.dilations = vec(c.getDilations());
        n.group = c.getGroup();
        return true;
      })
      .Case<nn::GemmOp>([&](auto g) {
        n.kind = OpKind::Gemm;
        n.alpha = g.getAlpha().convertToFloat();
        n.beta = g.getBeta().convertToFloat();
        n.transA = g.getTransA();
        n.transB = g.getTransB();
        return true;
      })
      .Case<nn::MatMulOp>([&](auto) { return n.kind = OpKind::MatMul, true; })
      .Case<nn::AddOp>([&](auto) { return n.kind = OpKind::Add, true; })
      .Case<nn::SubOp>([&](auto) { return n.kind = OpKind::Sub, true; })
      .Case<nn::MulOp>([&](auto) { return n.kind = OpKind::Mul, true; })
      .Case<nn::DivOp>([&](auto) { return n.kind = OpKind::Div, true; })
      .Case<nn::ReluOp>([&](auto) { return n.kind = OpKind::Relu, true; })
      .Case<nn::IdentityOp, nn::DropoutOp>(
          [&](auto) { return n.kind = OpKind::Identity, true; })
      .Case<nn::SigmoidOp>([&](auto) { return n.kind = OpKind::Sigmoid, true; })
      .Case<nn::TanhOp>([&](auto) { return n.kind = OpKind::Tanh, true; })
      .Case<nn::ErfOp>([&](auto) { return n.kind = OpKind::Erf, true; })
      .Case<nn::HardSwishOp>(
          [&](auto) { return n.kind = OpKind::HardSwish, true; })
      .Case<nn::HardSigmoidOp>([&](auto h) {
        n.kind = OpKind::HardSigmoid;
        n.alpha = h.getAlpha().convertToFloat();
        n.beta = h.getBeta().convertToFloat();
        return true;
      })
      .Case<nn::GeluOp>([&](auto g) {
        n.kind = OpKind::Gelu;
        n.tanhApproximation = g.getApproximate() == "tanh";
        return true;
      })
      .Case<nn::ReduceMeanOp>([&](auto r) {
        n.kind = OpKind::ReduceMean;
        n.axes = vec(r.getAxes());
        n.keepdims = r.getKeepdims();
        return true;
      })
      .Case<nn::SliceOp>([&](auto sl) {
        n.kind = OpKind::Slice;
        n.starts = vec(sl.getStarts());
        n.ends = vec(sl.getEnds());
        n.axes = vec(sl.getAxes());
        n.steps = vec(sl.getSteps());
        return true;
      })
      .Case<nn::LeakyReluOp>([&](auto l) {
        n.kind = OpKind::LeakyRelu;
        n.slope = l.getAlpha().convertToFloat();
        return true;
      })
      .Case<nn::ClipOp>([&](auto c) {
        n.kind = OpKind::Clip;
        if (c.getMin())
          n.min = c.getMin()->convertToFloat();
        if (c.getMax())
          n.max = c.getMax()->convertToFloat();
        return true;
      })
      .Case<nn::BatchNormOp>([&](auto b) {
        n.kind = OpKind::BatchNorm;
        n.epsilon = b.getEpsilon().convertToFloat();
        return true;
      })
      .Case<nn::AvgPoolOp>([&](auto p) {
        n.kind = OpKind::AvgPool;
        n.kernel = vec(p.getKernelShape());
        n.strides = vec(p.getStrides());
        n.pads = vec(p.getPads());
        n.ceilMode = p.getCeilMode();
        n.countIncludePad = p.getCountIncludePad();
        return true;
      })
      .Case<nn::MaxPoolOp>([&](auto p) {
        n.kind = OpKind::MaxPool;
        n.kernel = vec(p.getKernelShape());
        n.strides = vec(p.getStrides());
        n.pads = vec(p.getPads());
        n.dilations = vec(p.getDilations());
        n.ceilMode = p.getCeilMode();
        return true;
      })
      .Case<nn::GlobalAvgPoolOp>(
          [&](auto) { return n.kind = OpKind::GlobalAvgPool, true; })
      .Case<nn::FlattenOp>([&](auto f) {
        n.kind = OpKind::Flatten;
        n.axis = f.getAxis();
        return true;
      })
      .Case<nn::ReshapeOp>([&](auto r) {
        n.kind = OpKind::Reshape;
        n.shape = vec(r.getShape());
        return true;
      })
      .Case<nn::TransposeOp>([&](auto t) {
        n.kind = OpKind::Transpose;
        n.perm = vec(t.getPerm());
        return true;
      })
      .Case<nn::ConcatOp>([&](auto c) {
        n.kind = OpKind::Concat;
        n.axis = c.getAxis();
        return true;
      })
      .Case<nn::PadOp>([&](auto p) {
        n.kind = OpKind::Pad;
        n.pads = vec(p.getPads());
        n.padValue = p.getValue().convertToFloat();
        return true;
      })
      .Case<nn::SoftmaxOp>([&](auto s) {
        n.kind = OpKind::Softmax;
        n.axis = s.getAxis();
        return true;
      })
      .Default([](Operation *) { return false; });
}

FailureOr<snnrt::Graph> mlir::snnmlir::buildRuntimeGraph(ModuleOp module,
                                                         StringRef funcName) {
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  if (!fn)
    return module.emitError() << "no function @" << funcName << " to run";
  if (!fn.getBody().hasOneBlock())
    return fn.emitError() << "the runtime runs single-block functions only";
  snnrt::Graph graph;
  llvm::DenseMap<Value, int> slots;
  if (failed(bridge::addArguments(fn, graph, slots)))
    return failure();
  for (Operation &op : fn.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        graph.outputs.push_back(slots.lookup(v));
      continue;
    }
    if (auto c = dyn_cast<nn::ConstantOp>(op)) {
      auto data = bridge::constantTensor(c);
      if (failed(data))
        return failure();
      slots[c.getResult()] = graph.addConstant(std::move(*data));
      continue;
    }
    Node n;
    n.name = bridge::opLabel(&op);
    if (op.getNumResults() != 1 || !describe(&op, n))
      return op.emitError() << "the runtime has no kernel for this op";
    for (Value v : op.getOperands()) {
      auto it = slots.find(v);
      if (it == slots.end())
        return op.emitError() << "operand is not computed by the function";
      n.inputs.push_back(it->second);
    }
    n.output = graph.addSlot();
    slots[op.getResult(0)] = n.output;
    graph.nodes.push_back(std::move(n));
  }
  return graph;
}
