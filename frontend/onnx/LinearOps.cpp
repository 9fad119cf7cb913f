//===- LinearOps.cpp - Conv, Gemm, MatMul ---------------------------------===//

#include "dialect/NN/NNOps.h"
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace mlir::snnmlir::onnx_import;

/// Value of optional input `i`, or a null Value when it is omitted.
static FailureOr<Value> optionalInput(NodeContext &ctx, size_t i) {
  if (!ctx.hasInput(i))
    return Value();
  return ctx.input(i);
}

static LogicalResult importConv(NodeContext &ctx) {
  auto x = ctx.input(0), w = ctx.input(1);
  auto bias = optionalInput(ctx, 2);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(w) || failed(bias) || failed(outType))
    return failure();
  ArrayRef<int64_t> xs = cast<RankedTensorType>(x->getType()).getShape();
  ArrayRef<int64_t> ws = cast<RankedTensorType>(w->getType()).getShape();
  if (ws.size() != 4 || xs.size() != 4)
    return ctx.error("only 2-D convolutions are supported (4-D input and "
                     "weight), got ranks " +
                     Twine(xs.size()) + " and " + Twine(ws.size()));
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  if (auto k = ctx.intsAttr("kernel_shape"); k && *k != kernel)
    return ctx.error("attribute kernel_shape disagrees with the weight's "
                     "spatial dimensions");
  auto strides = ctx.intsAttr("strides").value_or(std::vector<int64_t>{1, 1});
  auto dilations =
      ctx.intsAttr("dilations").value_or(std::vector<int64_t>{1, 1});
  if (strides.size() != 2 || dilations.size() != 2)
    return ctx.error("attributes strides and dilations must have 2 elements");
  auto pads = autoPads(ctx, xs, kernel, strides, dilations);
  if (failed(pads))
    return failure();
  return ctx.build<nn::Conv2DOp>(
      *outType, *x, *w, *bias, ctx.b.getDenseI64ArrayAttr(strides),
      ctx.b.getDenseI64ArrayAttr(*pads), ctx.b.getDenseI64ArrayAttr(dilations),
      ctx.b.getI64IntegerAttr(ctx.intAttr("group", 1)));
}

static LogicalResult importGemm(NodeContext &ctx) {
  auto a = ctx.input(0), bm = ctx.input(1);
  auto c = optionalInput(ctx, 2);
  auto outType = ctx.outputType(0);
  if (failed(a) || failed(bm) || failed(c) || failed(outType))
    return failure();
  return ctx.build<nn::GemmOp>(
      *outType, *a, *bm, *c,
      ctx.b.getF32FloatAttr(ctx.floatAttr("alpha", 1.0f)),
      ctx.b.getF32FloatAttr(ctx.floatAttr("beta", 1.0f)),
      ctx.b.getBoolAttr(ctx.intAttr("transA", 0) != 0),
      ctx.b.getBoolAttr(ctx.intAttr("transB", 0) != 0));
}

static LogicalResult importMatMul(NodeContext &ctx) {
  auto a = ctx.input(0), bm = ctx.input(1);
  auto outType = ctx.outputType(0);
  if (failed(a) || failed(bm) || failed(outType))
    return failure();
  return ctx.build<nn::MatMulOp>(*outType, *a, *bm);
}

void mlir::snnmlir::onnx_import::registerLinearOps(
    llvm::StringMap<OpBuilderFn> &table) {
  table["Conv"] = importConv;
  table["Gemm"] = importGemm;
  table["MatMul"] = importMatMul;
}
