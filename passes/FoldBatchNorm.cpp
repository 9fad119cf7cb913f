//===- FoldBatchNorm.cpp - fold inference batch-norm into conv/gemm -------===//

#include "dialect/NN/NNOps.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::snnmlir {
#define GEN_PASS_DEF_NNFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace mlir::snnmlir

using namespace mlir;
using namespace mlir::nn;

namespace {

/// Per-channel affine map y = k·x + d of an inference batch-norm.
struct ChannelAffine {
  SmallVector<float> k, d;
};

std::optional<ChannelAffine> batchNormAffine(BatchNormOp bn) {
  auto scale = getConstantFloats(bn.getScale());
  auto bias = getConstantFloats(bn.getBias());
  auto mean = getConstantFloats(bn.getMean());
  auto var = getConstantFloats(bn.getVariance());
  if (!scale || !bias || !mean || !var)
    return std::nullopt;
  float eps = bn.getEpsilon().convertToFloat();
  ChannelAffine a;
  for (size_t c = 0; c < scale->size(); ++c) {
    float k = (*scale)[c] / std::sqrt((*var)[c] + eps);
    a.k.push_back(k);
    a.d.push_back((*bias)[c] - k * (*mean)[c]);
  }
  return a;
}

struct FoldIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<Conv2DOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a conv2d used once");
    auto affine = batchNormAffine(bn);
    auto w = getConstantFloats(conv.getWeight());
    if (!affine || !w)
      return rewriter.notifyMatchFailure(bn, "weights are not constants");
    std::optional<std::vector<float>> b;
    if (conv.getBias() && !(b = getConstantFloats(conv.getBias())))
      return rewriter.notifyMatchFailure(bn, "bias is not a constant");
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t m = wType.getDimSize(0), per = wType.getNumElements() / m;
    std::vector<float> newW = std::move(*w);
    SmallVector<float> newB(m);
    for (int64_t o = 0; o < m; ++o) {
      for (int64_t i = 0; i < per; ++i)
        newW[o * per + i] *= affine->k[o];
      newB[o] = affine->k[o] * (b ? (*b)[o] : 0.0f) + affine->d[o];
    }
    Location loc = bn.getLoc();
    Value weight =
        createF32Constant(rewriter, loc, wType.getShape(), std::move(newW));
    Value bias = createF32Constant(rewriter, loc, {m}, newB);
    auto folded = Conv2DOp::create(
        rewriter, rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()}),
        bn.getType(), conv.getInput(), weight, bias, conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldIntoGemm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto gemm = bn.getInput().getDefiningOp<GemmOp>();
    if (!gemm || !gemm->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a gemm used once");
    auto affine = batchNormAffine(bn);
    auto bData = getConstantFloats(gemm.getB());
    if (!affine || !bData)
      return rewriter.notifyMatchFailure(bn, "weights are not constants");
    auto bType = cast<RankedTensorType>(gemm.getB().getType());
    int64_t n = gemm.getTransB() ? bType.getDimSize(0) : bType.getDimSize(1);
    int64_t k = gemm.getTransB() ? bType.getDimSize(1) : bType.getDimSize(0);
    // C must be absent or one value per output column (1-D, 1×N or 1).
    SmallVector<float> c(n, 0.0f);
    if (Value cv = gemm.getC()) {
      auto cType = cast<RankedTensorType>(cv.getType());
      auto cData = getConstantFloats(cv);
      if (!cData || (cType.getRank() == 2 && cType.getDimSize(0) != 1))
        return rewriter.notifyMatchFailure(bn, "C is not a constant row");
      for (int64_t j = 0; j < n; ++j)
        c[j] = (*cData)[cData->size() == 1 ? 0 : j];
    }
    float alpha = gemm.getAlpha().convertToFloat();
    float beta = gemm.getBeta().convertToFloat();
    std::vector<float> newB = std::move(*bData);
    SmallVector<float> newC(n);
    for (int64_t j = 0; j < n; ++j) {
      float scale = affine->k[j] * alpha;
      for (int64_t i = 0; i < k; ++i)
        newB[gemm.getTransB() ? j * k + i : i * n + j] *= scale;
      newC[j] = affine->k[j] * beta * c[j] + affine->d[j];
    }
    Location loc = bn.getLoc();
    Value b =
        createF32Constant(rewriter, loc, bType.getShape(), std::move(newB));
    Value cNew = createF32Constant(rewriter, loc, {n}, newC);
    auto folded = GemmOp::create(
        rewriter, rewriter.getFusedLoc({gemm.getLoc(), bn.getLoc()}),
        bn.getType(), gemm.getA(), b, cNew, rewriter.getF32FloatAttr(1.0f),
        rewriter.getF32FloatAttr(1.0f), gemm.getTransAAttr(),
        gemm.getTransBAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(gemm);
    return success();
  }
};

/// Per-channel values of a constant broadcast against an N×C×… tensor: a
/// scalar, or C values along dimension 1 ([C], [1, C, 1, 1], [C, 1, 1]).
std::optional<SmallVector<float>> perChannel(Value v, int64_t channels,
                                             int64_t rank) {
  auto data = getConstantFloats(v);
  if (!data)
    return std::nullopt;
  if (data->size() == 1)
    return SmallVector<float>(channels, (*data)[0]);
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  if (int64_t(data->size()) != channels)
    return std::nullopt;
  // The channel axis must land on dimension 1 after right-aligned broadcast.
  int64_t axis = rank - int64_t(shape.size());
  for (auto [i, d] : llvm::enumerate(shape))
    if (d == channels)
      axis += int64_t(i);
  if (axis != 1)
    return std::nullopt;
  return SmallVector<float>(data->begin(), data->end());
}

/// conv(div(sub(x, m), s)) → conv'(x): W'[o, c] = W[o, c] / s[c] and
/// b'[o] = b[o] − Σ W'[o, c, p, q] · m[c]. Exact when the convolution does
/// not pad (or m = 0): zero padding of the normalised input is padding with
/// m in raw units.
struct FoldInputNormalization : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DOp conv,
                                PatternRewriter &rewriter) const override {
    Value in = conv.getInput();
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t m = wType.getDimSize(0), c = wType.getDimSize(1);
    if (conv.getGroup() != 1)
      return rewriter.notifyMatchFailure(conv, "grouped convolution");
    SmallVector<float> mean(c, 0.0f), stddev(c, 1.0f);
    bool matched = false;
    if (auto div = in.getDefiningOp<DivOp>(); div && div->hasOneUse()) {
      auto s = perChannel(div.getRhs(), c, 4);
      if (!s)
        return rewriter.notifyMatchFailure(conv, "divisor is not per channel");
      stddev = *s;
      in = div.getLhs();
      matched = true;
    }
    if (auto sub = in.getDefiningOp<SubOp>(); sub && sub->hasOneUse()) {
      auto mv = perChannel(sub.getRhs(), c, 4);
      if (!mv)
        return rewriter.notifyMatchFailure(conv, "mean is not per channel");
      mean = *mv;
      in = sub.getLhs();
      matched = true;
    }
    if (!matched)
      return rewriter.notifyMatchFailure(conv, "no normalisation before it");
    bool pads = llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; });
    if (pads && llvm::any_of(mean, [](float v) { return v != 0.0f; }))
      return rewriter.notifyMatchFailure(conv,
                                         "padding makes the fold inexact");
    if (cast<RankedTensorType>(in.getType()).getShape() !=
        cast<RankedTensorType>(conv.getInput().getType()).getShape())
      return rewriter.notifyMatchFailure(conv, "normalisation broadcasts");
    auto w = getConstantFloats(conv.getWeight());
    std::optional<std::vector<float>> b;
    if (!w || (conv.getBias() && !(b = getConstantFloats(conv.getBias()))))
      return rewriter.notifyMatchFailure(conv, "weights are not constants");
    int64_t per = wType.getNumElements() / m, k = per / c;
    std::vector<float> newW = std::move(*w);
    SmallVector<float> newB(m);
    for (int64_t o = 0; o < m; ++o) {
      double shift = 0.0;
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < k; ++i) {
          float &wv = newW[o * per + ch * k + i];
          wv /= stddev[ch];
          shift += double(wv) * mean[ch];
        }
      newB[o] = float((b ? (*b)[o] : 0.0f) - shift);
    }
    Location loc = conv.getLoc();
    Value weight =
        createF32Constant(rewriter, loc, wType.getShape(), std::move(newW));
    Value bias = createF32Constant(rewriter, loc, {m}, newB);
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        conv, conv.getType(), in, weight, bias, conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr());
    return success();
  }
};

/// A batch-norm that follows no conv or gemm it could fold into (DenseNet's
/// pre-activation batch-norm after a concatenation) becomes a depthwise 1×1
/// convolution with the same per-channel affine map: a synapse, which the
/// conversion knows.
struct StandaloneToDepthwiseConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *producer = bn.getInput().getDefiningOp();
    if (producer && isa<Conv2DOp, GemmOp>(producer) && producer->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "folds into its producer");
    auto type = cast<RankedTensorType>(bn.getInput().getType());
    if (type.getRank() != 4 || type.isDynamicDim(1))
      return rewriter.notifyMatchFailure(bn, "not N×C×H×W with static C");
    auto affine = batchNormAffine(bn);
    if (!affine)
      return rewriter.notifyMatchFailure(bn, "statistics are not constants");
    int64_t c = type.getDimSize(1);
    Location loc = bn.getLoc();
    Value weight = createF32Constant(rewriter, loc, {c, 1, 1, 1}, affine->k);
    Value bias = createF32Constant(rewriter, loc, {c}, affine->d);
    auto conv = Conv2DOp::create(
        rewriter, loc, bn.getType(), bn.getInput(), weight, bias,
        rewriter.getDenseI64ArrayAttr({1, 1}),
        rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}),
        rewriter.getDenseI64ArrayAttr({1, 1}), rewriter.getI64IntegerAttr(c));
    rewriter.replaceOp(bn, conv.getResult());
    return success();
  }
};

struct NNFoldBatchNormPass
    : snnmlir::impl::NNFoldBatchNormBase<NNFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv, FoldIntoGemm, FoldInputNormalization>(
        &getContext());
    // Only where the folds above do not apply (a lower benefit).
    patterns.add<StandaloneToDepthwiseConv>(&getContext(), /*benefit=*/0);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
