//===- ElementwiseOps.cpp - arithmetic, activations, normalisation --------===//

#include "dialect/NN/NNOps.h"
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace mlir::snnmlir::onnx_import;

/// Integer arithmetic on shape vectors (channel_shuffle's `c // groups`),
/// folded at import time: known entries are computed, an unknown one (the
/// batch) passes through a multiplication or division by 1. False when the
/// inputs are not both shape vectors.
static bool foldShapeArithmetic(NodeContext &ctx, StringRef op,
                                LogicalResult &result) {
  auto a = ctx.symbolicInput(0), b = ctx.symbolicInput(1);
  if (!a || !b)
    return false;
  size_t n = std::max(a->elems.size(), b->elems.size());
  if ((a->elems.size() != n && a->elems.size() != 1) ||
      (b->elems.size() != n && b->elems.size() != 1)) {
    result = ctx.error("shape vectors of " + Twine(a->elems.size()) +
                       " and " + Twine(b->elems.size()) +
                       " entries do not broadcast");
    return true;
  }
  SymVector out;
  out.scalar = a->scalar && b->scalar;
  for (size_t i = 0; i < n; ++i) {
    const SymDim &x = a->elems[a->elems.size() == 1 ? 0 : i];
    const SymDim &y = b->elems[b->elems.size() == 1 ? 0 : i];
    SymDim r;
    if (x.isKnown() && y.isKnown()) {
      if ((op == "Div") && y.value == 0) {
        result = ctx.error("division by zero in a shape computation");
        return true;
      }
      r.value = op == "Add"   ? x.value + y.value
                : op == "Sub" ? x.value - y.value
                : op == "Mul" ? x.value * y.value
                              // ONNX integer Div truncates (C semantics)
                              : x.value / y.value;
    } else if (y.isKnown() && y.value == 1 && (op == "Mul" || op == "Div")) {
      r = x;
    } else if (x.isKnown() && x.value == 1 && op == "Mul") {
      r = y;
    } else {
      result = ctx.error(op + " of a dynamic dimension in a shape "
                              "computation cannot be folded at import time");
      return true;
    }
    out.elems.push_back(r);
  }
  ctx.setSymbolic(0, std::move(out));
  result = success();
  return true;
}

template <typename OpTy> static LogicalResult importBinary(NodeContext &ctx) {
  LogicalResult folded = failure();
  if (foldShapeArithmetic(ctx, ctx.node.op_type(), folded))
    return folded;
  auto lhs = ctx.input(0), rhs = ctx.input(1);
  auto outType = ctx.outputType(0);
  if (failed(lhs) || failed(rhs) || failed(outType))
    return failure();
  return ctx.build<OpTy>(*outType, *lhs, *rhs);
}

/// A unary op whose result type is its operand's type.
template <typename OpTy, typename... Args>
static LogicalResult buildUnary(NodeContext &ctx, Value x, Args &&...args) {
  return ctx.build<OpTy>(x.getType(), x, std::forward<Args>(args)...);
}

static LogicalResult importRelu(NodeContext &ctx) {
  auto x = ctx.input(0);
  return failed(x) ? failure() : buildUnary<nn::ReluOp>(ctx, *x);
}

static LogicalResult importLeakyRelu(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  return buildUnary<nn::LeakyReluOp>(
      ctx, *x, ctx.b.getF32FloatAttr(ctx.floatAttr("alpha", 0.01f)));
}

/// A scalar bound given as a constant input (Clip since opset 11).
static FailureOr<FloatAttr> scalarBound(NodeContext &ctx, size_t i,
                                        StringRef name) {
  if (!ctx.hasInput(i))
    return FloatAttr();
  auto c = ctx.constantInput(i);
  if (!c)
    return ctx.error("bound '" + name +
                     "' must be a constant (initializer or Constant node)");
  if (c->numElements() != 1)
    return ctx.error("bound '" + name + "' must be a scalar");
  return ctx.b.getF32FloatAttr(c->floatAt(0));
}

static LogicalResult importClip(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto lo = scalarBound(ctx, 1, "min"), hi = scalarBound(ctx, 2, "max");
  if (failed(x) || failed(lo) || failed(hi))
    return failure();
  return buildUnary<nn::ClipOp>(ctx, *x, *lo, *hi);
}

static LogicalResult importSoftmax(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  return buildUnary<nn::SoftmaxOp>(
      ctx, *x, ctx.b.getI64IntegerAttr(ctx.intAttr("axis", -1)));
}

static LogicalResult importDropout(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  float ratio = 0.5f;
  if (ctx.hasInput(1)) {
    auto r = ctx.constantInput(1);
    if (!r || r->numElements() != 1)
      return ctx.error("input 'ratio' must be a constant scalar");
    ratio = r->floatAt(0);
  }
  if (ctx.hasInput(2)) {
    auto t = ctx.constantInput(2);
    if (!t || t->numElements() != 1 || t->intAt(0) != 0)
      return ctx.error("training_mode must be a constant false; only "
                       "inference is supported");
  }
  return buildUnary<nn::DropoutOp>(ctx, *x, ctx.b.getF32FloatAttr(ratio));
}

/// Activations without a spiking form: they import and run in the
/// reference executor; convert-nn-to-snn refuses them by name.
template <typename OpTy> static LogicalResult importPlainUnary(NodeContext &ctx) {
  auto x = ctx.input(0);
  return failed(x) ? failure() : buildUnary<OpTy>(ctx, *x);
}

static LogicalResult importHardSigmoid(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  return buildUnary<nn::HardSigmoidOp>(
      ctx, *x, ctx.b.getF32FloatAttr(ctx.floatAttr("alpha", 0.2f)),
      ctx.b.getF32FloatAttr(ctx.floatAttr("beta", 0.5f)));
}

static LogicalResult importGelu(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  return buildUnary<nn::GeluOp>(
      ctx, *x, ctx.b.getStringAttr(ctx.stringAttr("approximate", "none")));
}

static LogicalResult importIdentity(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  ctx.setOutput(0, *x);
  return success();
}

static LogicalResult importBatchNorm(NodeContext &ctx) {
  if (ctx.intAttr("training_mode", 0) != 0)
    return ctx.error("attribute training_mode = 1 is not supported; only "
                     "inference batch normalisation is");
  SmallVector<Value, 5> in;
  for (size_t i = 0; i < 5; ++i) {
    auto v = ctx.input(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  return ctx.build<nn::BatchNormOp>(
      in[0].getType(), in[0], in[1], in[2], in[3], in[4],
      ctx.b.getF32FloatAttr(ctx.floatAttr("epsilon", 1e-5f)));
}

void mlir::snnmlir::onnx_import::registerElementwiseOps(
    llvm::StringMap<OpBuilderFn> &table) {
  table["Add"] = importBinary<nn::AddOp>;
  table["Sub"] = importBinary<nn::SubOp>;
  table["Mul"] = importBinary<nn::MulOp>;
  table["Div"] = importBinary<nn::DivOp>;
  table["Relu"] = importRelu;
  table["LeakyRelu"] = importLeakyRelu;
  table["Clip"] = importClip;
  table["Softmax"] = importSoftmax;
  table["Dropout"] = importDropout;
  table["Identity"] = importIdentity;
  table["Sigmoid"] = importPlainUnary<nn::SigmoidOp>;
  table["Tanh"] = importPlainUnary<nn::TanhOp>;
  table["Erf"] = importPlainUnary<nn::ErfOp>;
  table["HardSwish"] = importPlainUnary<nn::HardSwishOp>;
  table["HardSigmoid"] = importHardSigmoid;
  table["Gelu"] = importGelu;
  table["BatchNormalization"] = importBatchNorm;
}
