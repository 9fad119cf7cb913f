//===- TtfsToRuntime.cpp - TTFS snn modules into runtime networks ---------===//

#include "runtime/mlir-bridge/TtfsToRuntime.h"
#include "runtime/mlir-bridge/BridgeCommon.h"

#include "dialect/NN/NNOps.h"
#include "dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

bool mlir::snnmlir::isTtfsNetwork(ModuleOp module, StringRef funcName) {
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  return fn && isa_and_nonnull<snn::ContinuousTimeAttr>(snn::getTimeModel(fn));
}

/// The data of a constant operand (an nn.constant), or an error at `user`.
static FailureOr<std::vector<float>>
constantData(Value v, Operation *user, StringRef what, Operation **op) {
  auto c = v.getDefiningOp<nn::ConstantOp>();
  if (!c)
    return user->emitError()
           << "the " << what << " must be an nn.constant to train";
  FailureOr<snnrt::Tensor> t = snnmlir::bridge::constantTensor(c);
  if (failed(t))
    return failure();
  *op = c;
  return std::vector<float>(t->data.begin(), t->data.end());
}

FailureOr<snnrt::ttfs::Network>
mlir::snnmlir::buildTtfsNetwork(ModuleOp module, StringRef funcName,
                                TtfsConstants *constants) {
  auto fn = module.lookupSymbol<func::FuncOp>(funcName);
  if (!fn)
    return module.emitError() << "no function @" << funcName;
  auto time = dyn_cast_or_null<snn::ContinuousTimeAttr>(snn::getTimeModel(fn));
  if (!time)
    return fn.emitError() << "TTFS networks use the continuous time model "
                             "(snn.time = #snn.continuous<t_max = ...>)";
  if (!fn.getBody().hasOneBlock() || fn.getNumArguments() != 1)
    return fn.emitError() << "a TTFS network is a single-block function of "
                             "one input";
  snnrt::ttfs::Network net;
  net.tMax = time.getTMax().convertToFloat();
  TtfsConstants found;
  Value spikes;         // the train the next dense layer must read
  snn::DenseOp pending; // a dense layer waiting for its neurons
  bool done = false;
  auto expect = [&](Operation *op, StringRef what) {
    return op->emitError() << "the TTFS runtime expects " << what
                           << " here (snn.encode_ttfs, optional snn.flatten, "
                              "then snn.dense + snn.ttfs_neuron pairs, "
                              "snn.first_spike returned)";
  };
  for (Operation &op : fn.getBody().front()) {
    if (isa<nn::ConstantOp>(op))
      continue;
    if (done) {
      if (auto ret = dyn_cast<func::ReturnOp>(op);
          ret && ret.getNumOperands() == 1)
        continue;
      return expect(&op, "the return of the first_spike readout");
    }
    if (auto enc = dyn_cast<snn::EncodeTTFSOp>(op)) {
      if (spikes)
        return expect(&op, "one input encoder");
      net.inputTau = enc.getTau().convertToFloat();
      spikes = enc.getResult();
      continue;
    }
    if (auto flat = dyn_cast<snn::FlattenOp>(op)) {
      if (!spikes || flat.getInput() != spikes || pending)
        return expect(&op, "a flatten of the input spikes only");
      spikes = flat.getResult();
      continue;
    }
    if (auto dense = dyn_cast<snn::DenseOp>(op)) {
      if (!spikes || dense.getInput() != spikes || pending)
        return expect(&op, "a dense layer reading the previous spikes");
      pending = dense;
      continue;
    }
    if (auto neuron = dyn_cast<snn::TTFSNeuronOp>(op)) {
      if (!pending || neuron.getInput() != pending.getResult())
        return expect(&op, "neurons right after their dense synapses");
      snnrt::ttfs::Layer l;
      l.name = snnmlir::bridge::opLabel(pending);
      Operation *wOp = nullptr, *bOp = nullptr;
      FailureOr<std::vector<float>> w =
          constantData(pending.getWeight(), pending, "weight", &wOp);
      if (failed(w))
        return failure();
      auto wShape = cast<RankedTensorType>(pending.getWeight().getType());
      l.out = wShape.getDimSize(0);
      l.in = wShape.getDimSize(1);
      l.weight = std::move(*w);
      if (Value b = pending.getBias()) {
        FailureOr<std::vector<float>> bias =
            constantData(b, pending, "bias", &bOp);
        if (failed(bias))
          return failure();
        l.bias = std::move(*bias);
      }
      l.threshold.assign(neuron.getThreshold().begin(),
                         neuron.getThreshold().end());
      l.tau = neuron.getTau().convertToFloat();
      net.layers.push_back(std::move(l));
      found.weights.push_back(wOp);
      found.biases.push_back(bOp);
      found.neurons.push_back(neuron);
      spikes = neuron.getResult();
      pending = nullptr;
      continue;
    }
    if (auto first = dyn_cast<snn::FirstSpikeOp>(op)) {
      if (!spikes || first.getInput() != spikes || pending ||
          net.layers.empty())
        return expect(&op, "the first-spike readout of the last neurons");
      done = true;
      continue;
    }
    return expect(&op, "another op");
  }
  if (!done)
    return fn.emitError() << "the TTFS network has no snn.first_spike readout";
  if (std::string e = net.validate(); !e.empty())
    return fn.emitError() << e;
  if (constants)
    *constants = std::move(found);
  return net;
}

LogicalResult mlir::snnmlir::updateTtfsNetwork(const snnrt::ttfs::Network &net,
                                               const TtfsConstants &constants) {
  // `constants` must come from buildTtfsNetwork of this network.
  if (constants.weights.size() != net.layers.size() ||
      constants.biases.size() != net.layers.size())
    return failure();
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const snnrt::ttfs::Layer &l = net.layers[k];
    auto w = dyn_cast_or_null<nn::ConstantOp>(constants.weights[k]);
    if (!w)
      return failure();
    if (!snnmlir::bridge::setConstantData(w, l.weight, "ttfs"))
      return w.emitError() << "the trained weight does not match the module";
    if (auto b = dyn_cast_or_null<nn::ConstantOp>(constants.biases[k]))
      if (!snnmlir::bridge::setConstantData(b, l.bias, "ttfs"))
        return b.emitError() << "the trained bias does not match the module";
  }
  return success();
}

LogicalResult
mlir::snnmlir::trainTtfsModule(ModuleOp module, const std::string &data,
                               const snnrt::ttfs::TrainOptions &options,
                               const snnrt::TrainCallbacks &callbacks,
                               std::vector<snnrt::EpochReport> &reports,
                               StringRef funcName) {
  TtfsConstants constants;
  FailureOr<snnrt::ttfs::Network> net =
      buildTtfsNetwork(module, funcName, &constants);
  if (failed(net))
    return failure();
  snnrt::ImageDataset train;
  if (std::string e = snnrt::loadImageDataset(data, "train", train); !e.empty())
    return module.emitError() << e;
  if (std::string e =
          snnrt::ttfs::train(*net, train, options, callbacks, reports);
      !e.empty())
    return module.emitError() << "TTFS training failed: " << e;
  return updateTtfsNetwork(*net, constants);
}
