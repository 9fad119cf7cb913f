//===- SNNReport.cpp - per-layer summary of spiking networks --------------===//

#include "dialect/SNN/SNNOps.h"
#include "dialect/Utils/ShapeChecks.h"
#include "passes/Passes.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

namespace mlir::snnmlir {
#define GEN_PASS_DEF_SNNREPORT
#include "passes/Passes.h.inc"
} // namespace mlir::snnmlir

using namespace mlir;
using namespace mlir::snn;
using namespace mlir::snnmlir;

namespace {

/// Unknown counts (a dynamic dimension besides the batch) are negative.
constexpr int64_t kUnknown = -1;
/// "-": the count does not apply to this kind of layer.
constexpr int64_t kNotApplicable = -2;

struct Layer {
  std::string op;
  std::string shape;
  int64_t neurons = kNotApplicable;
  int64_t synapses = kNotApplicable;
  int64_t params = kNotApplicable;
  std::string notes;
};

struct NetworkReport {
  std::string function;
  std::string time;
  std::vector<Layer> layers;
};

int64_t known(int64_t v) { return ShapedType::isDynamic(v) ? kUnknown : v; }

/// Elements per sample: the product of all dimensions but the first.
int64_t perSample(ArrayRef<int64_t> shape) {
  return known(staticProduct(shape.drop_front()));
}

int64_t numElements(Value v) {
  if (!v)
    return 0;
  return known(staticProduct(cast<RankedTensorType>(v.getType()).getShape()));
}

int64_t times(int64_t a, int64_t b) {
  return a < 0 || b < 0 ? kUnknown : a * b;
}

int64_t plus(int64_t a, int64_t b) { return a < 0 || b < 0 ? kUnknown : a + b; }

std::string shapeString(Type type) {
  if (auto t = dyn_cast<RankedTensorType>(type))
    return formatDims(t.getShape());
  return formatDims(getTrainShape(type));
}

/// Shortest readable form of a float attribute: 1.5, 0.9, 1e-05.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

std::string num(const APFloat &v) { return num(v.convertToDouble()); }

std::string thresholdNote(ArrayRef<float> th) {
  if (th.size() == 1)
    return "V_th=" + num(th[0]);
  auto [lo, hi] = std::minmax_element(th.begin(), th.end());
  return "V_th per channel in [" + num(*lo) + ", " + num(*hi) + "]";
}

std::string resetNote(ResetMode mode, int64_t refractory) {
  std::string s = ", reset=" + stringifyResetMode(mode).str();
  if (refractory > 0)
    s += llvm::formatv(", refractory={0}", refractory).str();
  return s;
}

/// Fills the counts of `layer` from the op; false for ops that are not layers.
bool describe(Operation *op, Layer &layer) {
  ArrayRef<int64_t> out = getTrainShape(op->getResult(0).getType());
  auto windowSynapses = [&](ArrayRef<int64_t> kernel) {
    return times(perSample(out), kernel[0] * kernel[1]);
  };
  return TypeSwitch<Operation *, bool>(op)
      .Case<EncodePoissonOp>([&](auto e) {
        layer.neurons = perSample(out);
        layer.notes = llvm::formatv("seed={0}", e.getSeed()).str();
        return true;
      })
      .Case<EncodeDirectOp, EncodeTTFSOp, EncodeEventsOp>([&](auto) {
        layer.neurons = perSample(out);
        return true;
      })
      .Case<DenseOp>([&](DenseOp d) {
        int64_t fanIn =
            cast<RankedTensorType>(d.getWeight().getType()).getShape()[1];
        layer.synapses = times(perSample(out), known(fanIn));
        layer.params =
            plus(numElements(d.getWeight()), numElements(d.getBias()));
        return true;
      })
      .Case<Conv2DOp>([&](Conv2DOp c) {
        ArrayRef<int64_t> w =
            cast<RankedTensorType>(c.getWeight().getType()).getShape();
        layer.synapses =
            times(perSample(out), known(staticProduct(w.drop_front())));
        layer.params =
            plus(numElements(c.getWeight()), numElements(c.getBias()));
        if (c.getGroup() > 1)
          layer.notes = llvm::formatv("group={0}", c.getGroup()).str();
        return true;
      })
      .Case<AvgPoolOp, MaxPoolOp>([&](auto p) {
        layer.synapses = windowSynapses(p.getKernelShape());
        layer.params = 0;
        return true;
      })
      .Case<AddOp>([&](AddOp) {
        layer.synapses = times(perSample(out), 2);
        layer.params = 0;
        return true;
      })
      .Case<IFOp>([&](IFOp n) {
        layer.neurons = perSample(out);
        layer.notes = thresholdNote(n.getThreshold()) +
                      resetNote(n.getReset(), n.getRefractory());
        return true;
      })
      .Case<LIFOp>([&](LIFOp n) {
        layer.neurons = perSample(out);
        layer.notes = thresholdNote(n.getThreshold()) +
                      ", leak=" + num(n.getLeak()) +
                      resetNote(n.getReset(), n.getRefractory());
        return true;
      })
      .Case<TTFSNeuronOp>([&](TTFSNeuronOp n) {
        layer.neurons = perSample(out);
        layer.notes =
            thresholdNote(n.getThreshold()) + ", tau=" + num(n.getTau());
        return true;
      })
      .Case<FlattenOp, ConcatOp, GatherChannelsOp>([&](auto) { return true; })
      .Default([](Operation *) { return false; });
}

std::string describeTime(Attribute model) {
  if (auto d = dyn_cast_or_null<DiscreteTimeAttr>(model))
    return "discrete time, T = " + std::to_string(d.getTimesteps()) +
           ", dt = " + num(d.getDt());
  if (auto c = dyn_cast_or_null<ContinuousTimeAttr>(model))
    return "continuous time, t_max = " + num(c.getTMax());
  return "no time model";
}

std::string countString(int64_t v) {
  if (v == kNotApplicable)
    return "-";
  if (v == kUnknown)
    return "?";
  return std::to_string(v);
}

/// Sum over the layers that have the count; unknown if any is unknown.
int64_t total(const NetworkReport &net, int64_t Layer::*field) {
  int64_t sum = 0;
  for (const Layer &l : net.layers)
    if (l.*field != kNotApplicable)
      sum = plus(sum, l.*field);
  return sum;
}

void printText(raw_ostream &os, ArrayRef<NetworkReport> nets) {
  for (const NetworkReport &net : nets) {
    os << "snn-report @" << net.function << ": " << net.time << "\n";
    os << llvm::formatv("  {0,3}  {1,-15} {2,-18} {3,9} {4,11} {5,9}  notes\n",
                        "#", "op", "shape", "neurons", "synapses", "params");
    for (auto [i, l] : llvm::enumerate(net.layers)) {
      std::string row =
          llvm::formatv("  {0,3}  {1,-15} {2,-18} {3,9} {4,11} {5,9}  {6}", i,
                        l.op, l.shape, countString(l.neurons),
                        countString(l.synapses), countString(l.params), l.notes)
              .str();
      os << StringRef(row).rtrim() << "\n";
    }
    os << "  total: " << countString(total(net, &Layer::neurons))
       << " neurons, " << countString(total(net, &Layer::synapses))
       << " synapses, " << countString(total(net, &Layer::params))
       << " parameters per sample\n";
  }
}

llvm::json::Value countJson(int64_t v) {
  if (v < 0)
    return nullptr;
  return v;
}

void printJson(raw_ostream &os, ArrayRef<NetworkReport> nets) {
  llvm::json::Array functions;
  for (const NetworkReport &net : nets) {
    llvm::json::Array layers;
    for (const Layer &l : net.layers)
      layers.push_back(llvm::json::Object{{"op", l.op},
                                          {"shape", l.shape},
                                          {"neurons", countJson(l.neurons)},
                                          {"synapses", countJson(l.synapses)},
                                          {"params", countJson(l.params)},
                                          {"notes", l.notes}});
    functions.push_back(llvm::json::Object{
        {"name", net.function},
        {"time", net.time},
        {"layers", std::move(layers)},
        {"totals", llvm::json::Object{
                       {"neurons", countJson(total(net, &Layer::neurons))},
                       {"synapses", countJson(total(net, &Layer::synapses))},
                       {"params", countJson(total(net, &Layer::params))}}}});
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                   {"functions", std::move(functions)}}))
     << "\n";
}

struct SNNReportPass : snnmlir::impl::SNNReportBase<SNNReportPass> {
  using Base::Base;

  void runOnOperation() override {
    std::vector<NetworkReport> nets;
    getOperation().walk([&](FunctionOpInterface fn) {
      NetworkReport net{fn.getName().str(),
                        describeTime(getTimeModel(fn.getOperation())),
                        {}};
      fn.walk([&](Operation *op) {
        if (!isa<SNNDialect>(op->getDialect()) || op->getNumResults() != 1)
          return;
        Layer layer;
        layer.op = op->getName().stripDialect().str();
        layer.shape = shapeString(op->getResult(0).getType());
        if (describe(op, layer) ||
            isa<AccumulateOp, SpikeRateOp, FirstSpikeOp>(op))
          net.layers.push_back(std::move(layer));
      });
      if (!net.layers.empty())
        nets.push_back(std::move(net));
    });

    llvm::Error err = llvm::writeToOutput(output, [&](raw_ostream &os) {
      if (format == ReportFormat::Json)
        printJson(os, nets);
      else
        printText(os, nets);
      return llvm::Error::success();
    });
    if (err) {
      getOperation().emitError() << "snn-report: cannot write '" << output
                                 << "': " << llvm::toString(std::move(err));
      return signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};

} // namespace
