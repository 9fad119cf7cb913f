//===- ShapeChecks.cpp - verifier helpers shared by nn and snn ------------===//

#include "dialect/Utils/ShapeChecks.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::snnmlir {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

std::string formatDims(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  return s;
}

LogicalResult verifyFlatten(Operation *op, ArrayRef<int64_t> in, int64_t axis,
                            ArrayRef<int64_t> result) {
  auto a = normalizeAxis(op, "axis", axis, in.size(), /*extra=*/1);
  if (failed(a))
    return failure();
  SmallVector<int64_t> out{staticProduct(in.take_front(*a)),
                           staticProduct(in.drop_front(*a))};
  return verifyInferredShape(op, out, result);
}

LogicalResult verifyArrayLength(Operation *op, StringRef name,
                                ArrayRef<int64_t> values, size_t expected) {
  if (values.size() == expected)
    return success();
  return op->emitOpError() << "'" << name << "' must have " << expected
                           << " elements, got " << values.size();
}

LogicalResult verifyAllPositive(Operation *op, StringRef name,
                                ArrayRef<int64_t> values) {
  if (llvm::all_of(values, [](int64_t v) { return v >= 1; }))
    return success();
  return op->emitOpError() << "'" << name << "' must be positive";
}

LogicalResult verifyAllNonNegative(Operation *op, StringRef name,
                                   ArrayRef<int64_t> values) {
  if (llvm::all_of(values, [](int64_t v) { return v >= 0; }))
    return success();
  return op->emitOpError() << "'" << name << "' must be non-negative";
}

LogicalResult verifyRank(Operation *op, StringRef what, ArrayRef<int64_t> shape,
                         int64_t rank) {
  if (static_cast<int64_t>(shape.size()) == rank)
    return success();
  return op->emitOpError() << "expects a " << rank << "-D " << what
                           << ", got rank " << shape.size();
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

FailureOr<int64_t> slidingWindowSize(Operation *op, unsigned spatialDim,
                                     int64_t input, const WindowDim &w,
                                     bool ceilMode) {
  if (ShapedType::isDynamic(input))
    return ShapedType::kDynamic;
  int64_t span = w.dilation * (w.kernel - 1) + 1;
  int64_t room = input + w.padBegin + w.padEnd - span;
  if (room < 0)
    return op->emitOpError()
           << "window does not fit the input in spatial dimension "
           << spatialDim << ": input " << input << ", kernel " << w.kernel
           << ", dilation " << w.dilation << ", pads " << w.padBegin << "+"
           << w.padEnd;
  if (!ceilMode)
    return room / w.stride + 1;
  int64_t out = ceilDiv(room, w.stride) + 1;
  // A last window starting inside the end padding is dropped.
  if ((out - 1) * w.stride >= input + w.padBegin)
    --out;
  return out;
}

FailureOr<SmallVector<int64_t>>
windowOutputShape(Operation *op, ArrayRef<int64_t> input, int64_t outChannels,
                  ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                  bool ceilMode) {
  SmallVector<int64_t> out{input[0], outChannels};
  for (unsigned i = 0; i < 2; ++i) {
    WindowDim w{kernel[i], strides[i], pads[i], pads[i + 2],
                dilations.empty() ? 1 : dilations[i]};
    FailureOr<int64_t> size =
        slidingWindowSize(op, i, input[2 + i], w, ceilMode);
    if (failed(size))
      return failure();
    out.push_back(*size);
  }
  return out;
}

LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations) {
  if (failed(verifyArrayLength(op, "kernel_shape", kernel, 2)) ||
      failed(verifyArrayLength(op, "strides", strides, 2)) ||
      failed(verifyArrayLength(op, "pads", pads, 4)) ||
      failed(verifyArrayLength(op, "dilations", dilations, 2)))
    return failure();
  if (failed(verifyAllPositive(op, "kernel_shape", kernel)) ||
      failed(verifyAllPositive(op, "strides", strides)) ||
      failed(verifyAllPositive(op, "dilations", dilations)))
    return failure();
  return verifyAllNonNegative(op, "pads", pads);
}

LogicalResult verifyPadsSmallerThanKernel(Operation *op,
                                          ArrayRef<int64_t> kernel,
                                          ArrayRef<int64_t> pads) {
  for (unsigned i = 0; i < 4; ++i)
    if (pads[i] >= kernel[i % 2])
      return op->emitOpError()
             << "pads must be smaller than the kernel, got "
             << formatShape(pads) << " for kernel " << formatShape(kernel);
  return success();
}

LogicalResult verifyVectorShape(Operation *op, StringRef name,
                                ArrayRef<int64_t> shape, int64_t expected) {
  if (shape.size() == 1 && dimsCompatible(shape[0], expected))
    return success();
  return op->emitOpError() << "'" << name << "' must be 1-D with "
                           << formatShape({expected}) << " elements, got shape "
                           << formatShape(shape);
}

LogicalResult verifyConv2D(Operation *op, ArrayRef<int64_t> in,
                           ArrayRef<int64_t> w,
                           std::optional<ArrayRef<int64_t>> bias,
                           ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                           ArrayRef<int64_t> dilations, int64_t group,
                           ArrayRef<int64_t> result) {
  if (failed(verifyRank(op, "input (N×C×H×W)", in, 4)) ||
      failed(verifyRank(op, "weight (M×C/group×kH×kW)", w, 4)))
    return failure();
  if (ShapedType::isDynamic(w[2]) || ShapedType::isDynamic(w[3]))
    return op->emitOpError()
           << "expects a static kernel size, got weight shape "
           << formatShape(w);
  if (failed(verifyWindowAttrs(op, w.drop_front(2), strides, pads, dilations)))
    return failure();
  if (group < 1)
    return op->emitOpError() << "'group' must be positive, got " << group;
  if (!ShapedType::isDynamic(in[1]) && !ShapedType::isDynamic(w[1]) &&
      in[1] != w[1] * group)
    return op->emitOpError() << "input channels (" << in[1]
                             << ") must equal weight input channels (" << w[1]
                             << ") × group (" << group << ")";
  if (!ShapedType::isDynamic(w[0]) && w[0] % group != 0)
    return op->emitOpError()
           << "weight output channels (" << w[0]
           << ") must be divisible by group (" << group << ")";
  if (bias && failed(verifyVectorShape(op, "bias", *bias, w[0])))
    return failure();
  auto out = windowOutputShape(op, in, w[0], w.drop_front(2), strides, pads,
                               dilations, /*ceilMode=*/false);
  if (failed(out))
    return failure();
  return verifyInferredShape(op, *out, result);
}

LogicalResult verifyPool2D(Operation *op, ArrayRef<int64_t> in,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                           bool ceilMode, ArrayRef<int64_t> result) {
  if (failed(verifyRank(op, "input (N×C×H×W)", in, 4)) ||
      failed(verifyWindowAttrs(op, kernel, strides, pads, dilations)) ||
      failed(verifyPadsSmallerThanKernel(op, kernel, pads)))
    return failure();
  auto out = windowOutputShape(op, in, in[1], kernel, strides, pads, dilations,
                               ceilMode);
  if (failed(out))
    return failure();
  return verifyInferredShape(op, *out, result);
}

bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

FailureOr<SmallVector<int64_t>>
broadcastShapes(Operation *op, ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == 1) {
      out[i] = b;
    } else if (b == 1) {
      out[i] = a;
    } else if (dimsCompatible(a, b)) {
      out[i] = ShapedType::isDynamic(a) ? b : a;
    } else {
      return op->emitOpError()
             << "shapes " << formatShape(lhs) << " and " << formatShape(rhs)
             << " are not broadcast-compatible";
    }
  }
  return out;
}

LogicalResult verifyInferredShape(Operation *op, ArrayRef<int64_t> inferred,
                                  ArrayRef<int64_t> actual, StringRef what) {
  bool ok = inferred.size() == actual.size();
  for (size_t i = 0; ok && i < inferred.size(); ++i)
    ok = dimsCompatible(inferred[i], actual[i]);
  if (ok)
    return success();
  return op->emitOpError() << what << " shape " << formatShape(actual)
                           << " does not match the inferred shape "
                           << formatShape(inferred);
}

int64_t staticProduct(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    p *= d;
  }
  return p;
}

FailureOr<int64_t> normalizeAxis(Operation *op, StringRef name, int64_t axis,
                                 int64_t rank, int64_t extra) {
  if (axis < -rank || axis >= rank + extra)
    return op->emitOpError() << "'" << name << "' " << axis
                             << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

} // namespace mlir::snnmlir
