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

/// The N×C×H×W shape of a train type (!snn.spikes / !snn.current).
static ArrayRef<int64_t> trainShape(Type t) {
  if (auto s = dyn_cast<snn::SpikesType>(t))
    return s.getShape();
  return cast<snn::CurrentType>(t).getShape();
}

/// True when a train's shape is N×C×H×W with static C, H and W.
static bool staticImage(ArrayRef<int64_t> s) {
  return s.size() == 4 && llvm::none_of(s.drop_front(), ShapedType::isDynamic);
}

/// The geometry of a max pooling of static sample shapes.
static FailureOr<snnrt::ttfs::Pooling> poolingOf(snn::MaxPoolOp op) {
  ArrayRef<int64_t> in = trainShape(op.getInput().getType());
  ArrayRef<int64_t> out = trainShape(op.getResult().getType());
  if (!staticImage(in) || !staticImage(out))
    return op.emitError() << "the TTFS runtime needs static channel and "
                             "spatial sizes of a pooling";
  snnrt::ttfs::Pooling p;
  p.C = in[1];
  p.H = in[2];
  p.W = in[3];
  p.OH = out[2];
  p.OW = out[3];
  p.kH = op.getKernelShape()[0];
  p.kW = op.getKernelShape()[1];
  p.sH = op.getStrides()[0];
  p.sW = op.getStrides()[1];
  p.pT = op.getPads()[0];
  p.pL = op.getPads()[1];
  if (std::string e = p.validate(); !e.empty())
    return op.emitError() << e;
  return p;
}

/// The geometry and parameters of a convolution whose sample shapes are
/// static (C×H×W in, M×OH×OW out).
static FailureOr<snnrt::ttfs::Convolution>
convolutionOf(snn::Conv2DOp op, std::vector<float> kernel,
              std::vector<float> bias) {
  ArrayRef<int64_t> in = trainShape(op.getInput().getType());
  ArrayRef<int64_t> out = trainShape(op.getOutput().getType());
  auto w = cast<ShapedType>(op.getWeight().getType());
  if (!staticImage(in) || !staticImage(out) || !w.hasStaticShape())
    return op.emitError() << "the TTFS runtime needs static channel and "
                             "spatial sizes of a convolution";
  snnrt::ttfs::Convolution c;
  c.C = in[1];
  c.H = in[2];
  c.W = in[3];
  c.M = out[1];
  c.OH = out[2];
  c.OW = out[3];
  c.kH = w.getDimSize(2);
  c.kW = w.getDimSize(3);
  c.sH = op.getStrides()[0];
  c.sW = op.getStrides()[1];
  c.dH = op.getDilations()[0];
  c.dW = op.getDilations()[1];
  c.pT = op.getPads()[0];
  c.pL = op.getPads()[1];
  c.group = int64_t(op.getGroup());
  c.kernel = std::move(kernel);
  c.bias = std::move(bias);
  if (std::string e = c.validate(); !e.empty())
    return op.emitError() << e;
  return c;
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
  Value spikes;                 // the train the next layer must read
  Operation *pending = nullptr; // synapses waiting for their neurons
  bool done = false;
  auto expect = [&](Operation *op, StringRef what) {
    return op->emitError()
           << "the TTFS runtime expects " << what
           << " here (snn.encode_ttfs, then snn.conv2d or snn.dense, each "
              "followed by snn.ttfs_neuron and optionally snn.max_pool, with "
              "snn.flatten between spikes where needed, and snn.first_spike "
              "returned)";
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
      // C×H×W spikes are stored flat already: a flatten changes nothing.
      if (!spikes || flat.getInput() != spikes || pending)
        return expect(&op, "a flatten of the previous spikes");
      spikes = flat.getResult();
      continue;
    }
    if (isa<snn::DenseOp, snn::Conv2DOp>(op)) {
      if (!spikes || op.getOperand(0) != spikes || pending)
        return expect(&op, "synapses reading the previous spikes");
      pending = &op;
      continue;
    }
    if (auto neuron = dyn_cast<snn::TTFSNeuronOp>(op)) {
      if (!pending || neuron.getInput() != pending->getResult(0))
        return expect(&op, "neurons right after their synapses");
      snnrt::ttfs::Layer l;
      l.name = snnmlir::bridge::opLabel(pending);
      Operation *wOp = nullptr, *bOp = nullptr;
      auto dense = dyn_cast<snn::DenseOp>(pending);
      auto conv = dyn_cast<snn::Conv2DOp>(pending);
      Value weight = dense ? dense.getWeight() : conv.getWeight();
      Value biasValue = dense ? dense.getBias() : conv.getBias();
      FailureOr<std::vector<float>> w =
          constantData(weight, pending, "weight", &wOp);
      if (failed(w))
        return failure();
      std::vector<float> bias;
      if (biasValue) {
        FailureOr<std::vector<float>> b =
            constantData(biasValue, pending, "bias", &bOp);
        if (failed(b))
          return failure();
        bias = std::move(*b);
      }
      auto wShape = cast<RankedTensorType>(weight.getType());
      if (dense) {
        l.out = wShape.getDimSize(0);
        l.in = wShape.getDimSize(1);
        l.weight = std::move(*w);
        l.bias = std::move(bias);
      } else {
        FailureOr<snnrt::ttfs::Convolution> c =
            convolutionOf(conv, std::move(*w), std::move(bias));
        if (failed(c))
          return failure();
        l.in = c->C * c->H * c->W;
        l.out = c->M * c->OH * c->OW;
        l.conv = std::move(*c);
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
    if (auto pool = dyn_cast<snn::MaxPoolOp>(op)) {
      if (pending || found.neurons.empty() ||
          pool.getInput() != found.neurons.back()->getResult(0) ||
          net.layers.back().pool)
        return expect(&op, "max pooling right after a layer's neurons");
      FailureOr<snnrt::ttfs::Pooling> p = poolingOf(pool);
      if (failed(p))
        return failure();
      net.layers.back().pool = *p;
      spikes = pool.getResult();
      continue;
    }
    if (auto first = dyn_cast<snn::FirstSpikeOp>(op)) {
      if (!spikes || first.getInput() != spikes || pending ||
          net.layers.empty())
        return expect(&op, "the first-spike readout of the last neurons");
      done = true;
      continue;
    }
    return op.emitOpError()
           << "has no form in the TTFS runtime (average pooling and "
              "residual adds have no exact time-to-first-spike form; "
              "downsample with max pooling or strided convolutions)";
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
    if (!snnmlir::bridge::setConstantData(w, l.trainedWeight(), "ttfs"))
      return w.emitError() << "the trained weight does not match the module";
    if (auto b = dyn_cast_or_null<nn::ConstantOp>(constants.biases[k]))
      if (!snnmlir::bridge::setConstantData(b, l.trainedBias(), "ttfs"))
        return b.emitError() << "the trained bias does not match the module";
  }
  return success();
}

LogicalResult
mlir::snnmlir::trainTtfsModule(ModuleOp module, const std::string &data,
                               const snnrt::ttfs::TrainOptions &options,
                               const snnrt::TrainCallbacks &callbacks,
                               std::vector<snnrt::EpochReport> &reports,
                               StringRef funcName,
                               const snnrt::ImagePreprocess &pre) {
  TtfsConstants constants;
  FailureOr<snnrt::ttfs::Network> net =
      buildTtfsNetwork(module, funcName, &constants);
  if (failed(net))
    return failure();
  snnrt::ImageDataset train;
  if (std::string e = snnrt::loadImageDataset(data, "train", train, pre);
      !e.empty())
    return module.emitError() << e;
  snnrt::ttfs::TrainOptions fingerprinted = options;
  fingerprinted.network =
      snnmlir::bridge::networkFingerprint(module.lookupSymbol(funcName));
  if (std::string e =
          snnrt::ttfs::train(*net, train, fingerprinted, callbacks, reports);
      !e.empty())
    return module.emitError() << "TTFS training failed: " << e;
  return updateTtfsNetwork(*net, constants);
}
