//===- ShapeChecks.h - verifier helpers shared by nn and snn ----*- C++ -*-===//
//
// Shape arithmetic (sliding windows, broadcasting) and the diagnostics the
// verifiers of both dialects emit, so that the two levels agree on what a
// convolution or a pooling window produces and word their errors alike.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_DIALECT_UTILS_SHAPECHECKS_H
#define SNN_MLIR_DIALECT_UTILS_SHAPECHECKS_H

#include "runtime/tensor/SliceLength.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

#include <string>

namespace mlir::snnmlir {

/// "[?, 32, 28, 28]".
std::string formatShape(ArrayRef<int64_t> shape);

/// Fails with "'<name>' must have <n> elements, got <m>".
LogicalResult verifyArrayLength(Operation *op, StringRef name,
                                ArrayRef<int64_t> values, size_t expected);
/// Fails with "'<name>' must be positive" when an entry is < 1.
LogicalResult verifyAllPositive(Operation *op, StringRef name,
                                ArrayRef<int64_t> values);
/// Fails with "'<name>' must be non-negative" when an entry is < 0.
LogicalResult verifyAllNonNegative(Operation *op, StringRef name,
                                   ArrayRef<int64_t> values);
/// Fails with "expects a <rank>-D <what>, got rank <r>".
LogicalResult verifyRank(Operation *op, StringRef what, ArrayRef<int64_t> shape,
                         int64_t rank);

/// One spatial dimension of a convolution or pooling window.
struct WindowDim {
  int64_t kernel, stride, padBegin, padEnd, dilation;
};

/// Output size of a sliding window over `input` (dynamic in, dynamic out).
/// `ceilMode` follows ONNX/PyTorch: round up, but drop a last window that
/// would start in the end padding. Fails when no window fits.
FailureOr<int64_t> slidingWindowSize(Operation *op, unsigned spatialDim,
                                     int64_t input, const WindowDim &w,
                                     bool ceilMode);

/// Output shape N×C'×OH×OW of a 2-D window op on an N×C×H×W input, with
/// `pads` = [top, left, bottom, right].
FailureOr<SmallVector<int64_t>>
windowOutputShape(Operation *op, ArrayRef<int64_t> input, int64_t outChannels,
                  ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                  bool ceilMode);

/// Checks kernel/strides/pads/dilations of a 2-D window op: lengths 2/2/4/2,
/// positive kernel, strides and dilations, non-negative pads.
LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations);

/// Fails with "pads must be smaller than the kernel" (ONNX pooling rule).
LogicalResult verifyPadsSmallerThanKernel(Operation *op,
                                          ArrayRef<int64_t> kernel,
                                          ArrayRef<int64_t> pads);

/// Fails with "'<name>' must be 1-D with [n] elements, got shape [..]".
LogicalResult verifyVectorShape(Operation *op, StringRef name,
                                ArrayRef<int64_t> shape, int64_t expected);

/// Everything about a 2-D convolution (ONNX Conv semantics): ranks, window
/// attributes, channel/group agreement, bias size, and the result shape.
LogicalResult verifyConv2D(Operation *op, ArrayRef<int64_t> input,
                           ArrayRef<int64_t> weight,
                           std::optional<ArrayRef<int64_t>> bias,
                           ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                           ArrayRef<int64_t> dilations, int64_t group,
                           ArrayRef<int64_t> result);

/// Everything about a 2-D pooling window (ONNX AveragePool/MaxPool).
LogicalResult verifyPool2D(Operation *op, ArrayRef<int64_t> input,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                           bool ceilMode, ArrayRef<int64_t> result);

/// ONNX Flatten: the result is 2-D, (d0·…·d(axis−1)) × (d(axis)·…·d(r−1)),
/// with axis in [-r, r].
LogicalResult verifyFlatten(Operation *op, ArrayRef<int64_t> input,
                            int64_t axis, ArrayRef<int64_t> result);

/// "?x32x28x28", the way MLIR writes dimensions inside a type.
std::string formatDims(ArrayRef<int64_t> shape);

/// Multidirectional (NumPy) broadcast of two shapes; fails with "shapes A
/// and B are not broadcast-compatible".
FailureOr<SmallVector<int64_t>>
broadcastShapes(Operation *op, ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs);

/// Two dimensions agree unless both are static and differ.
bool dimsCompatible(int64_t a, int64_t b);

/// Fails with "<what> shape [..] does not match the inferred shape [..]"
/// when ranks differ or a pair of static dimensions differs.
LogicalResult verifyInferredShape(Operation *op, ArrayRef<int64_t> inferred,
                                  ArrayRef<int64_t> actual,
                                  StringRef what = "result");

/// Product of the dimensions, or ShapedType::kDynamic if any is dynamic.
int64_t staticProduct(ArrayRef<int64_t> dims);

/// Maps an axis in [-rank, rank + extra) to [0, rank + extra); fails with
/// "'<name>' <axis> is out of range for rank <rank>".
FailureOr<int64_t> normalizeAxis(Operation *op, StringRef name, int64_t axis,
                                 int64_t rank, int64_t extra = 0);

/// Elements ONNX's Slice takes from a dimension (shared with the runtime).
using snnrt::sliceLength;

} // namespace mlir::snnmlir

#endif // SNN_MLIR_DIALECT_UTILS_SHAPECHECKS_H
