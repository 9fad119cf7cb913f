//===- ConvertNNToSNN.cpp - ReLU networks into rate-coded SNNs ------------===//
//
// Walks each function in order and builds, for every nn value that carries
// activations, the snn train that replaces it (constants stay tensors). Ops
// that only pass values through become aliases; ops with no spiking form are
// refused with the reason.
//
//===----------------------------------------------------------------------===//

#include "dialect/NN/NNOps.h"
#include "dialect/SNN/SNNOps.h"
#include "passes/Passes.h"
#include "runtime/tensor/SliceLength.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir::snnmlir {
#define GEN_PASS_DEF_CONVERTNNTOSNN
#include "passes/Passes.h.inc"
} // namespace mlir::snnmlir

using namespace mlir;

namespace {

struct ConversionOptions {
  bool lif = false;
  float leak = 1.0f;
  snn::ResetMode reset = snn::ResetMode::Subtract;
  bool poisson = true;
  int64_t timesteps = 32;
  int64_t seed = 0;
  float threshold = 1.0f;
  float initialPotential = 0.0f;
  bool ttfs = false;   // time-to-first-spike, continuous time
  bool events = false; // inputs become event frames N×T×C×H×W
  float tMax = 4.0f, tau = 1.0f;
};

class FunctionConverter {
public:
  FunctionConverter(func::FuncOp fn, const ConversionOptions &options)
      : fn(fn), options(options), b(fn.getContext()) {}

  LogicalResult run();

private:
  LogicalResult convert(Operation *op);
  LogicalResult convertConv(nn::Conv2DOp op);
  LogicalResult convertDense(Operation *op, Value input, Value weight,
                             bool transposeWeight, float alpha, Value bias,
                             float beta);
  LogicalResult convertAdd(nn::AddOp op);
  LogicalResult convertConcat(nn::ConcatOp op);
  LogicalResult convertSlice(nn::SliceOp op);
  /// ShuffleNet's channel shuffle: reshape N×C×H×W to N×g×(C/g)×H×W,
  /// transpose dimensions 1 and 2, reshape back. Converts the three ops into
  /// one snn.gather_channels when `op` starts such a chain.
  FailureOr<bool> convertChannelShuffle(nn::ReshapeOp op);
  /// A gather of channels `indices` of `in` standing for nn value `result`.
  void gatherChannels(Location loc, Value in, Value result,
                      ArrayRef<int64_t> indices);
  LogicalResult convertNeuron(Operation *op);
  LogicalResult convertPool(Operation *op);
  LogicalResult convertReshape(Operation *op, Value input);
  LogicalResult convertReturn(func::ReturnOp op);

  /// The train that stands for nn value `v`, or null if `v` is a tensor.
  Value trainOf(Value v) const {
    while (Value a = aliases.lookup(v))
      v = a;
    return trains.lookup(v);
  }
  Value resolve(Value v) const {
    while (Value a = aliases.lookup(v))
      v = a;
    return v;
  }
  Type currentType(Value nnValue) {
    return snn::CurrentType::get(fn.getContext(), shapeOf(nnValue));
  }
  Type spikesType(Value nnValue) {
    return snn::SpikesType::get(fn.getContext(), shapeOf(nnValue));
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  LogicalResult refuse(Operation *op, const Twine &why) {
    // Imported ops carry their ONNX node's name: say which node it is.
    std::string node;
    op->getLoc()->walk([&](Location l) {
      if (auto name = dyn_cast<NameLoc>(l); name && node.empty())
        node = name.getName().str();
      return WalkResult::advance();
    });
    InFlightDiagnostic d = op->emitOpError();
    if (!node.empty())
      d << "(ONNX node '" << node << "') ";
    return d << "has no spiking form: " << why;
  }
  /// True when every use of `v` is the function's return.
  static bool onlyReturned(Value v) {
    return !v.use_empty() && llvm::all_of(v.getUsers(), [](Operation *u) {
      return isa<func::ReturnOp>(u);
    });
  }

  func::FuncOp fn;
  ConversionOptions options;
  OpBuilder b;
  llvm::DenseMap<Value, Value> trains, aliases;
  llvm::DenseSet<Operation *> absorbed; // adds folded into a dense bias
};

LogicalResult FunctionConverter::run() {
  if (!fn.getBody().hasOneBlock())
    return fn.emitError() << "convert-nn-to-snn needs single-block functions";
  Block &entry = fn.getBody().front();
  b.setInsertionPointToStart(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || arg.use_empty())
      continue;
    Location loc = fn.getLoc();
    if (options.events) { // the argument's type changes once nn ops are gone
      if (type.getRank() != 4)
        return fn.emitError()
               << "encoding=events needs image inputs (N×C×H×W, e.g. C = 2 "
                  "ON/OFF channels); argument #"
               << arg.getArgNumber() << " is " << type;
      trains[arg] = snn::EncodeEventsOp::create(b, loc, spikesType(arg), arg);
    } else if (options.ttfs)
      trains[arg] = snn::EncodeTTFSOp::create(b, loc, spikesType(arg), arg,
                                              b.getF32FloatAttr(options.tau));
    else if (options.poisson)
      trains[arg] = snn::EncodePoissonOp::create(
          b, loc, spikesType(arg), arg, b.getI64IntegerAttr(options.seed),
          b.getF32FloatAttr(1.0f));
    else
      trains[arg] = snn::EncodeDirectOp::create(b, loc, currentType(arg), arg);
  }
  SmallVector<Operation *> original;
  for (Operation &op : entry)
    if (!isa<snn::SNNDialect>(op.getDialect()))
      original.push_back(&op);
  for (Operation *op : original) {
    b.setInsertionPoint(op);
    if (failed(convert(op)))
      return failure();
  }
  // The nn ops are dead now (constants that are still used stay).
  for (Operation *op : llvm::reverse(original))
    if (!isa<func::ReturnOp>(op) && op->use_empty())
      op->erase();
  if (options.events) {
    // Event inputs are T frames per sample: N×C×H×W becomes N×T×C×H×W.
    for (BlockArgument arg : entry.getArguments())
      if (auto type = dyn_cast<RankedTensorType>(arg.getType());
          type && !arg.use_empty()) {
        SmallVector<int64_t> frames(type.getShape());
        frames.insert(frames.begin() + 1, options.timesteps);
        arg.setType(RankedTensorType::get(frames, type.getElementType()));
      }
    fn.setType(FunctionType::get(fn.getContext(), entry.getArgumentTypes(),
                                 fn.getResultTypes()));
  }
  if (options.ttfs)
    fn->setAttr(
        snn::SNNDialect::getTimeAttrName(),
        snn::ContinuousTimeAttr::get(fn.getContext(), APFloat(options.tMax)));
  else
    fn->setAttr(snn::SNNDialect::getTimeAttrName(),
                snn::DiscreteTimeAttr::get(fn.getContext(), options.timesteps,
                                           APFloat(1.0)));
  return success();
}

LogicalResult FunctionConverter::convert(Operation *op) {
  if (absorbed.contains(op))
    return success();
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<nn::ConstantOp>([](auto) { return success(); })
      .Case<nn::Conv2DOp>([&](auto c) { return convertConv(c); })
      .Case<nn::GemmOp>([&](nn::GemmOp g) {
        if (g.getTransA())
          return refuse(g, "transA = true puts the batch in the weights");
        return convertDense(g, g.getA(), g.getB(), !g.getTransB(),
                            g.getAlpha().convertToFloat(), g.getC(),
                            g.getBeta().convertToFloat());
      })
      .Case<nn::MatMulOp>([&](nn::MatMulOp m) {
        return convertDense(m, m.getA(), m.getB(), /*transposeWeight=*/true,
                            1.0f, Value(), 0.0f);
      })
      .Case<nn::AddOp>([&](auto a) { return convertAdd(a); })
      .Case<nn::ConcatOp>([&](auto c) { return convertConcat(c); })
      .Case<nn::SliceOp>([&](auto sl) { return convertSlice(sl); })
      .Case<nn::ReluOp, nn::ClipOp>(
          [&](Operation *n) { return convertNeuron(n); })
      .Case<nn::AvgPoolOp, nn::MaxPoolOp, nn::GlobalAvgPoolOp>(
          [&](Operation *p) { return convertPool(p); })
      .Case<nn::ReshapeOp>([&](nn::ReshapeOp r) -> LogicalResult {
        auto shuffle = convertChannelShuffle(r);
        if (failed(shuffle))
          return failure();
        if (*shuffle)
          return success();
        return convertReshape(r, r.getInput());
      })
      .Case<nn::FlattenOp>(
          [&](Operation *r) { return convertReshape(r, r->getOperand(0)); })
      .Case<nn::DropoutOp, nn::IdentityOp>([&](Operation *p) {
        aliases[p->getResult(0)] = p->getOperand(0);
        return success();
      })
      .Case<nn::PadOp>([&](nn::PadOp p) {
        if (!llvm::all_of(p.getPads(), [](int64_t v) { return v == 0; }))
          return refuse(p, "explicit padding of spike trains; fold it into "
                           "the next convolution's pads");
        aliases[p.getResult()] = p.getInput();
        return success();
      })
      .Case<nn::SoftmaxOp>([&](nn::SoftmaxOp s) {
        if (!onlyReturned(s.getResult()))
          return refuse(s, "softmax in a hidden layer (only a final softmax, "
                           "which does not change the class, is dropped)");
        aliases[s.getResult()] = s.getInput();
        return success();
      })
      .Case<nn::BatchNormOp>([&](Operation *n) {
        return refuse(n, "batch-norm must be folded into the preceding layer "
                         "first (--nn-fold-batchnorm)");
      })
      .Case<nn::LeakyReluOp>([&](Operation *n) {
        return refuse(n, "negative slopes cannot be expressed by spike rates");
      })
      .Case<nn::SigmoidOp, nn::HardSigmoidOp>([&](Operation *n) {
        return refuse(n, "a rate-coded neuron fires at rate 0 for input 0 and "
                         "its rate grows without a bound it sets itself; a "
                         "sigmoid is 0.5 at 0 and multiplies other values in "
                         "gates (SiLU, squeeze-and-excitation); retrain with "
                         "ReLU or ReLU6");
      })
      .Case<nn::HardSwishOp, nn::GeluOp, nn::ErfOp>([&](Operation *n) {
        return refuse(n, "its negative outputs and the product of its input "
                         "with a gate have no rate-coded form; retrain with "
                         "ReLU or ReLU6");
      })
      .Case<nn::TanhOp>([&](Operation *n) {
        return refuse(n, "negative outputs cannot be expressed by spike rates; "
                         "retrain with ReLU or ReLU6");
      })
      .Case<func::ReturnOp>([&](auto r) { return convertReturn(r); })
      .Default([&](Operation *other) {
        return refuse(other, "no conversion rule for this op");
      });
}

LogicalResult FunctionConverter::convertConv(nn::Conv2DOp op) {
  Value in = trainOf(op.getInput());
  if (!in)
    return refuse(op, "its input does not depend on the network input");
  Value bias = op.getBias() ? resolve(op.getBias()) : Value();
  auto conv = snn::Conv2DOp::create(b, op.getLoc(), currentType(op.getResult()),
                                    in, op.getWeight(), bias,
                                    op.getStridesAttr(), op.getPadsAttr(),
                                    op.getDilationsAttr(), op.getGroupAttr());
  trains[op.getResult()] = conv;
  return success();
}

LogicalResult FunctionConverter::convertDense(Operation *op, Value input,
                                              Value weight,
                                              bool transposeWeight, float alpha,
                                              Value bias, float beta) {
  Value in = trainOf(input);
  if (!in)
    return refuse(op, "its input does not depend on the network input");
  auto wType = cast<RankedTensorType>(weight.getType());
  auto w = nn::getConstantFloatsRef(weight);
  std::optional<std::vector<float>> copied;
  if (!w && (copied = nn::getConstantFloats(weight)))
    w = ArrayRef<float>(*copied);
  if (!w || wType.getRank() != 2 || shapeOf(input).size() != 2)
    return refuse(op, "only 2-D inputs times constant 2-D weights become "
                      "dense synapses");
  // snn.dense takes an M×K weight (out × in): PyTorch's Linear exports one
  // (Gemm with transB), used as it is; others are transposed and scaled.
  int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
  int64_t m = transposeWeight ? cols : rows, k = transposeWeight ? rows : cols;
  Value weightConst = weight;
  if (transposeWeight || alpha != 1.0f) {
    std::vector<float> dense(m * k);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j)
        dense[i * k + j] =
            alpha * (*w)[transposeWeight ? j * cols + i : i * cols + j];
    weightConst =
        nn::createF32Constant(b, op->getLoc(), {m, k}, std::move(dense));
  }

  // Bias: Gemm's C (1-D or 1×N), or a following add of a constant vector.
  SmallVector<float> biasData;
  auto takeBias = [&](Value v, float scale) -> bool {
    auto data = nn::getConstantFloats(v);
    auto type = cast<RankedTensorType>(v.getType());
    if (!data || type.getNumElements() != m ||
        (type.getRank() == 2 && type.getDimSize(0) != 1) || type.getRank() > 2)
      return false;
    for (float x : *data)
      biasData.push_back(scale * x);
    return true;
  };
  if (bias && beta != 0.0f && !takeBias(bias, beta))
    return refuse(op, "C must be a constant with one value per output");
  Value result = op->getResult(0);
  if (!bias && op->hasOneUse()) {
    if (auto add = dyn_cast<nn::AddOp>(*op->getUsers().begin())) {
      Value other = add.getLhs() == result ? add.getRhs() : add.getLhs();
      if (shapeOf(add.getResult()) == shapeOf(result) &&
          takeBias(other, 1.0f)) {
        absorbed.insert(add);
        aliases[add.getResult()] = result;
      }
    }
  }
  Location loc = op->getLoc();
  Value biasConst =
      biasData.empty() ? Value() : nn::createF32Constant(b, loc, {m}, biasData);
  trains[result] = snn::DenseOp::create(b, loc, currentType(result), in,
                                        weightConst, biasConst);
  return success();
}

LogicalResult FunctionConverter::convertAdd(nn::AddOp op) {
  Value lhs = trainOf(op.getLhs()), rhs = trainOf(op.getRhs());
  if (!lhs || !rhs)
    return refuse(op, "adding a constant to activations is only supported "
                      "as the bias of the dense layer right before it");
  if (shapeOf(op.getLhs()) != shapeOf(op.getRhs()))
    return refuse(op, "residual adds need operands of one shape (no "
                      "broadcasting)");
  trains[op.getResult()] =
      snn::AddOp::create(b, op.getLoc(), currentType(op.getResult()), lhs, rhs);
  return success();
}

LogicalResult FunctionConverter::convertConcat(nn::ConcatOp op) {
  int64_t rank = shapeOf(op.getResult()).size();
  if (op.getAxis() == 0 || op.getAxis() == -rank)
    return refuse(op, "joining along the batch dimension mixes samples");
  SmallVector<Value> inputs;
  for (Value v : op.getInputs()) {
    Value t = trainOf(v);
    if (!t)
      return refuse(op, "joining constants with activations has no spiking "
                        "form");
    inputs.push_back(t);
  }
  // Spikes joined with spikes stay spikes. Joined with a current (DenseNet
  // concatenates conv outputs with pooled spikes) the result is a current:
  // a spike is one unit of current, and balancing keeps per-channel units.
  bool allSpikes = llvm::all_of(inputs, [](Value t) {
    return isa<snn::SpikesType>(t.getType());
  });
  Type result =
      allSpikes ? spikesType(op.getResult()) : currentType(op.getResult());
  trains[op.getResult()] = snn::ConcatOp::create(b, op.getLoc(), result,
                                                 inputs, op.getAxisAttr());
  return success();
}

void FunctionConverter::gatherChannels(Location loc, Value in, Value result,
                                       ArrayRef<int64_t> indices) {
  Type type = isa<snn::SpikesType>(in.getType()) ? spikesType(result)
                                                 : currentType(result);
  trains[result] = snn::GatherChannelsOp::create(
      b, loc, type, in, b.getDenseI64ArrayAttr(indices));
}

LogicalResult FunctionConverter::convertSlice(nn::SliceOp op) {
  Value in = trainOf(op.getInput());
  if (!in)
    return refuse(op, "its input does not depend on the network input");
  ArrayRef<int64_t> shape = shapeOf(op.getInput());
  int64_t rank = shape.size();
  if (op.getAxes().size() != 1 || rank < 2 ||
      (op.getAxes()[0] != 1 && op.getAxes()[0] != 1 - rank))
    return refuse(op, "only slices along the channels (dimension 1) are "
                      "supported");
  if (ShapedType::isDynamic(shape[1]))
    return refuse(op, "the number of channels must be static");
  int64_t first = 0, step = op.getSteps()[0];
  int64_t count = snnrt::sliceLength(shape[1], op.getStarts()[0],
                                     op.getEnds()[0], step, &first);
  if (count == 0)
    return refuse(op, "the slice is empty");
  SmallVector<int64_t> indices;
  for (int64_t k = 0; k < count; ++k)
    indices.push_back(first + k * step);
  gatherChannels(op.getLoc(), in, op.getResult(), indices);
  return success();
}

FailureOr<bool> FunctionConverter::convertChannelShuffle(nn::ReshapeOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput()), mid = shapeOf(op.getResult());
  if (in.size() != 4 || mid.size() != 5 || !op->hasOneUse())
    return false;
  auto transpose = dyn_cast<nn::TransposeOp>(*op->getUsers().begin());
  if (!transpose || !transpose->hasOneUse() ||
      transpose.getPerm() != ArrayRef<int64_t>{0, 2, 1, 3, 4})
    return false;
  auto back = dyn_cast<nn::ReshapeOp>(*transpose->getUsers().begin());
  if (!back)
    return false;
  int64_t C = in[1], g = mid[1], per = mid[2];
  if (ShapedType::isDynamic(C) || ShapedType::isDynamic(g) ||
      ShapedType::isDynamic(per) || g * per != C || mid[3] != in[2] ||
      mid[4] != in[3] || shapeOf(back.getResult()).size() != 4 ||
      shapeOf(back.getResult())[1] != C)
    return false;
  Value train = trainOf(op.getInput());
  if (!train) {
    (void)refuse(op, "its input does not depend on the network input");
    return failure();
  }
  // Output channel j·g + i is input channel i·(C/g) + j.
  SmallVector<int64_t> indices(C);
  for (int64_t i = 0; i < g; ++i)
    for (int64_t j = 0; j < per; ++j)
      indices[j * g + i] = i * per + j;
  gatherChannels(back.getLoc(), train, back.getResult(), indices);
  absorbed.insert(transpose);
  absorbed.insert(back);
  return true;
}

LogicalResult FunctionConverter::convertNeuron(Operation *op) {
  Value input = op->getOperand(0), result = op->getResult(0);
  if (auto clip = dyn_cast<nn::ClipOp>(op)) {
    if (onlyReturned(result)) { // a clamp of the logits: the class is kept
      aliases[result] = input;
      return success();
    }
    if (!clip.getMin() || clip.getMin()->convertToFloat() != 0.0f)
      return refuse(op, "only clips with min = 0 (ReLU-like) become neurons");
  }
  Value in = trainOf(input);
  if (!in)
    return refuse(op, "its input does not depend on the network input");
  if (isa<snn::SpikesType>(in.getType())) { // ReLU of spikes is the identity
    trains[result] = in;
    return success();
  }
  auto threshold = b.getDenseF32ArrayAttr({options.threshold});
  auto reset = snn::ResetModeAttr::get(fn.getContext(), options.reset);
  Value spikes;
  if (options.ttfs)
    spikes =
        snn::TTFSNeuronOp::create(b, op->getLoc(), spikesType(result), in,
                                  threshold, b.getF32FloatAttr(options.tau));
  else if (options.lif)
    spikes = snn::LIFOp::create(b, op->getLoc(), spikesType(result), in,
                                threshold, b.getF32FloatAttr(options.leak),
                                reset, b.getI64IntegerAttr(0),
                                b.getF32FloatAttr(options.initialPotential));
  else
    spikes = snn::IFOp::create(b, op->getLoc(), spikesType(result), in,
                               threshold, reset, b.getI64IntegerAttr(0),
                               b.getF32FloatAttr(options.initialPotential));
  trains[result] = spikes;
  return success();
}

LogicalResult FunctionConverter::convertPool(Operation *op) {
  if (options.ttfs && !isa<nn::MaxPoolOp>(op))
    return refuse(op, "average pooling has no exact time-to-first-spike "
                      "form (max pooling has: the earliest spike of each "
                      "window); use max pooling or strided convolutions");
  Value result = op->getResult(0);
  Value in = trainOf(op->getOperand(0));
  if (!in)
    return refuse(op, "its input does not depend on the network input");
  Location loc = op->getLoc();
  auto zeros = b.getDenseI64ArrayAttr({0, 0, 0, 0});
  if (auto p = dyn_cast<nn::AvgPoolOp>(op)) {
    trains[result] = snn::AvgPoolOp::create(
        b, loc, currentType(result), in, p.getKernelShapeAttr(),
        p.getStridesAttr(), p.getPadsAttr(), p.getCountIncludePadAttr(),
        p.getCeilModeAttr());
    return success();
  }
  if (auto g = dyn_cast<nn::GlobalAvgPoolOp>(op)) {
    ArrayRef<int64_t> s = shapeOf(g.getInput());
    if (ShapedType::isDynamic(s[2]) || ShapedType::isDynamic(s[3]))
      return refuse(op, "global pooling needs static spatial dimensions");
    trains[result] = snn::AvgPoolOp::create(
        b, loc, currentType(result), in, b.getDenseI64ArrayAttr({s[2], s[3]}),
        b.getDenseI64ArrayAttr({1, 1}), zeros, b.getBoolAttr(false),
        b.getBoolAttr(false));
    return success();
  }
  auto m = cast<nn::MaxPoolOp>(op);
  if (!isa<snn::SpikesType>(in.getType()))
    return refuse(op, "max pooling needs spikes (put it right after a ReLU)");
  if (!llvm::all_of(m.getDilations(), [](int64_t d) { return d == 1; }))
    return refuse(op, "dilated max pooling");
  trains[result] = snn::MaxPoolOp::create(
      b, loc, spikesType(result), in, m.getKernelShapeAttr(),
      m.getStridesAttr(), m.getPadsAttr(), m.getCeilModeAttr());
  return success();
}

LogicalResult FunctionConverter::convertReshape(Operation *op, Value input) {
  Value in = trainOf(input);
  Value result = op->getResult(0);
  if (!in)
    return refuse(op, "its input does not depend on the network input");
  int64_t axis = 1;
  if (auto f = dyn_cast<nn::FlattenOp>(op)) {
    // I64Attr getters return uint64_t; the axis may be negative.
    axis = static_cast<int64_t>(f.getAxis());
    if (axis < 0)
      axis += int64_t(shapeOf(input).size());
  } else {
    // A reshape that keeps the batch and flattens the rest.
    ArrayRef<int64_t> inShape = shapeOf(input), out = shapeOf(result);
    bool flattenLike =
        out.size() == 2 && inShape.size() >= 2 &&
        (out[0] == inShape[0] || cast<nn::ReshapeOp>(op).getShape()[0] == 0);
    if (!flattenLike)
      return refuse(op, "only reshapes that flatten all but the batch "
                        "dimension are supported");
  }
  if (axis != 1)
    return refuse(op, "only flattening after the batch dimension (axis 1)");
  Type type = isa<snn::SpikesType>(in.getType()) ? spikesType(result)
                                                 : currentType(result);
  trains[result] =
      snn::FlattenOp::create(b, op->getLoc(), type, in, b.getI64IntegerAttr(1));
  return success();
}

LogicalResult FunctionConverter::convertReturn(func::ReturnOp op) {
  SmallVector<Value> results;
  for (Value v : op.getOperands()) {
    Value t = trainOf(v);
    if (!t) {
      results.push_back(resolve(v));
      continue;
    }
    auto tensorType = cast<RankedTensorType>(v.getType());
    if (options.ttfs) {
      // The output layer fires too; the class is its earliest spike.
      if (isa<snn::CurrentType>(t.getType()))
        t = snn::TTFSNeuronOp::create(
            b, op.getLoc(),
            snn::SpikesType::get(fn.getContext(), tensorType.getShape()), t,
            b.getDenseF32ArrayAttr({options.threshold}),
            b.getF32FloatAttr(options.tau));
      results.push_back(
          snn::FirstSpikeOp::create(b, op.getLoc(), tensorType, t));
      continue;
    }
    if (isa<snn::CurrentType>(t.getType()))
      results.push_back(
          snn::AccumulateOp::create(b, op.getLoc(), tensorType, t));
    else
      results.push_back(
          snn::SpikeRateOp::create(b, op.getLoc(), tensorType, t));
  }
  op->setOperands(results);
  return success();
}

struct ConvertNNToSNNPass
    : snnmlir::impl::ConvertNNToSNNBase<ConvertNNToSNNPass> {
  using Base::Base;

  void runOnOperation() override {
    ConversionOptions o;
    if (neuron != "if" && neuron != "lif")
      return fail("neuron must be 'if' or 'lif', got '" + neuron + "'");
    if (reset != "subtract" && reset != "zero")
      return fail("reset must be 'subtract' or 'zero', got '" + reset + "'");
    if (encoding != "poisson" && encoding != "direct" && encoding != "ttfs" &&
        encoding != "events")
      return fail("encoding must be 'poisson', 'direct', 'events' or 'ttfs', "
                  "got '" +
                  encoding + "'");
    if (!(tMax > 0.0f) || !(tau > 0.0f) || !std::isfinite(float(tMax)) ||
        !std::isfinite(float(tau)))
      return fail("t-max and tau must be positive and finite, got t-max = " +
                  std::to_string(float(tMax)) +
                  ", tau = " + std::to_string(float(tau)));
    if (timesteps < 1 || timesteps > snn::kMaxTimesteps)
      return fail("timesteps must be from 1 to " + Twine(snn::kMaxTimesteps) +
                  ", got " + Twine(int64_t(timesteps)));
    if (!(threshold > 0.0f) || !std::isfinite(float(threshold)))
      return fail("threshold must be positive and finite");
    if (neuron == "lif" && !(leak > 0.0f && leak <= 1.0f))
      return fail("leak must be in (0, 1]");
    if (!(initialPotential >= 0.0f && initialPotential < 1.0f))
      return fail("initial-potential is a fraction of the threshold in "
                  "[0, 1), got " +
                  std::to_string(float(initialPotential)));
    o.lif = neuron == "lif";
    o.leak = o.lif ? float(leak) : 1.0f;
    o.reset = reset == "zero" ? snn::ResetMode::Zero : snn::ResetMode::Subtract;
    o.poisson = encoding == "poisson";
    o.ttfs = encoding == "ttfs";
    o.events = encoding == "events";
    o.tMax = tMax;
    o.tau = tau;
    o.timesteps = timesteps;
    o.seed = seed;
    o.threshold = threshold;
    o.initialPotential = initialPotential;
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      if (failed(refuseConverted(fn)) || failed(FunctionConverter(fn, o).run()))
        return signalPassFailure();
    }
  }

  /// A function that is already spiking would get a second, dead encoder
  /// and rescaled weights: refuse it.
  static LogicalResult refuseConverted(func::FuncOp fn) {
    Operation *first = nullptr;
    fn.walk([&](Operation *op) {
      if (isa<snn::SNNDialect>(op->getDialect())) {
        first = op;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (!first && !fn->hasAttr(snn::SNNDialect::getTimeAttrName()))
      return success();
    fn.emitError() << "convert-nn-to-snn: @" << fn.getSymName()
                   << " is already a spiking network ("
                   << (first ? "it has '" +
                                   first->getName().getStringRef().str() + "'"
                             : std::string("it has snn.time"))
                   << "); convert the ANN (the nn-dialect module "
                      "from --import-onnx) instead";
    return failure();
  }

  void fail(const Twine &message) {
    getOperation().emitError() << "convert-nn-to-snn: " << message;
    signalPassFailure();
  }
};

} // namespace
