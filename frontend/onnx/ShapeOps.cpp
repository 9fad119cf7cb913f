//===- ShapeOps.cpp - reshaping ops and the shape computations exporters emit
//
// PyTorch exports `x.view(x.size(0), -1)` as Shape → Gather → Unsqueeze →
// Concat → Reshape. Those int64 computations never reach the IR: they are
// evaluated here on symbolic shape vectors (a known value, or "dimension d of
// value v" for a dynamic dimension), and the Reshape gets a static target in
// which a copied dynamic dimension is 0 and one unknown dimension is -1.
//
//===----------------------------------------------------------------------===//

#include "dialect/NN/NNOps.h"
#include "dialect/Utils/ShapeChecks.h"
#include "frontend/onnx/GraphImporter.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::snnmlir::onnx_import;

static LogicalResult importFlatten(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(outType))
    return failure();
  return ctx.build<nn::FlattenOp>(
      *outType, *x, ctx.b.getI64IntegerAttr(ctx.intAttr("axis", 1)));
}

/// Turns a symbolic target shape into nn.reshape's attribute.
static FailureOr<std::vector<int64_t>>
resolveTarget(NodeContext &ctx, const SymVector &sym, bool allowZero) {
  std::vector<int64_t> target;
  int unknown = 0;
  auto inType = ctx.inputType(0);
  bool inputBatchDynamic = succeeded(inType) && inType->getRank() > 0 &&
                           inType->isDynamicDim(0);
  for (auto [k, e] : llvm::enumerate(sym.elems)) {
    if (e.isKnown()) {
      if (e.value == 0 && allowZero)
        return ctx.error("allowzero = 1 with a zero in the target shape is "
                         "not supported");
      unknown += e.value == -1;
      target.push_back(e.value);
    } else if ((e.source == ctx.inputName(0) && e.dim == int64_t(k)) ||
               (k == 0 && e.dim == 0 && inputBatchDynamic)) {
      // Copies the dynamic dimension in place: the input's own, or the
      // batch taken from another tensor of the same batch (channel
      // shuffles reshape a transposed tensor with x.size(0)).
      target.push_back(0);
    } else {
      ++unknown;
      target.push_back(-1);
    }
  }
  if (unknown > 1)
    return ctx.error("cannot fold the target shape: more than one of its "
                     "dimensions is unknown at import time");
  return target;
}

/// Result type of reshaping `x` to `target` (0 copies, -1 is inferred),
/// refined by ONNX's inferred type where that knows more.
static RankedTensorType reshapeResultType(NodeContext &ctx, Value x,
                                          ArrayRef<int64_t> target) {
  auto in = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> dims;
  SmallVector<bool> copied(in.getRank(), false);
  int64_t known = 1, inferAt = -1;
  bool othersStatic = true, knownFits = true;
  for (auto [k, d] : llvm::enumerate(target)) {
    int64_t dim = d;
    if (d == 0 && k < size_t(in.getRank())) {
      dim = in.getDimSize(k);
      copied[k] = true; // the same elements on both sides: not counted
    } else if (d == -1) {
      inferAt = k;
      dim = ShapedType::kDynamic;
    } else {
      // A target from the file may be absurd: its product must not overflow.
      knownFits &= !llvm::MulOverflow(known, int64_t(d), known);
    }
    othersStatic &= d != 0 || !ShapedType::isDynamic(dim) || copied[k];
    dims.push_back(dim);
  }
  // Elements of the input outside the copied dimensions.
  int64_t rest = 1;
  bool restStatic = true;
  for (int64_t k = 0; k < in.getRank(); ++k) {
    if (copied[k])
      continue;
    restStatic &= !in.isDynamicDim(k);
    if (!in.isDynamicDim(k))
      rest *= in.getDimSize(k);
  }
  if (inferAt >= 0 && restStatic && othersStatic && knownFits && known > 0 &&
      rest % known == 0)
    dims[inferAt] = rest / known;
  if (auto inferred = ctx.inferredOutputType(0);
      inferred && inferred->getRank() == int64_t(dims.size()))
    for (auto [k, d] : llvm::enumerate(inferred->getShape()))
      if (ShapedType::isDynamic(dims[k]))
        dims[k] = d;
  return RankedTensorType::get(dims, in.getElementType());
}

static LogicalResult importReshape(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  auto sym = ctx.symbolicInput(1);
  if (!sym || sym->scalar)
    return ctx.error("the target shape must be a 1-D int64 constant or "
                     "computed from Shape ops");
  auto target = resolveTarget(ctx, *sym, ctx.intAttr("allowzero", 0) != 0);
  if (failed(target))
    return failure();
  return ctx.build<nn::ReshapeOp>(reshapeResultType(ctx, *x, *target), *x,
                                  ctx.b.getDenseI64ArrayAttr(*target));
}

/// nn.reshape from `x` to the inferred output type (Squeeze/Unsqueeze on
/// tensors); a dynamic output dimension copies the input's at the same index
/// or is the one inferred (-1).
static LogicalResult reshapeToInferred(NodeContext &ctx, Value x) {
  auto outType = ctx.outputType(0);
  if (failed(outType))
    return failure();
  ArrayRef<int64_t> in = cast<RankedTensorType>(x.getType()).getShape();
  SymVector sym;
  for (auto [k, d] : llvm::enumerate(outType->getShape())) {
    if (!ShapedType::isDynamic(d))
      sym.elems.push_back(SymDim{d, "", -1});
    else if (k < in.size() && ShapedType::isDynamic(in[k]))
      sym.elems.push_back(SymDim{0, ctx.inputName(0), int64_t(k)});
    else
      sym.elems.push_back(SymDim{-1, "", -1});
  }
  auto target = resolveTarget(ctx, sym, false);
  if (failed(target))
    return failure();
  return ctx.build<nn::ReshapeOp>(*outType, x,
                                  ctx.b.getDenseI64ArrayAttr(*target));
}

static LogicalResult importTranspose(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(outType))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  std::vector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  return ctx.build<nn::TransposeOp>(
      *outType, *x,
      ctx.b.getDenseI64ArrayAttr(ctx.intsAttr("perm").value_or(reversed)));
}

static LogicalResult importConcat(NodeContext &ctx) {
  int64_t axis = ctx.intAttr("axis", 0);
  // Shape vectors concatenate at import time.
  SymVector joined;
  bool symbolic = axis == 0 || axis == -1;
  for (size_t i = 0; symbolic && i < ctx.numInputs(); ++i) {
    auto s = ctx.symbolicInput(i);
    symbolic = s && !s->scalar;
    if (symbolic)
      llvm::append_range(joined.elems, s->elems);
  }
  if (symbolic) {
    ctx.setSymbolic(0, std::move(joined));
    return success();
  }
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    auto v = ctx.input(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  auto outType = ctx.outputType(0);
  if (failed(outType))
    return failure();
  return ctx.build<nn::ConcatOp>(*outType, inputs,
                                 ctx.b.getI64IntegerAttr(axis));
}

static LogicalResult importPad(NodeContext &ctx) {
  if (failed(ctx.requireStringAttr("mode", {"constant"}, "constant")))
    return failure();
  if (ctx.hasInput(3))
    return ctx.error("input 'axes' is not supported");
  auto x = ctx.input(0);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(outType))
    return failure();
  auto pads = ctx.constantInput(1);
  if (!pads || !pads->isInt)
    return ctx.error("input 'pads' must be an int64 constant");
  float value = 0.0f;
  if (ctx.hasInput(2)) {
    auto v = ctx.constantInput(2);
    if (!v || v->numElements() != 1)
      return ctx.error("input 'constant_value' must be a constant scalar");
    value = v->floatAt(0);
  }
  return ctx.build<nn::PadOp>(*outType, *x, ctx.b.getDenseI64ArrayAttr(pads->i),
                              ctx.b.getF32FloatAttr(value));
}

static LogicalResult importConstant(NodeContext &ctx) {
  auto t = std::make_shared<HostTensor>();
  if (const auto *a = ctx.attr("value")) {
    std::string err;
    auto read = readTensor(a->t(), "", err);
    if (failed(read))
      return ctx.error("attribute value: " + err);
    t = *read;
  } else if (const auto *a = ctx.attr("value_float")) {
    t->f = {a->f()};
  } else if (const auto *a = ctx.attr("value_floats")) {
    t->f.assign(a->floats().begin(), a->floats().end());
    t->dims = {int64_t(t->f.size())};
  } else if (const auto *a = ctx.attr("value_int")) {
    t->isInt = true;
    t->i = {a->i()};
  } else if (const auto *a = ctx.attr("value_ints")) {
    t->isInt = true;
    t->i.assign(a->ints().begin(), a->ints().end());
    t->dims = {int64_t(t->i.size())};
  } else {
    return ctx.error("only numeric constants (value, value_float(s), "
                     "value_int(s)) are supported");
  }
  ctx.setConstant(0, std::move(t));
  return success();
}

static LogicalResult importShape(NodeContext &ctx) {
  if (ctx.symbolicInput(0) && !ctx.constantInput(0))
    return ctx.error("Shape of a shape vector is not supported");
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> dims = cast<RankedTensorType>(x->getType()).getShape();
  int64_t rank = dims.size();
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampIndex(ctx.intAttr("start", 0));
  int64_t end = clampIndex(ctx.intAttr("end", rank));
  SymVector sym;
  for (int64_t k = start; k < end; ++k) {
    if (ShapedType::isDynamic(dims[k]))
      sym.elems.push_back(SymDim{0, ctx.inputName(0), k});
    else
      sym.elems.push_back(SymDim{dims[k], "", -1});
  }
  ctx.setSymbolic(0, std::move(sym));
  return success();
}

static LogicalResult importGather(NodeContext &ctx) {
  auto data = ctx.symbolicInput(0);
  if (!data || data->scalar)
    return ctx.error("Gather is supported on shape vectors only (as in "
                     "exported flatten chains)");
  if (ctx.intAttr("axis", 0) != 0)
    return ctx.error("Gather on a shape vector needs axis = 0");
  auto indices = ctx.constantInput(1);
  if (!indices || !indices->isInt || indices->dims.size() > 1)
    return ctx.error("Gather indices must be an int64 constant scalar or "
                     "vector");
  SymVector out;
  out.scalar = indices->dims.empty();
  int64_t n = data->elems.size();
  for (int64_t idx : indices->i) {
    if (idx < -n || idx >= n)
      return ctx.error("Gather index " + Twine(idx) +
                       " is out of range for a shape of " + Twine(n));
    out.elems.push_back(data->elems[idx < 0 ? idx + n : idx]);
  }
  ctx.setSymbolic(0, std::move(out));
  return success();
}

/// Axes from input 1 (opset ≥ 13) or the attribute (older opsets).
static std::optional<std::vector<int64_t>> axesOf(NodeContext &ctx) {
  if (auto c = ctx.constantInput(1); c && c->isInt)
    return c->i;
  if (ctx.hasInput(1))
    return std::nullopt;
  return ctx.intsAttr("axes");
}

static LogicalResult importUnsqueeze(NodeContext &ctx) {
  auto axes = axesOf(ctx);
  if (auto s = ctx.symbolicInput(0);
      s && (!ctx.constantInput(0) || s->scalar)) {
    if (!s->scalar || !axes || *axes != std::vector<int64_t>{0})
      return ctx.error("only Unsqueeze of a scalar shape entry at axis 0 is "
                       "supported on shape vectors");
    SymVector v = *s;
    v.scalar = false;
    ctx.setSymbolic(0, std::move(v));
    return success();
  }
  auto x = ctx.input(0);
  return failed(x) ? failure() : reshapeToInferred(ctx, *x);
}

static LogicalResult importSqueeze(NodeContext &ctx) {
  auto axes = axesOf(ctx);
  if (auto s = ctx.symbolicInput(0); s && !ctx.constantInput(0)) {
    if (s->scalar || s->elems.size() != 1 ||
        (axes && *axes != std::vector<int64_t>{0}))
      return ctx.error("only Squeeze of a one-element shape vector is "
                       "supported on shape vectors");
    SymVector v = *s;
    v.scalar = true;
    ctx.setSymbolic(0, std::move(v));
    return success();
  }
  auto x = ctx.input(0);
  return failed(x) ? failure() : reshapeToInferred(ctx, *x);
}

static LogicalResult importCast(NodeContext &ctx) {
  int64_t to = ctx.intAttr("to", 0);
  bool toInt = to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32;
  bool toFloat = to == onnx::TensorProto::FLOAT;
  if (auto c = ctx.constantInput(0)) {
    if (!toInt && !toFloat)
      return ctx.error("Cast to element type " + Twine(to) +
                       " is not supported");
    auto t = std::make_shared<HostTensor>();
    t->dims = c->dims;
    t->isInt = toInt;
    for (int64_t k = 0; k < c->numElements(); ++k) {
      if (toInt)
        t->i.push_back(c->intAt(k));
      else
        t->f.push_back(c->floatAt(k));
    }
    ctx.setConstant(0, std::move(t));
    return success();
  }
  if (auto s = ctx.symbolicInput(0)) {
    if (!toInt)
      return ctx.error("Cast of a shape vector to a non-integer type is not "
                       "supported");
    ctx.setSymbolic(0, *s);
    return success();
  }
  if (!toFloat)
    return ctx.error("Cast of a float tensor to element type " + Twine(to) +
                     " is not supported");
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  ctx.setOutput(0, *x);
  return success();
}

/// Integer values of constant input `i` (or of attribute `name` before
/// `inputsSince`); nullopt when absent, failure when not constant.
static FailureOr<std::optional<std::vector<int64_t>>>
intsInputOrAttr(NodeContext &ctx, size_t i, StringRef name,
                int64_t inputsSince) {
  if (ctx.opset() < inputsSince)
    return ctx.intsAttr(name);
  if (!ctx.hasInput(i))
    return std::optional<std::vector<int64_t>>();
  if (auto c = ctx.constantInput(i); c && c->isInt)
    return std::optional<std::vector<int64_t>>(c->i);
  // Computed from shapes (x.chunk(2, 1) slices at C / 2): known values.
  if (auto sym = ctx.symbolicInput(i)) {
    std::vector<int64_t> values;
    for (const SymDim &d : sym->elems) {
      if (!d.isKnown())
        return ctx.error("input '" + name + "' depends on a dynamic "
                         "dimension and cannot be folded at import time");
      values.push_back(d.value);
    }
    return std::optional<std::vector<int64_t>>(values);
  }
  return ctx.error("input '" + name +
                   "' must be an int64 constant or computed from shapes");
}

static LogicalResult importReduceMean(NodeContext &ctx) {
  auto axes = intsInputOrAttr(ctx, 1, "axes", 18);
  if (failed(axes))
    return failure();
  auto x = ctx.input(0);
  auto outType = ctx.outputType(0);
  if (failed(x) || failed(outType))
    return failure();
  std::vector<int64_t> all;
  if (!*axes || (*axes)->empty()) {
    if (ctx.intAttr("noop_with_empty_axes", 0) != 0) {
      ctx.setOutput(0, *x);
      return success();
    }
    for (int64_t d = 0; d < cast<RankedTensorType>(x->getType()).getRank(); ++d)
      all.push_back(d);
  }
  return ctx.build<nn::ReduceMeanOp>(
      *outType, *x, ctx.b.getDenseI64ArrayAttr(*axes && !(*axes)->empty()
                                                   ? **axes
                                                   : all),
      ctx.b.getBoolAttr(ctx.intAttr("keepdims", 1) != 0));
}

static LogicalResult importSlice(NodeContext &ctx) {
  auto starts = intsInputOrAttr(ctx, 1, "starts", 10);
  auto ends = intsInputOrAttr(ctx, 2, "ends", 10);
  auto axes = intsInputOrAttr(ctx, 3, "axes", 10);
  auto steps = intsInputOrAttr(ctx, 4, "steps", 10);
  if (failed(starts) || failed(ends) || failed(axes) || failed(steps))
    return failure();
  if (!*starts || !*ends)
    return ctx.error("Slice needs 'starts' and 'ends'");
  size_t n = (*starts)->size();
  std::vector<int64_t> ax, st;
  for (size_t i = 0; i < n; ++i)
    ax.push_back(int64_t(i));
  if (*axes)
    ax = **axes;
  st.assign(n, 1);
  if (*steps)
    st = **steps;
  // A slice of a shape vector (x.shape[2:]) is taken at import time.
  if (auto s = ctx.symbolicInput(0); s && !s->scalar && n == 1 &&
                                     (ax[0] == 0 || ax[0] == -1) &&
                                     st.size() == 1 && st[0] == 1) {
    int64_t len = s->elems.size();
    int64_t b = (**starts)[0], e = (**ends)[0];
    b = std::clamp<int64_t>(b < 0 ? b + len : b, 0, len);
    e = std::clamp<int64_t>(e < 0 ? e + len : e, 0, len);
    SymVector out;
    for (int64_t k = b; k < e; ++k)
      out.elems.push_back(s->elems[size_t(k)]);
    ctx.setSymbolic(0, std::move(out));
    return success();
  }
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  // ONNX's inference cannot type a slice whose bounds are computed (its
  // data propagation stops at Div): the type follows from the bounds.
  auto inType = cast<RankedTensorType>(x->getType());
  SmallVector<int64_t> dims(inType.getShape());
  for (size_t i = 0; i < ax.size() && i < (*ends)->size() && i < st.size();
       ++i) {
    int64_t a = ax[i] < 0 ? ax[i] + inType.getRank() : ax[i];
    if (a < 0 || a >= inType.getRank() || st[i] == 0)
      return ctx.error("bad axis or step for a tensor of rank " +
                       Twine(inType.getRank()));
    if (!ShapedType::isDynamic(dims[a]))
      dims[a] = snnrt::sliceLength(dims[a], (**starts)[i], (**ends)[i], st[i]);
  }
  RankedTensorType outType = RankedTensorType::get(dims, inType.getElementType());
  if (auto inferred = ctx.inferredOutputType(0))
    outType = *inferred;
  return ctx.build<nn::SliceOp>(outType, *x,
                                ctx.b.getDenseI64ArrayAttr(**starts),
                                ctx.b.getDenseI64ArrayAttr(**ends),
                                ctx.b.getDenseI64ArrayAttr(ax),
                                ctx.b.getDenseI64ArrayAttr(st));
}

/// Split: one nn.slice per output along `axis`.
static LogicalResult importSplit(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank(), axis = ctx.intAttr("axis", 0);
  if (axis < -rank || axis >= rank)
    return ctx.error("axis " + Twine(axis) + " is out of range for rank " +
                     Twine(rank));
  if (axis < 0)
    axis += rank;
  int64_t dim = type.getDimSize(axis);
  auto sizes = intsInputOrAttr(ctx, 1, "split", 13);
  if (failed(sizes))
    return failure();
  int64_t outputs = int64_t(ctx.numOutputs());
  std::vector<int64_t> parts;
  if (*sizes) {
    parts = **sizes;
    if (int64_t(parts.size()) != outputs)
      return ctx.error("'split' has " + Twine(parts.size()) +
                       " sizes for " + Twine(outputs) + " outputs");
  } else {
    if (ShapedType::isDynamic(dim))
      return ctx.error("an even Split needs a static dimension " +
                       Twine(axis));
    // Even parts, the last one smaller (opset 18's num_outputs rule).
    int64_t each = (dim + outputs - 1) / outputs;
    for (int64_t k = 0; k < outputs; ++k)
      parts.push_back(std::min(each, dim - k * each));
  }
  int64_t begin = 0;
  for (int64_t k = 0; k < outputs; ++k) {
    if (parts[size_t(k)] < 0)
      return ctx.error("negative split size " + Twine(parts[size_t(k)]));
    SmallVector<int64_t> dims(type.getShape());
    if (!ShapedType::isDynamic(dim))
      dims[axis] = parts[size_t(k)];
    RankedTensorType outType = RankedTensorType::get(dims, type.getElementType());
    if (auto inferred = ctx.inferredOutputType(size_t(k)))
      outType = *inferred;
    auto slice = nn::SliceOp::create(
        ctx.b, ctx.loc, outType, *x, ctx.b.getDenseI64ArrayAttr({begin}),
        ctx.b.getDenseI64ArrayAttr({begin + parts[size_t(k)]}),
        ctx.b.getDenseI64ArrayAttr({axis}), ctx.b.getDenseI64ArrayAttr({1}));
    if (failed(ctx.verifyBuilt(slice)))
      return failure();
    ctx.setOutput(size_t(k), slice);
    begin += parts[size_t(k)];
  }
  if (!ShapedType::isDynamic(dim) && begin != dim)
    return ctx.error("the split sizes add up to " + Twine(begin) +
                     ", the dimension is " + Twine(dim));
  return success();
}

void mlir::snnmlir::onnx_import::registerShapeOps(
    llvm::StringMap<OpBuilderFn> &table) {
  table["Flatten"] = importFlatten;
  table["Reshape"] = importReshape;
  table["Transpose"] = importTranspose;
  table["Concat"] = importConcat;
  table["Pad"] = importPad;
  table["Constant"] = importConstant;
  table["Shape"] = importShape;
  table["Gather"] = importGather;
  table["Unsqueeze"] = importUnsqueeze;
  table["Squeeze"] = importSqueeze;
  table["Cast"] = importCast;
  table["ReduceMean"] = importReduceMean;
  table["Slice"] = importSlice;
  table["Split"] = importSplit;
}
