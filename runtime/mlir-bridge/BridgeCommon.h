//===- BridgeCommon.h - shared by the nn and snn bridges --------*- C++ -*-===//

#ifndef SNN_MLIR_RUNTIME_MLIR_BRIDGE_BRIDGECOMMON_H
#define SNN_MLIR_RUNTIME_MLIR_BRIDGE_BRIDGECOMMON_H

#include "dialect/NN/NNOps.h"
#include "runtime/ann/Graph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/xxhash.h"

namespace mlir::snnmlir::bridge {

/// Gives every argument of `fn` (ranked f32 tensors only) an input slot of
/// `g` (an snnrt::Graph or snnrt::Network) with its declared shape.
inline LogicalResult addArguments(func::FuncOp fn, snnrt::SlotTable &g,
                                  llvm::DenseMap<Value, int> &slots) {
  for (BlockArgument arg : fn.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.getElementType().isF32())
      return fn.emitError() << "argument #" << arg.getArgNumber()
                            << " is not a ranked f32 tensor";
    int s = g.addSlot();
    slots[arg] = s;
    g.inputs.push_back(s);
    snnrt::Shape shape;
    for (int64_t d : type.getShape())
      shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    g.inputShapes.push_back(shape);
  }
  return success();
}

/// A hash of `fn` (ops, types, attributes such as thresholds and leaks,
/// small constants; not the large weights, which the training loop
/// fingerprints itself from the values): what a training checkpoint must
/// agree on beyond the parameters (snnrt::TrainingOptions::network).
/// The CPU backend's model hash is the same value: the C header and the
/// object of one network carry it.
inline uint64_t networkHash(Operation *fn) {
  std::string text;
  llvm::raw_string_ostream os(text);
  fn->print(os,
            OpPrintingFlags().printGenericOpForm().elideLargeElementsAttrs(64));
  os.flush();
  return llvm::xxh3_64bits(text);
}
inline std::string networkFingerprint(Operation *fn) {
  return llvm::utohexstr(networkHash(fn));
}

/// The data of an nn.constant as a runtime tensor.
inline FailureOr<snnrt::Tensor> constantTensor(nn::ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  snnrt::Shape shape(type.getShape().begin(), type.getShape().end());
  // One copy, straight into the tensor's buffer, for data held in place.
  if (std::optional<ArrayRef<float>> data = nn::getConstantFloatsRef(op))
    return snnrt::Tensor(shape, snnrt::FloatBuffer(data->begin(), data->end()));
  std::optional<std::vector<float>> data = nn::getConstantFloats(op); // splat
  if (!data)
    return op.emitError() << "constant kind not supported by the runtime";
  return snnrt::Tensor(shape, *data);
}

/// Replaces the value of `c` with `data` (same type; false when the sizes
/// differ). Values above 64 KiB become dense_resource blobs named `blob`,
/// like the importer's.
inline bool setConstantData(nn::ConstantOp c, ArrayRef<float> data,
                            StringRef blob) {
  auto type = cast<RankedTensorType>(c.getType());
  if (int64_t(data.size()) != type.getNumElements())
    return false;
  c.setValueAttr(nn::f32ConstantAttr(type, data, blob));
  return true;
}

/// "snn.conv2d '/c1/Conv'": the op and the ONNX node name of its location
/// (also inside a fused location), for runtime error messages and reports.
inline std::string opLabel(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << op->getName().getStringRef();
  auto quote = [&](NameLoc n) { os << " '" << n.getName().getValue() << "'"; };
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    quote(name);
  else if (auto fused = dyn_cast<FusedLoc>(op->getLoc()))
    for (Location l : fused.getLocations())
      if (auto n = dyn_cast<NameLoc>(l)) {
        quote(n);
        break;
      }
  return s;
}

} // namespace mlir::snnmlir::bridge

#endif // SNN_MLIR_RUNTIME_MLIR_BRIDGE_BRIDGECOMMON_H
