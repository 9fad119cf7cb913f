//===- NetworkPlan.cpp - lay out a discrete-time network for codegen ------===//

#include "backends/cpu/NetworkPlan.h"

#include "dialect/NN/NNOps.h"
#include "dialect/SNN/SNNOps.h"
#include "runtime/mlir-bridge/BridgeCommon.h"
#include "runtime/mlir-bridge/TtfsToRuntime.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::snnmlir::cpu;

namespace {

/// The per-sample shape of a train or tensor whose first dimension is the
/// batch; failure when another dimension is dynamic.
FailureOr<SmallVector<int64_t>> sampleShape(Operation *at, Type type,
                                            bool frames = false) {
  ArrayRef<int64_t> shape;
  if (auto s = dyn_cast<snn::SpikesType>(type))
    shape = s.getShape();
  else if (auto c = dyn_cast<snn::CurrentType>(type))
    shape = c.getShape();
  else if (auto t = dyn_cast<RankedTensorType>(type))
    shape = t.getShape();
  else
    return at->emitError() << "the CPU backend needs ranked values, got "
                           << type;
  if (shape.size() != 2 && shape.size() != 4 && !(frames && shape.size() == 5))
    return at->emitError() << "the CPU backend handles 2-D (N×K) and 4-D "
                              "(N×C×H×W) values, got rank "
                           << shape.size();
  SmallVector<int64_t> out(shape.begin() + 1, shape.end());
  for (int64_t d : out)
    if (ShapedType::isDynamic(d))
      return at->emitError()
             << "the CPU backend needs static sizes apart from the batch";
  return out;
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

struct Planner {
  NetworkPlan &plan;
  int64_t next = 0;

  int64_t allocate(int64_t bytes) {
    int64_t at = next;
    next += (bytes + 63) / 64 * 64;
    return at;
  }
  BufferInfo newBuffer(ArrayRef<int64_t> shape) {
    BufferInfo b;
    b.size = product(shape);
    if (shape.size() == 3)
      b.chw.assign(shape.begin(), shape.end());
    return b; // offset assigned later, with the other per-step values
  }
};

/// A TTFS network as the runtime reads it (the same checks and errors),
/// with the state of every layer.
FailureOr<NetworkPlan> planTtfs(ModuleOp module, func::FuncOp fn) {
  FailureOr<snnrt::ttfs::Network> net =
      snnmlir::buildTtfsNetwork(module, fn.getSymName());
  if (failed(net))
    return failure();
  NetworkPlan plan;
  plan.function = fn;
  plan.timesteps = 1;
  auto inShape = sampleShape(fn, fn.getArgument(0).getType());
  if (failed(inShape))
    return failure();
  plan.inputShape = *inShape;
  plan.inputSize = product(*inShape);
  if (plan.inputSize != net->layers.front().in)
    return fn.emitError() << "the input has " << plan.inputSize
                          << " values per sample, the first layer takes "
                          << net->layers.front().in;
  plan.outputSize = net->layers.back().out;
  plan.outputShape = {plan.outputSize};
  Planner p{plan};
  plan.stepsOffset = p.allocate(8);
  plan.countsOffset = p.allocate(8 * int64_t(net->layers.size()));
  plan.resetBytes = p.next;
  for (const snnrt::ttfs::Layer &l : net->layers) {
    plan.spiking.push_back({l.name, l.out});
    TtfsLayerState s;
    s.times = p.allocate(4 * (l.in + 1));
    s.order = p.allocate(4 * (l.in + 1));
    s.scratch = p.allocate(4 * (l.in + 1));
    s.sorted = p.allocate(4 * (l.in + 1));
    s.W = p.allocate(4 * l.out);
    s.WT = p.allocate(4 * l.out);
    s.Wf = p.allocate(4 * l.out);
    s.WTf = p.allocate(4 * l.out);
    s.done = p.allocate(4 * l.out);
    s.causal = p.allocate(4 * l.out);
    s.out = p.allocate(4 * l.out);
    s.last = l.conv ? p.allocate(4 * l.out) : -1; // event-driven only
    plan.ttfsLayers.push_back(s);
  }
  plan.inputOffset = p.allocate(4 * plan.inputSize);
  plan.stateBytes = p.next;
  plan.ttfs = std::make_shared<snnrt::ttfs::Network>(std::move(*net));
  return plan;
}

} // namespace

FailureOr<NetworkPlan> mlir::snnmlir::cpu::planNetwork(ModuleOp module,
                                                       StringRef funcName) {
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  if (!fn)
    return module.emitError() << "no function @" << funcName << " to compile";
  Attribute timeModel = snn::getTimeModel(fn);
  if (isa_and_nonnull<snn::ContinuousTimeAttr>(timeModel)) {
    FailureOr<NetworkPlan> plan = planTtfs(module, fn);
    if (succeeded(plan))
      plan->modelHash = bridge::networkHash(fn);
    return plan;
  }
  auto time = dyn_cast_or_null<snn::DiscreteTimeAttr>(timeModel);
  if (!time) {
    bool spiking = fn.walk([](Operation *op) {
                       return isa<snn::SNNDialect>(op->getDialect())
                                  ? WalkResult::interrupt()
                                  : WalkResult::advance();
                     }).wasInterrupted();
    if (!spiking)
      return fn.emitError()
             << "@" << funcName
             << " is not a spiking network (it has no snn ops): convert it "
                "first, e.g. snn-opt --snn-rate-pipeline";
    return fn.emitError() << "the CPU backend needs the discrete time model "
                             "(snn.time = #snn.discrete<...>)";
  }
  if (!fn.getBody().hasOneBlock() || fn.getNumArguments() != 1 ||
      fn.getNumResults() != 1)
    return fn.emitError() << "the CPU backend compiles single-block "
                             "functions with one input and one output";

  NetworkPlan plan;
  plan.function = fn;
  plan.modelHash = bridge::networkHash(fn);
  plan.timesteps = time.getTimesteps();
  Planner p{plan};
  BlockArgument input = fn.getArgument(0);
  // Event frames N×T×C×H×W are stored as they come, T×C×H×W per sample.
  bool frames = llvm::any_of(input.getUsers(), [](Operation *u) {
    return isa<snn::EncodeEventsOp>(u);
  });
  auto inShape = sampleShape(fn, input.getType(), frames);
  if (failed(inShape))
    return failure();
  plan.inputShape = *inShape;
  plan.inputSize = product(*inShape);
  BufferInfo inBuf = p.newBuffer(*inShape);

  // Per-step values get their offsets after the persistent state, so that
  // reset clears one contiguous range.
  std::vector<Value> values;
  llvm::DenseMap<Value, BufferInfo> pending;
  pending[input] = inBuf;
  auto bufferOf = [&](Value v) -> BufferInfo * {
    auto it = pending.find(v);
    return it == pending.end() ? nullptr : &it->second;
  };
  llvm::DenseMap<Value, Value> aliasOf; // flatten and encode_direct
  struct Persistent {
    Operation *op;
    int64_t bytes;
    bool refractory;
  };
  std::vector<Persistent> persistent;

  for (Operation &opRef : fn.getBody().front()) {
    Operation *op = &opRef;
    if (isa<nn::ConstantOp>(op)) {
      if (!nn::getConstantFloats(cast<nn::ConstantOp>(op)))
        return op->emitError() << "constant kind not supported by the CPU "
                                  "backend";
      continue;
    }
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      Operation *producer = ret.getOperand(0).getDefiningOp();
      if (!isa_and_nonnull<snn::AccumulateOp, snn::SpikeRateOp>(producer))
        return ret.emitError() << "the CPU backend needs the function to "
                                  "return a readout (snn.accumulate or "
                                  "snn.spike_rate)";
      continue;
    }
    // Operands other than weights must be planned values.
    auto operandBuffer = [&](unsigned i) -> BufferInfo * {
      BufferInfo *b = bufferOf(op->getOperand(i));
      if (!b)
        op->emitError() << "operand #" << i
                        << " is not a value the CPU backend computed";
      return b;
    };
    auto constantOperand = [&](unsigned i) -> bool {
      if (i >= op->getNumOperands())
        return true;
      if (!op->getOperand(i).getDefiningOp<nn::ConstantOp>()) {
        op->emitError() << "operand #" << i
                        << " must be an nn.constant for the CPU backend";
        return false;
      }
      return true;
    };
    if (op->getNumResults() != 1)
      return op->emitError() << "the CPU backend has no lowering for this op";
    auto outShape = sampleShape(op, op->getResult(0).getType());
    if (failed(outShape))
      return failure();
    BufferInfo *in = operandBuffer(0);
    if (!in)
      return failure();
    BufferInfo out = p.newBuffer(*outShape);
    bool alias = false;
    bool ok =
        llvm::TypeSwitch<Operation *, bool>(op)
            .Case<snn::EncodePoissonOp, snn::EncodeEventsOp>([&](auto) {
              plan.spikingIndex[op] = int64_t(plan.spiking.size());
              plan.spiking.push_back({snnmlir::bridge::opLabel(op), out.size});
              return true;
            })
            .Case<snn::EncodeDirectOp>([&](auto) { return alias = true; })
            .Case<snn::DenseOp>(
                [&](auto) { return constantOperand(1) && constantOperand(2); })
            .Case<snn::Conv2DOp>([&](auto) {
              if (!in->channelLast() || in->chw.size() != 3) {
                op->emitError() << "conv2d input must be 4-D";
                return false;
              }
              return constantOperand(1) && constantOperand(2);
            })
            .Case<snn::AvgPoolOp, snn::MaxPoolOp>([&](auto) {
              if (isa<snn::MaxPoolOp>(op))
                persistent.push_back({op, in->size * 4, false});
              return true;
            })
            .Case<snn::AddOp>([&](auto) {
              BufferInfo *rhs = operandBuffer(1);
              if (!rhs)
                return false;
              if (rhs->chw != in->chw || rhs->size != in->size) {
                op->emitError() << "the CPU backend adds values of one "
                                   "layout only (both 4-D, or both 2-D and "
                                   "not flattened from 4-D)";
                return false;
              }
              return true;
            })
            .Case<snn::FlattenOp>([&](snn::FlattenOp f) {
              if (f.getAxis() != 1) {
                op->emitError() << "the CPU backend flattens at axis 1 only";
                return false;
              }
              out.chw = in->chw;
              return alias = true;
            })
            .Case<snn::IFOp, snn::LIFOp>([&](auto n) {
              int64_t channels = (*outShape)[0];
              size_t th = n.getThreshold().size();
              if (th != 1 && int64_t(th) != channels) {
                op->emitError() << "has " << th << " thresholds for "
                                << channels << " channels";
                return false;
              }
              out.chw = in->chw;
              persistent.push_back({op, out.size * 4, false});
              if (n.getRefractory() > 0)
                persistent.push_back({op, out.size * 4, true});
              plan.spikingIndex[op] = int64_t(plan.spiking.size());
              plan.spiking.push_back({snnmlir::bridge::opLabel(op), out.size});
              return true;
            })
            .Case<snn::AccumulateOp, snn::SpikeRateOp>([&](auto) {
              if (outShape->size() != 1) {
                op->emitError() << "the CPU backend reads out 2-D values "
                                   "(N×K) only";
                return false;
              }
              out.chw = in->chw; // kept channel-last when flattened
              plan.spikeRateReadout = isa<snn::SpikeRateOp>(op);
              plan.outputShape = *outShape;
              plan.outputSize = out.size;
              persistent.push_back({op, out.size * 4, false});
              return true;
            })
            .Default([&](Operation *) {
              op->emitError()
                  << "the CPU backend has no lowering for '" << op->getName()
                  << "' yet; the simulator runs it (snn-run eval, infer)";
              return false;
            });
    if (!ok)
      return failure();
    Value result = op->getResult(0);
    if (alias)
      aliasOf[result] = aliasOf.count(op->getOperand(0))
                            ? aliasOf[op->getOperand(0)]
                            : op->getOperand(0);
    else
      values.push_back(result);
    pending[result] = out;
    plan.ops.push_back(op);
  }

  // Layout: persistent state first (cleared by reset), then values, input.
  plan.stepsOffset = p.allocate(8);
  plan.countsOffset =
      p.allocate(8 * std::max<int64_t>(1, int64_t(plan.spiking.size())));
  for (const Persistent &s : persistent)
    (s.refractory ? plan.refractoryOffset : plan.stateOffset)[s.op] =
        p.allocate(s.bytes);
  plan.resetBytes = p.next;
  for (Value v : values)
    pending[v].offset = p.allocate(pending[v].size * 4);
  plan.inputOffset = p.allocate(plan.inputSize * 4);
  pending[input].offset = plan.inputOffset;
  for (auto &[v, root] : aliasOf)
    pending[v].offset = pending[root].offset;
  plan.stateBytes = p.next;
  plan.buffers = std::move(pending);
  return plan;
}
