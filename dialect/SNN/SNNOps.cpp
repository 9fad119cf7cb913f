//===- SNNOps.cpp - snn dialect verifiers ---------------------------------===//

#include "dialect/SNN/SNNOps.h"
#include "dialect/Utils/ShapeChecks.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::snn;
using namespace mlir::snnmlir;

static ArrayRef<int64_t> shapeOf(Value v) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    return t.getShape();
  return getTrainShape(v.getType());
}

static std::optional<ArrayRef<int64_t>> optionalShape(Value v) {
  if (!v)
    return std::nullopt;
  return shapeOf(v);
}

enum class TimeKind { Discrete, Continuous };

/// Ops that only make sense in one time model check it when the enclosing
/// function declares one.
static LogicalResult requireTime(Operation *op, TimeKind kind) {
  Attribute model = getTimeModel(op);
  if (!model)
    return success();
  bool ok = kind == TimeKind::Discrete ? isa<DiscreteTimeAttr>(model)
                                       : isa<ContinuousTimeAttr>(model);
  if (ok)
    return success();
  return op->emitOpError() << "requires the "
                           << (kind == TimeKind::Discrete ? "discrete"
                                                          : "continuous")
                           << " time model, but the function has " << model;
}

static LogicalResult verifyPositive(Operation *op, StringRef name,
                                    APFloat value) {
  float v = value.convertToFloat();
  if (v > 0.0f && std::isfinite(v))
    return success();
  return op->emitOpError() << "'" << name
                           << "' must be positive and finite, got " << v;
}

/// The result has the shape of the input (elementwise ops over time).
static LogicalResult verifySameShape(Operation *op) {
  return verifyInferredShape(op, shapeOf(op->getOperand(0)),
                             shapeOf(op->getResult(0)));
}

//===----------------------------------------------------------------------===//
// Encoders
//===----------------------------------------------------------------------===//

LogicalResult EncodePoissonOp::verify() {
  if (failed(verifyPositive(*this, "scale", getScale())) ||
      failed(requireTime(*this, TimeKind::Discrete)))
    return failure();
  return verifySameShape(*this);
}

LogicalResult EncodeDirectOp::verify() { return verifySameShape(*this); }

LogicalResult EncodeTTFSOp::verify() {
  if (failed(verifyPositive(*this, "tau", getTau())) ||
      failed(requireTime(*this, TimeKind::Continuous)))
    return failure();
  return verifySameShape(*this);
}

LogicalResult EncodeEventsOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (failed(verifyRank(*this, "input of event frames (N×T×C×H×W)", in, 5)) ||
      failed(requireTime(*this, TimeKind::Discrete)))
    return failure();
  auto time = dyn_cast_or_null<DiscreteTimeAttr>(getTimeModel(*this));
  if (time && !ShapedType::isDynamic(in[1]) && in[1] != time.getTimesteps())
    return emitOpError() << "has " << in[1] << " frames but the function runs "
                         << time.getTimesteps() << " timesteps";
  return verifyInferredShape(*this, {in[0], in[2], in[3], in[4]},
                             shapeOf(getOutput()));
}

//===----------------------------------------------------------------------===//
// Synapses
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), w = shapeOf(getWeight());
  if (failed(verifyRank(*this, "input train (N×K)", in, 2)) ||
      failed(verifyRank(*this, "weight (M×K)", w, 2)))
    return failure();
  if (!dimsCompatible(in[1], w[1]))
    return emitOpError() << "input has " << in[1]
                         << " features but the weight expects " << w[1];
  if (getBias() &&
      failed(verifyVectorShape(*this, "bias", shapeOf(getBias()), w[0])))
    return failure();
  return verifyInferredShape(*this, {in[0], w[0]}, shapeOf(getOutput()));
}

LogicalResult Conv2DOp::verify() {
  return verifyConv2D(*this, shapeOf(getInput()), shapeOf(getWeight()),
                      optionalShape(getBias()), getStrides(), getPads(),
                      getDilations(), getGroup(), shapeOf(getOutput()));
}

LogicalResult AvgPoolOp::verify() {
  return verifyPool2D(*this, shapeOf(getInput()), getKernelShape(),
                      getStrides(), getPads(), {1, 1}, getCeilMode(),
                      shapeOf(getOutput()));
}

LogicalResult MaxPoolOp::verify() {
  return verifyPool2D(*this, shapeOf(getInput()), getKernelShape(),
                      getStrides(), getPads(), {1, 1}, getCeilMode(),
                      shapeOf(getOutput()));
}

LogicalResult AddOp::verify() {
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs());
  if (failed(verifyInferredShape(*this, lhs, rhs, "right operand")))
    return failure();
  return verifyInferredShape(*this, lhs, shapeOf(getOutput()));
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one input";
  // Spikes join into spikes; any current makes the result a current (a
  // spike is one unit of current).
  bool allSpikes = llvm::all_of(getInputs(), [](Value v) {
    return isa<SpikesType>(v.getType());
  });
  if (allSpikes != isa<SpikesType>(getOutput().getType()))
    return emitOpError() << "the result must be "
                         << (allSpikes ? "spikes when every input is spikes"
                                       : "a current when an input is a "
                                         "current")
                         << ", got " << getOutput().getType();
  ArrayRef<int64_t> shape = shapeOf(getInputs().front());
  int64_t rank = shape.size();
  auto axis = normalizeAxis(*this, "axis", getAxis(), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> out(shape);
  for (Value v : getInputs().drop_front()) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (static_cast<int64_t>(s.size()) != rank)
      return emitOpError() << "inputs must have the same rank";
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *axis) {
        out[d] = ShapedType::isDynamic(out[d]) || ShapedType::isDynamic(s[d])
                     ? ShapedType::kDynamic
                     : out[d] + s[d];
        continue;
      }
      if (!ShapedType::isDynamic(out[d]) && !ShapedType::isDynamic(s[d]) &&
          out[d] != s[d])
        return emitOpError() << "inputs differ in dimension " << d << " ("
                             << out[d] << " vs " << s[d] << ")";
    }
  }
  return verifyInferredShape(*this, out, shapeOf(getOutput()));
}

LogicalResult GatherChannelsOp::verify() {
  if (getInput().getType().getTypeID() != getOutput().getType().getTypeID())
    return emitOpError()
           << "result must be the same kind of train as the input, got "
           << getInput().getType() << " -> " << getOutput().getType();
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError() << "needs a train with channels (rank >= 2)";
  if (getIndices().empty())
    return emitOpError() << "'indices' must not be empty";
  for (int64_t i : getIndices())
    if (i < 0 || (!ShapedType::isDynamic(in[1]) && i >= in[1]))
      return emitOpError() << "index " << i << " is outside the input's "
                           << in[1] << " channels";
  SmallVector<int64_t> out(in);
  out[1] = static_cast<int64_t>(getIndices().size());
  return verifyInferredShape(*this, out, shapeOf(getOutput()));
}

LogicalResult FlattenOp::verify() {
  if (getInput().getType().getTypeID() != getOutput().getType().getTypeID())
    return emitOpError()
           << "result must be the same kind of train as the input, got "
           << getInput().getType() << " -> " << getOutput().getType();
  return verifyFlatten(*this, shapeOf(getInput()), getAxis(),
                       shapeOf(getOutput()));
}

//===----------------------------------------------------------------------===//
// Neurons
//===----------------------------------------------------------------------===//

/// One threshold for the layer or one per channel (dimension 1), all > 0.
static LogicalResult verifyNeuron(Operation *op, ArrayRef<float> threshold) {
  ArrayRef<int64_t> shape = shapeOf(op->getOperand(0));
  if (threshold.empty())
    return op->emitOpError() << "'threshold' must not be empty";
  if (threshold.size() > 1) {
    if (shape.size() < 2)
      return op->emitOpError()
             << "per-channel 'threshold' needs a rank of at least 2";
    if (!ShapedType::isDynamic(shape[1]) &&
        shape[1] != static_cast<int64_t>(threshold.size()))
      return op->emitOpError()
             << "'threshold' has " << threshold.size()
             << " values but the layer has " << shape[1] << " channels";
  }
  if (!llvm::all_of(threshold,
                    [](float v) { return v > 0.0f && std::isfinite(v); }))
    return op->emitOpError() << "'threshold' values must be positive and "
                                "finite";
  return verifySameShape(op);
}

static LogicalResult verifyRefractory(Operation *op, int64_t refractory) {
  if (refractory >= 0 && refractory <= kMaxRefractory)
    return success();
  return op->emitOpError() << "'refractory' must be from 0 to "
                           << kMaxRefractory
                           << " steps (the simulator and generated code "
                              "count it in 32 bits), got "
                           << refractory;
}

static LogicalResult verifyInitialPotential(Operation *op, APFloat value) {
  float v = value.convertToFloat();
  if (v >= 0.0f && v < 1.0f)
    return success();
  return op->emitOpError()
         << "'initial_potential' is a fraction of the threshold in [0, 1), "
            "got "
         << v;
}

LogicalResult IFOp::verify() {
  if (failed(requireTime(*this, TimeKind::Discrete)) ||
      failed(verifyRefractory(*this, getRefractory())) ||
      failed(verifyInitialPotential(*this, getInitialPotential())))
    return failure();
  return verifyNeuron(*this, getThreshold());
}

LogicalResult LIFOp::verify() {
  float leak = getLeak().convertToFloat();
  if (!(leak > 0.0f && leak <= 1.0f))
    return emitOpError() << "'leak' must be in (0, 1], got " << leak;
  if (failed(requireTime(*this, TimeKind::Discrete)) ||
      failed(verifyRefractory(*this, getRefractory())) ||
      failed(verifyInitialPotential(*this, getInitialPotential())))
    return failure();
  return verifyNeuron(*this, getThreshold());
}

LogicalResult TTFSNeuronOp::verify() {
  if (failed(verifyPositive(*this, "tau", getTau())) ||
      failed(requireTime(*this, TimeKind::Continuous)))
    return failure();
  return verifyNeuron(*this, getThreshold());
}

//===----------------------------------------------------------------------===//
// Readouts
//===----------------------------------------------------------------------===//

LogicalResult AccumulateOp::verify() { return verifySameShape(*this); }

LogicalResult SpikeRateOp::verify() {
  if (failed(requireTime(*this, TimeKind::Discrete)))
    return failure();
  return verifySameShape(*this);
}

LogicalResult FirstSpikeOp::verify() { return verifySameShape(*this); }

#define GET_OP_CLASSES
#include "dialect/SNN/SNNOps.cpp.inc"
