//===- ShapeChecksTest.cpp - window and broadcast shape arithmetic --------===//

#include "dialect/Utils/ShapeChecks.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::snnmlir;

namespace {

class ShapeChecksTest : public ::testing::Test {
protected:
  ShapeChecksTest()
      : module(ModuleOp::create(UnknownLoc::get(&context))),
        handler(&context, [this](Diagnostic &d) {
          lastError = d.str();
          return success();
        }) {}

  int64_t window(int64_t in, WindowDim w, bool ceil) {
    FailureOr<int64_t> out = slidingWindowSize(*module, 0, in, w, ceil);
    return failed(out) ? -100 : *out;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  ScopedDiagnosticHandler handler;
  std::string lastError;
};

TEST_F(ShapeChecksTest, SlidingWindowMatchesPyTorch) {
  // Conv 3x3, pad 1, stride 1 keeps the size.
  EXPECT_EQ(window(28, {3, 1, 1, 1, 1}, false), 28);
  // 2x2 pooling, stride 2.
  EXPECT_EQ(window(28, {2, 2, 0, 0, 1}, false), 14);
  EXPECT_EQ(window(5, {2, 2, 0, 0, 1}, false), 2);
  // ceil_mode rounds up ...
  EXPECT_EQ(window(5, {2, 2, 0, 0, 1}, true), 3);
  EXPECT_EQ(window(6, {3, 2, 1, 1, 1}, true), 4);
  // ... but drops a window that would start in the end padding
  // (torch.nn.MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5 gives 3).
  EXPECT_EQ(window(5, {2, 2, 1, 1, 1}, true), 3);
  // Dilation 2 makes a 3x3 kernel span 5.
  EXPECT_EQ(window(9, {3, 2, 0, 0, 2}, false), 3);
  // Dynamic in, dynamic out.
  EXPECT_EQ(window(ShapedType::kDynamic, {3, 1, 0, 0, 1}, false),
            ShapedType::kDynamic);
}

TEST_F(ShapeChecksTest, WindowThatDoesNotFitIsAnError) {
  EXPECT_EQ(window(2, {3, 1, 0, 0, 1}, false), -100);
  EXPECT_NE(lastError.find("window does not fit"), std::string::npos);
}

TEST_F(ShapeChecksTest, BroadcastFollowsNumPy) {
  auto b = broadcastShapes(*module, {2, 1, 4}, {3, 1});
  ASSERT_TRUE(succeeded(b));
  EXPECT_EQ(*b, (SmallVector<int64_t>{2, 3, 4}));
  auto d = broadcastShapes(*module, {ShapedType::kDynamic, 4}, {4});
  ASSERT_TRUE(succeeded(d));
  EXPECT_EQ(*d, (SmallVector<int64_t>{ShapedType::kDynamic, 4}));
  EXPECT_TRUE(failed(broadcastShapes(*module, {2, 3}, {4})));
  EXPECT_NE(lastError.find("not broadcast-compatible"), std::string::npos);
}

TEST_F(ShapeChecksTest, AxisNormalisation) {
  EXPECT_EQ(*normalizeAxis(*module, "axis", -1, 4), 3);
  EXPECT_EQ(*normalizeAxis(*module, "axis", 4, 4, /*extra=*/1), 4);
  EXPECT_TRUE(failed(normalizeAxis(*module, "axis", -5, 4)));
  EXPECT_TRUE(failed(normalizeAxis(*module, "axis", 4, 4)));
}

TEST_F(ShapeChecksTest, FormatShapeShowsDynamicDims) {
  EXPECT_EQ(formatShape({ShapedType::kDynamic, 3, 28}), "[?, 3, 28]");
  EXPECT_EQ(staticProduct({2, 3, 4}), 24);
  EXPECT_EQ(staticProduct({2, ShapedType::kDynamic}), ShapedType::kDynamic);
}

} // namespace
