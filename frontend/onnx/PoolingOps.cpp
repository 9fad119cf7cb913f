//===- PoolingOps.cpp - AveragePool, MaxPool, GlobalAveragePool -----------===//

#include "dialect/NN/NNOps.h"
#include "frontend/onnx/GraphImporter.h"

using namespace mlir;
using namespace mlir::snnmlir::onnx_import;

struct PoolAttrs {
  std::vector<int64_t> kernel, strides, pads, dilations;
};

static FailureOr<PoolAttrs> poolAttrs(NodeContext &ctx, Value x) {
  ArrayRef<int64_t> xs = cast<RankedTensorType>(x.getType()).getShape();
  PoolAttrs p;
  auto kernel = ctx.intsAttr("kernel_shape");
  if (!kernel)
    return ctx.error("attribute kernel_shape is required");
  if (xs.size() != 4 || kernel->size() != 2)
    return ctx.error("only 2-D pooling is supported (4-D input, 2 kernel "
                     "dimensions)");
  p.kernel = *kernel;
  p.strides = ctx.intsAttr("strides").value_or(std::vector<int64_t>{1, 1});
  p.dilations = ctx.intsAttr("dilations").value_or(std::vector<int64_t>{1, 1});
  if (p.strides.size() != 2 || p.dilations.size() != 2)
    return ctx.error("attributes strides and dilations must have 2 elements");
  auto pads = autoPads(ctx, xs, p.kernel, p.strides, p.dilations);
  if (failed(pads))
    return failure();
  p.pads = *pads;
  return p;
}

static LogicalResult importAveragePool(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(outType))
    return failure();
  auto p = poolAttrs(ctx, *x);
  if (failed(p))
    return failure();
  if (p->dilations != std::vector<int64_t>{1, 1})
    return ctx.error("dilated average pooling is not supported");
  return ctx.build<nn::AvgPoolOp>(
      *outType, *x, ctx.b.getDenseI64ArrayAttr(p->kernel),
      ctx.b.getDenseI64ArrayAttr(p->strides),
      ctx.b.getDenseI64ArrayAttr(p->pads),
      ctx.b.getBoolAttr(ctx.intAttr("count_include_pad", 0) != 0),
      ctx.b.getBoolAttr(ctx.intAttr("ceil_mode", 0) != 0));
}

static LogicalResult importMaxPool(NodeContext &ctx) {
  if (ctx.intAttr("storage_order", 0) != 0)
    return ctx.error("attribute storage_order = 1 is not supported");
  auto x = ctx.input(0);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(outType))
    return failure();
  auto p = poolAttrs(ctx, *x);
  if (failed(p))
    return failure();
  return ctx.build<nn::MaxPoolOp>(
      *outType, *x, ctx.b.getDenseI64ArrayAttr(p->kernel),
      ctx.b.getDenseI64ArrayAttr(p->strides),
      ctx.b.getDenseI64ArrayAttr(p->pads),
      ctx.b.getDenseI64ArrayAttr(p->dilations),
      ctx.b.getBoolAttr(ctx.intAttr("ceil_mode", 0) != 0));
}

static LogicalResult importGlobalAveragePool(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(outType))
    return failure();
  if (cast<RankedTensorType>(x->getType()).getRank() != 4)
    return ctx.error("only 4-D inputs (N×C×H×W) are supported");
  return ctx.build<nn::GlobalAvgPoolOp>(*outType, *x);
}

void mlir::snnmlir::onnx_import::registerPoolingOps(
    llvm::StringMap<OpBuilderFn> &table) {
  table["AveragePool"] = importAveragePool;
  table["MaxPool"] = importMaxPool;
  table["GlobalAveragePool"] = importGlobalAveragePool;
}
