//===- SNNToRuntime.cpp - snn modules into simulator networks -------------===//

#include "runtime/mlir-bridge/SNNToRuntime.h"
#include "runtime/mlir-bridge/BridgeCommon.h"

#include "dialect/NN/NNOps.h"
#include "dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include "runtime/sim/Simulator.h"

static_assert(mlir::snn::kMaxTimesteps == snnrt::kMaxTimesteps,
              "the IR and the simulator must agree on the longest run");

using namespace mlir;
using snnrt::LayerKind;

bool mlir::snnmlir::isSpikingNetwork(ModuleOp module, StringRef funcName) {
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  if (!fn)
    return false;
  bool found = false;
  fn.walk(
      [&](Operation *op) { found |= isa<snn::SNNDialect>(op->getDialect()); });
  return found;
}

static std::vector<int64_t> vec(ArrayRef<int64_t> a) {
  return std::vector<int64_t>(a.begin(), a.end());
}

/// Fills `l` from an snn op; false for ops that are not layers.
static bool describe(Operation *op, snnrt::Layer &l) {
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case<snn::EncodePoissonOp>([&](auto e) {
        l.kind = LayerKind::EncodePoisson;
        l.seed = e.getSeed();
        l.scale = e.getScale().convertToFloat();
        return true;
      })
      .Case<snn::EncodeDirectOp>(
          [&](auto) { return l.kind = LayerKind::EncodeDirect, true; })
      .Case<snn::EncodeEventsOp>(
          [&](auto) { return l.kind = LayerKind::EncodeEvents, true; })
      .Case<snn::Conv2DOp>([&](auto c) {
        l.kind = LayerKind::Conv2D;
        l.op.kind = snnrt::OpKind::Conv2D;
        l.op.strides = vec(c.getStrides());
        l.op.pads = vec(c.getPads());
        l.op.dilations = vec(c.getDilations());
        l.op.group = c.getGroup();
        return true;
      })
      .Case<snn::DenseOp>([&](auto) {
        l.kind = LayerKind::Dense;
        l.op.kind = snnrt::OpKind::Gemm;
        l.op.transB = true; // weights are out × in
        return true;
      })
      .Case<snn::AvgPoolOp>([&](auto p) {
        l.kind = LayerKind::AvgPool;
        l.op.kind = snnrt::OpKind::AvgPool;
        l.op.kernel = vec(p.getKernelShape());
        l.op.strides = vec(p.getStrides());
        l.op.pads = vec(p.getPads());
        l.op.countIncludePad = p.getCountIncludePad();
        l.op.ceilMode = p.getCeilMode();
        return true;
      })
      .Case<snn::MaxPoolOp>([&](auto p) {
        l.kind = LayerKind::MaxPool;
        l.op.kernel = vec(p.getKernelShape());
        l.op.strides = vec(p.getStrides());
        l.op.pads = vec(p.getPads());
        l.op.ceilMode = p.getCeilMode();
        return true;
      })
      .Case<snn::AddOp>([&](auto) { return l.kind = LayerKind::Add, true; })
      .Case<snn::ConcatOp>([&](auto c) {
        l.kind = LayerKind::Concat;
        int64_t rank =
            int64_t(snn::getTrainShape(c.getOutput().getType()).size());
        l.op.kind = snnrt::OpKind::Concat;
        l.op.axis = c.getAxis() < 0 ? c.getAxis() + rank : c.getAxis();
        return true;
      })
      .Case<snn::GatherChannelsOp>([&](auto g) {
        l.kind = LayerKind::GatherChannels;
        l.op.perm = vec(g.getIndices());
        return true;
      })
      .Case<snn::FlattenOp>([&](auto f) {
        l.kind = LayerKind::Flatten;
        l.op.kind = snnrt::OpKind::Flatten;
        l.op.axis = static_cast<int64_t>(f.getAxis());
        return true;
      })
      .Case<snn::IFOp, snn::LIFOp>([&](auto n) {
        l.kind = LayerKind::Neuron;
        l.threshold.assign(n.getThreshold().begin(), n.getThreshold().end());
        l.reset = n.getReset() == snn::ResetMode::Zero ? snnrt::Reset::Zero
                                                       : snnrt::Reset::Subtract;
        l.refractory = n.getRefractory();
        l.initialPotential = n.getInitialPotential().convertToFloat();
        if constexpr (std::is_same_v<decltype(n), snn::LIFOp>) {
          l.leak = n.getLeak().convertToFloat();
          l.leaky = true;
        }
        return true;
      })
      .Case<snn::AccumulateOp>(
          [&](auto) { return l.kind = LayerKind::Accumulate, true; })
      .Case<snn::SpikeRateOp>(
          [&](auto) { return l.kind = LayerKind::SpikeRate, true; })
      .Default([](Operation *) { return false; });
}

FailureOr<snnrt::Network>
mlir::snnmlir::buildSpikingNetwork(ModuleOp module, StringRef funcName,
                                   std::vector<Operation *> *layerOps,
                                   std::vector<Operation *> *constantOps) {
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  if (!fn)
    return module.emitError() << "no function @" << funcName << " to simulate";
  auto time = dyn_cast_or_null<snn::DiscreteTimeAttr>(snn::getTimeModel(fn));
  if (!time)
    return fn.emitError() << "the simulator runs networks with the discrete "
                             "time model (snn.time = #snn.discrete<...>)";
  if (!fn.getBody().hasOneBlock())
    return fn.emitError() << "the simulator runs single-block functions only";
  snnrt::Network net;
  net.timesteps = time.getTimesteps();
  llvm::DenseMap<Value, int> slots;
  if (failed(bridge::addArguments(fn, net, slots)))
    return failure();
  for (Operation &op : fn.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        net.outputs.push_back(slots.lookup(v));
      continue;
    }
    if (auto c = dyn_cast<nn::ConstantOp>(op)) {
      auto data = bridge::constantTensor(c);
      if (failed(data))
        return failure();
      slots[c.getResult()] = net.addConstant(std::move(*data));
      if (constantOps) {
        constantOps->resize(net.constants.size(), nullptr);
        constantOps->back() = c;
      }
      continue;
    }
    snnrt::Layer l;
    l.name = bridge::opLabel(&op);
    if (op.getNumResults() != 1 || !describe(&op, l))
      return op.emitError() << "the simulator has no model of this op";
    for (Value v : op.getOperands()) {
      auto it = slots.find(v);
      if (it == slots.end())
        return op.emitError() << "operand is not computed by the function";
      l.inputs.push_back(it->second);
    }
    l.output = net.addSlot();
    slots[op.getResult(0)] = l.output;
    net.layers.push_back(std::move(l));
    if (layerOps)
      layerOps->push_back(&op);
  }
  return net;
}

LogicalResult
mlir::snnmlir::updateSpikingNetwork(const snnrt::Network &net,
                                    ArrayRef<Operation *> layerOps,
                                    ArrayRef<Operation *> constantOps) {
  for (size_t slot = 0; slot < constantOps.size(); ++slot) {
    auto c = dyn_cast_or_null<nn::ConstantOp>(constantOps[slot]);
    if (!c)
      continue;
    const std::optional<snnrt::Tensor> &t = net.constants[slot];
    if (!t || !bridge::setConstantData(
                  c, ArrayRef<float>(t->data.data(), t->data.size()), "stdb"))
      return c.emitError() << "the trained network does not match the module";
  }
  for (size_t k = 0; k < layerOps.size() && k < net.layers.size(); ++k) {
    Operation *op = layerOps[k];
    const snnrt::Layer &l = net.layers[k];
    if (isa<snn::IFOp, snn::LIFOp>(op))
      op->setAttr("threshold",
                  DenseF32ArrayAttr::get(op->getContext(), l.threshold));
    if (auto lif = dyn_cast<snn::LIFOp>(op))
      lif.setLeakAttr(
          FloatAttr::get(Float32Type::get(op->getContext()), double(l.leak)));
  }
  return success();
}
