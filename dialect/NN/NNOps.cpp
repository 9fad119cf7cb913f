//===- NNOps.cpp - nn dialect verifiers and folders -----------------------===//

#include "dialect/NN/NNOps.h"
#include "dialect/Utils/ShapeChecks.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nn;
using namespace mlir::snnmlir;

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static LogicalResult verifyVector(Operation *op, StringRef name, Value v,
                                  int64_t expected) {
  return verifyVectorShape(op, name, shapeOf(v), expected);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  std::optional<ArrayRef<int64_t>> bias;
  if (getBias())
    bias = shapeOf(getBias());
  return verifyConv2D(*this, shapeOf(getInput()), shapeOf(getWeight()), bias,
                      getStrides(), getPads(), getDilations(), getGroup(),
                      getType().getShape());
}

//===----------------------------------------------------------------------===//
// GemmOp and MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.size() != 2 || b.size() != 2)
    return emitOpError() << "expects 2-D operands A and B, got ranks "
                         << a.size() << " and " << b.size();
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (!dimsCompatible(ka, kb))
    return emitOpError() << "inner dimensions differ: op(A) is "
                         << formatShape({m, ka}) << ", op(B) is "
                         << formatShape({kb, n});
  SmallVector<int64_t> result{m, n};
  if (Value c = getC()) {
    // Unidirectional broadcast: C stretches to M×N, never the other way.
    ArrayRef<int64_t> cs = shapeOf(c);
    bool ok = cs.size() <= 2;
    for (size_t i = 0; ok && i < cs.size(); ++i) {
      int64_t cd = cs[cs.size() - 1 - i], rd = result[1 - i];
      ok = cd == 1 || dimsCompatible(cd, rd);
    }
    if (!ok)
      return emitOpError() << "C of shape " << formatShape(cs)
                           << " does not broadcast to " << formatShape(result);
  }
  return verifyInferredShape(*this, result, getType().getShape());
}

LogicalResult MatMulOp::verify() {
  SmallVector<int64_t> a(shapeOf(getA())), b(shapeOf(getB()));
  if (a.empty() || b.empty())
    return emitOpError() << "expects operands of rank ≥ 1";
  bool aVec = a.size() == 1, bVec = b.size() == 1;
  if (aVec)
    a.insert(a.begin(), 1);
  if (bVec)
    b.push_back(1);
  int64_t ka = a.back(), kb = b[b.size() - 2];
  if (!dimsCompatible(ka, kb))
    return emitOpError() << "inner dimensions differ: " << ka << " vs " << kb;
  auto batch = broadcastShapes(*this, ArrayRef<int64_t>(a).drop_back(2),
                               ArrayRef<int64_t>(b).drop_back(2));
  if (failed(batch))
    return failure();
  SmallVector<int64_t> result(*batch);
  if (!aVec)
    result.push_back(a[a.size() - 2]);
  if (!bVec)
    result.push_back(b.back());
  return verifyInferredShape(*this, result, getType().getShape());
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyBroadcastOp(Operation *op) {
  auto result = broadcastShapes(op, shapeOf(op->getOperand(0)),
                                shapeOf(op->getOperand(1)));
  if (failed(result))
    return failure();
  return verifyInferredShape(op, *result, shapeOf(op->getResult(0)));
}

LogicalResult AddOp::verify() { return verifyBroadcastOp(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastOp(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastOp(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastOp(*this); }

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToFloat() > getMax()->convertToFloat())
    return emitOpError() << "'min' (" << getMin()->convertToFloat()
                         << ") must not exceed 'max' ("
                         << getMax()->convertToFloat() << ")";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return normalizeAxis(*this, "axis", getAxis(), getType().getRank());
}

LogicalResult DropoutOp::verify() {
  float ratio = getRatio().convertToFloat();
  if (ratio < 0.0f || ratio >= 1.0f)
    return emitOpError() << "'ratio' must be in [0, 1), got " << ratio;
  return success();
}

OpFoldResult DropoutOp::fold(FoldAdaptor) { return getInput(); }
OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError() << "expects an input of rank ≥ 2 (N×C×…), got rank "
                         << in.size();
  if (failed(verifyVector(*this, "scale", getScale(), in[1])) ||
      failed(verifyVector(*this, "bias", getBias(), in[1])) ||
      failed(verifyVector(*this, "mean", getMean(), in[1])) ||
      failed(verifyVector(*this, "variance", getVariance(), in[1])))
    return failure();
  if (getEpsilon().convertToFloat() < 0.0f)
    return emitOpError() << "'epsilon' must be non-negative";
  return verifyInferredShape(*this, in, getType().getShape());
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult AvgPoolOp::verify() {
  return verifyPool2D(*this, shapeOf(getInput()), getKernelShape(),
                      getStrides(), getPads(), {1, 1}, getCeilMode(),
                      getType().getShape());
}

LogicalResult MaxPoolOp::verify() {
  return verifyPool2D(*this, shapeOf(getInput()), getKernelShape(),
                      getStrides(), getPads(), getDilations(), getCeilMode(),
                      getType().getShape());
}

LogicalResult GlobalAvgPoolOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (failed(verifyRank(*this, "input (N×C×H×W)", in, 4)))
    return failure();
  return verifyInferredShape(*this, {in[0], in[1], 1, 1}, getType().getShape());
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::verify() {
  return verifyFlatten(*this, shapeOf(getInput()), getAxis(),
                       getType().getShape());
}

LogicalResult ReshapeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), target = getShape();
  SmallVector<int64_t> out;
  int inferIndex = -1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d < -1)
      return emitOpError() << "'shape' entries must be ≥ -1, got " << d;
    if (d == -1) {
      if (inferIndex >= 0)
        return emitOpError() << "'shape' may contain -1 at most once";
      inferIndex = i;
      out.push_back(ShapedType::kDynamic);
    } else if (d == 0) {
      if (i >= in.size())
        return emitOpError() << "'shape' entry 0 at index " << i
                             << " copies a dimension the input does not have";
      out.push_back(in[i]);
    } else {
      out.push_back(d);
    }
  }
  int64_t inCount = staticProduct(in);
  if (!ShapedType::isDynamic(inCount)) {
    int64_t known = 1;
    for (auto [i, d] : llvm::enumerate(out))
      if (static_cast<int>(i) != inferIndex)
        known *= d;
    bool fits =
        inferIndex >= 0 ? known > 0 && inCount % known == 0 : known == inCount;
    if (!fits)
      return emitOpError() << "cannot reshape " << inCount
                           << " elements into shape "
                           << formatShape(ArrayRef<int64_t>(target));
    if (inferIndex >= 0)
      out[inferIndex] = inCount / known;
  }
  return verifyInferredShape(*this, out, getType().getShape());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  return {};
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<bool> seen(in.size(), false);
  bool valid = perm.size() == in.size();
  for (int64_t p : perm) {
    valid = valid && p >= 0 && p < static_cast<int64_t>(in.size()) && !seen[p];
    if (valid)
      seen[p] = true;
  }
  if (!valid)
    return emitOpError() << "'perm' must be a permutation of [0, " << in.size()
                         << "), got " << formatShape(ArrayRef<int64_t>(perm));
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(in[p]);
  return verifyInferredShape(*this, out, getType().getShape());
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one input";
  ArrayRef<int64_t> first = shapeOf(getInputs().front());
  int64_t rank = first.size();
  auto axis = normalizeAxis(*this, "axis", getAxis(), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> out(first);
  for (auto [i, v] : llvm::enumerate(getInputs().drop_front())) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (static_cast<int64_t>(s.size()) != rank)
      return emitOpError() << "all inputs must have rank " << rank << ", input "
                           << i + 1 << " has rank " << s.size();
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *axis) {
        out[d] = ShapedType::isDynamic(out[d]) || ShapedType::isDynamic(s[d])
                     ? ShapedType::kDynamic
                     : out[d] + s[d];
      } else if (!dimsCompatible(first[d], s[d])) {
        return emitOpError() << "input " << i + 1 << " dimension " << d
                             << " is " << s[d] << ", expected " << first[d];
      }
    }
  }
  return verifyInferredShape(*this, out, getType().getShape());
}

LogicalResult PadOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> pads = getPads();
  if (failed(verifyArrayLength(*this, "pads", pads, 2 * in.size())))
    return failure();
  SmallVector<int64_t> out;
  for (size_t d = 0; d < in.size(); ++d) {
    if (ShapedType::isDynamic(in[d])) {
      out.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t size = in[d] + pads[d] + pads[d + in.size()];
    if (size < 1)
      return emitOpError() << "padding leaves dimension " << d << " with size "
                           << size;
    out.push_back(size);
  }
  return verifyInferredShape(*this, out, getType().getShape());
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

/// The first non-finite element of `values` (bit patterns of f32), or -1.
static int64_t firstNonFinite(ArrayRef<uint32_t> bits) {
  for (size_t i = 0; i < bits.size(); ++i)
    if ((bits[i] & 0x7F800000u) == 0x7F800000u)
      return int64_t(i);
  return -1;
}

LogicalResult ConstantOp::verify() {
  if (getAllowNonfinite())
    return success();
  auto type = dyn_cast<ShapedType>(getValue().getType());
  if (!type || !isa<FloatType>(type.getElementType()))
    return success();
  int64_t bad = -1;
  double badValue = 0.0;
  Attribute value = getValue();
  if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
    if (type.getElementType().isF32()) {
      // Raw f32 words: a splat holds one, otherwise one per element.
      ArrayRef<char> raw = dense.getRawData();
      ArrayRef<uint32_t> bits(reinterpret_cast<const uint32_t *>(raw.data()),
                              raw.size() / sizeof(uint32_t));
      bad = firstNonFinite(bits);
      if (bad >= 0)
        badValue =
            *(dense.getValues<float>().begin() + (dense.isSplat() ? 0 : bad));
    } else {
      int64_t i = 0;
      for (APFloat v : dense.getValues<APFloat>()) {
        if (!v.isFinite()) {
          bad = i, badValue = v.convertToDouble();
          break;
        }
        ++i;
      }
    }
  } else if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(value)) {
    if (std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef()) {
      bad = firstNonFinite(ArrayRef<uint32_t>(
          reinterpret_cast<const uint32_t *>(data->data()), data->size()));
      if (bad >= 0)
        badValue = (*data)[size_t(bad)];
    }
  }
  if (bad < 0)
    return success();
  return emitOpError() << "holds "
                       << (std::isnan(badValue) ? "NaN"
                           : badValue > 0       ? "+inf"
                                                : "-inf")
                       << " at element " << bad << " of "
                       << type.getNumElements()
                       << ": weights, biases and statistics must be finite "
                          "(the unit attribute 'allow_nonfinite' keeps such "
                          "a constant on purpose)";
}

std::optional<std::vector<float>> mlir::nn::getConstantFloats(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  if (std::optional<ArrayRef<float>> data = getConstantFloatsRef(v))
    return std::vector<float>(data->begin(), data->end());
  if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue())) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  return std::nullopt;
}

std::optional<ArrayRef<float>> mlir::nn::getConstantFloatsRef(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  Attribute value = c.getValue();
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(value))
    return blob.tryGetAsArrayRef();
  if (auto dense = dyn_cast<DenseElementsAttr>(value);
      dense && !dense.isSplat() && dense.getElementType().isF32()) {
    ArrayRef<char> raw = dense.getRawData();
    return ArrayRef<float>(reinterpret_cast<const float *>(raw.data()),
                           raw.size() / sizeof(float));
  }
  return std::nullopt;
}

ElementsAttr mlir::nn::f32ConstantAttr(RankedTensorType type,
                                       ArrayRef<float> data,
                                       StringRef blobName) {
  if (data.size() * sizeof(float) <= kResourceThresholdBytes)
    return DenseElementsAttr::get(type, data);
  return cast<ElementsAttr>(Attribute(DenseF32ResourceElementsAttr::get(
      type, blobName, HeapAsmResourceBlob::allocateAndCopyInferAlign(data))));
}

ElementsAttr mlir::nn::f32SharedBlobAttr(RankedTensorType type,
                                         ArrayRef<float> data,
                                         std::shared_ptr<const void> owner,
                                         StringRef blobName) {
  AsmResourceBlob blob(
      ArrayRef<char>(reinterpret_cast<const char *>(data.data()),
                     data.size() * sizeof(float)),
      alignof(float), [owner = std::move(owner)](void *, size_t, size_t) {},
      /*dataIsMutable=*/false);
  return cast<ElementsAttr>(Attribute(
      DenseF32ResourceElementsAttr::get(type, blobName, std::move(blob))));
}

ElementsAttr mlir::nn::f32ConstantAttr(RankedTensorType type,
                                       std::vector<float> &&data,
                                       StringRef blobName) {
  if (data.size() * sizeof(float) <= kResourceThresholdBytes)
    return DenseElementsAttr::get(type, ArrayRef<float>(data));
  auto owner = std::make_shared<const std::vector<float>>(std::move(data));
  return f32SharedBlobAttr(type, *owner, owner, blobName);
}

Value mlir::nn::createF32Constant(OpBuilder &builder, Location loc,
                                  ArrayRef<int64_t> shape,
                                  ArrayRef<float> data) {
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  return ConstantOp::create(builder, loc, type, f32ConstantAttr(type, data));
}

Value mlir::nn::createF32Constant(OpBuilder &builder, Location loc,
                                  ArrayRef<int64_t> shape,
                                  std::vector<float> &&data) {
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  return ConstantOp::create(builder, loc, type,
                            f32ConstantAttr(type, std::move(data)));
}

#define GET_OP_CLASSES
#include "dialect/NN/NNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Activations without a spiking form, reductions, slices
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError() << "'approximate' must be \"none\" or \"tanh\", got \""
                         << getApproximate() << "\"";
  return success();
}

LogicalResult ReduceMeanOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t rank = in.size();
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : getAxes()) {
    auto axis = normalizeAxis(*this, "axes", a, rank);
    if (failed(axis))
      return failure();
    if (reduced[*axis])
      return emitOpError() << "'axes' names dimension " << *axis << " twice";
    reduced[*axis] = true;
  }
  if (getAxes().empty())
    return emitOpError() << "expects at least one axis";
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d])
      out.push_back(in[d]);
    else if (getKeepdims())
      out.push_back(1);
  return verifyInferredShape(*this, out, getType().getShape());
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t rank = in.size();
  size_t n = getAxes().size();
  if (getStarts().size() != n || getEnds().size() != n ||
      getSteps().size() != n)
    return emitOpError() << "'starts', 'ends', 'axes' and 'steps' must have "
                            "one entry per sliced axis";
  SmallVector<int64_t> out(in);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    auto axis = normalizeAxis(*this, "axes", getAxes()[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return emitOpError() << "'axes' names dimension " << *axis << " twice";
    seen[*axis] = true;
    if (getSteps()[i] == 0)
      return emitOpError() << "'steps' must not be 0";
    if (!ShapedType::isDynamic(in[*axis]))
      out[*axis] = sliceLength(in[*axis], getStarts()[i], getEnds()[i],
                               getSteps()[i]);
  }
  return verifyInferredShape(*this, out, getType().getShape());
}

namespace {
/// mean over H and W of N×C×H×W → global_avg_pool (then flatten to N×C
/// without keepdims): the form the conversion to spikes knows.
struct SpatialMeanToGlobalPool : OpRewritePattern<ReduceMeanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceMeanOp op,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(op.getInput().getType());
    if (in.getRank() != 4)
      return failure();
    SmallVector<int64_t> axes;
    for (int64_t a : op.getAxes())
      axes.push_back(a < 0 ? a + 4 : a);
    llvm::sort(axes);
    if (axes != SmallVector<int64_t>{2, 3})
      return failure();
    auto pooledType = RankedTensorType::get(
        {in.getDimSize(0), in.getDimSize(1), 1, 1}, in.getElementType());
    Value pooled = GlobalAvgPoolOp::create(rewriter, op.getLoc(), pooledType,
                                           op.getInput());
    if (!op.getKeepdims())
      pooled = FlattenOp::create(rewriter, op.getLoc(), op.getType(), pooled,
                                 rewriter.getI64IntegerAttr(1));
    rewriter.replaceOp(op, pooled);
    return success();
  }
};
} // namespace

void ReduceMeanOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                               MLIRContext *context) {
  results.add<SpatialMeanToGlobalPool>(context);
}
