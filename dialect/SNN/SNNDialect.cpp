//===- SNNDialect.cpp - the snn dialect, its types and attributes ---------===//

#include "dialect/SNN/SNNDialect.h"
#include "dialect/SNN/SNNOps.h"
#include "dialect/SNN/SNNTypes.h"
#include "dialect/Utils/ShapeChecks.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::snn;

#include "dialect/SNN/SNNDialect.cpp.inc"
#include "dialect/SNN/SNNEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialect/SNN/SNNTypes.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/SNN/SNNAttrs.cpp.inc"

void SNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/SNN/SNNOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialect/SNN/SNNTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/SNN/SNNAttrs.cpp.inc"
      >();
}

LogicalResult SNNDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() != getTimeAttrName())
    return op->emitError() << "unknown snn attribute '"
                           << attr.getName().getValue() << "'";
  if (!isa<DiscreteTimeAttr, ContinuousTimeAttr>(attr.getValue()))
    return op->emitError() << "'" << getTimeAttrName()
                           << "' must be #snn.discrete<...> or "
                              "#snn.continuous<...>";
  if (!isa<FunctionOpInterface>(op))
    return op->emitError() << "'" << getTimeAttrName()
                           << "' belongs on a function";
  return success();
}

Attribute mlir::snn::getTimeModel(Operation *op) {
  for (Operation *p = op; p; p = p->getParentOp())
    if (Attribute a = p->getAttr(SNNDialect::getTimeAttrName()))
      return a;
  return {};
}

ArrayRef<int64_t> mlir::snn::getTrainShape(Type type) {
  return TypeSwitch<Type, ArrayRef<int64_t>>(type)
      .Case<SpikesType, CurrentType>([](auto t) { return t.getShape(); })
      .Default([](Type) { return ArrayRef<int64_t>(); });
}

//===----------------------------------------------------------------------===//
// Train types: !snn.spikes<?x32x28x28>, !snn.current<?x10>
//===----------------------------------------------------------------------===//

/// Parses `<?x32x28x28>` into a train type of kind `TrainT`.
template <typename TrainT> static Type parseTrain(AsmParser &parser) {
  SmallVector<int64_t> shape;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/false) ||
      parser.parseGreater())
    return {};
  return TrainT::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), shape);
}

static void printTrain(AsmPrinter &printer, ArrayRef<int64_t> shape) {
  printer << "<" << snnmlir::formatDims(shape) << ">";
}

static LogicalResult
verifyTrainShape(function_ref<InFlightDiagnostic()> emitError,
                 ArrayRef<int64_t> shape) {
  if (shape.empty())
    return emitError() << "a train needs at least one dimension";
  if (llvm::any_of(
          shape, [](int64_t d) { return !ShapedType::isDynamic(d) && d < 1; }))
    return emitError() << "train dimensions must be positive or '?'";
  return success();
}

Type SpikesType::parse(AsmParser &parser) {
  return parseTrain<SpikesType>(parser);
}
void SpikesType::print(AsmPrinter &printer) const {
  printTrain(printer, getShape());
}
LogicalResult SpikesType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape) {
  return verifyTrainShape(emitError, shape);
}

Type CurrentType::parse(AsmParser &parser) {
  return parseTrain<CurrentType>(parser);
}
void CurrentType::print(AsmPrinter &printer) const {
  printTrain(printer, getShape());
}
LogicalResult CurrentType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  ArrayRef<int64_t> shape) {
  return verifyTrainShape(emitError, shape);
}

//===----------------------------------------------------------------------===//
// Time models: #snn.discrete<timesteps = 32, dt = 1.0>, #snn.continuous<...>
//===----------------------------------------------------------------------===//

Attribute DiscreteTimeAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  int64_t timesteps = 0;
  double dt = 1.0;
  if (parser.parseLess() || parser.parseKeyword("timesteps") ||
      parser.parseEqual() || parser.parseInteger(timesteps))
    return {};
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseKeyword("dt") || parser.parseEqual() ||
       parser.parseFloat(dt)))
    return {};
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    timesteps, llvm::APFloat(dt));
}

void DiscreteTimeAttr::print(AsmPrinter &printer) const {
  printer << "<timesteps = " << getTimesteps() << ", dt = ";
  printer.printFloat(getDt());
  printer << ">";
}

LogicalResult
DiscreteTimeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t timesteps, llvm::APFloat dtValue) {
  double dt = dtValue.convertToDouble();
  if (timesteps < 1 || timesteps > kMaxTimesteps)
    return emitError() << "'timesteps' must be from 1 to " << kMaxTimesteps
                       << " (spike counts are float32, exact up to 2^24), "
                          "got "
                       << timesteps;
  if (!(dt > 0.0) || !std::isfinite(dt))
    return emitError() << "'dt' must be positive and finite, got " << dt;
  return success();
}

Attribute ContinuousTimeAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  double tMax = 0.0;
  if (parser.parseLess() || parser.parseKeyword("t_max") ||
      parser.parseEqual() || parser.parseFloat(tMax) || parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    llvm::APFloat(tMax));
}

void ContinuousTimeAttr::print(AsmPrinter &printer) const {
  printer << "<t_max = ";
  printer.printFloat(getTMax());
  printer << ">";
}

LogicalResult
ContinuousTimeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                           llvm::APFloat tMaxValue) {
  double tMax = tMaxValue.convertToDouble();
  if (!(tMax > 0.0) || !std::isfinite(tMax))
    return emitError() << "'t_max' must be positive and finite, got " << tMax;
  return success();
}
