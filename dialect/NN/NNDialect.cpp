//===- NNDialect.cpp - the nn dialect -------------------------------------===//

#include "dialect/NN/NNDialect.h"
#include "dialect/NN/NNOps.h"

using namespace mlir;
using namespace mlir::nn;

#include "dialect/NN/NNDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/NN/NNOps.cpp.inc"
      >();
}

Operation *NNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
