//===- ElementwiseOps.cpp - arithmetic, activations, normalisation --------===//

#include "dialect/NN/NNOps.h"
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace mlir::snnmlir::onnx_import;

template <typename OpTy> static LogicalResult importBinary(NodeContext &ctx) {
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
  table["BatchNormalization"] = importBatchNorm;
}
