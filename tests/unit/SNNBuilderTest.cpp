//===- SNNBuilderTest.cpp - build spiking networks with the C++ API -------===//

#include "dialect/Dialects.h"
#include "dialect/NN/NNOps.h"
#include "dialect/SNN/SNNOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class SNNBuilderTest : public ::testing::Test {
protected:
  SNNBuilderTest() {
    DialectRegistry registry;
    snnmlir::registerDialects(registry);
    registry.insert<func::FuncDialect>();
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, Float32Type::get(&context));
  }

  /// Builds `@net`: Poisson input, a dense layer of `hidden` IF neurons with
  /// threshold `vth`, and an accumulating readout of 10 classes.
  OwningOpRef<ModuleOp> buildMlp(int64_t hidden, float vth) {
    OpBuilder b(&context);
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    const int64_t dyn = ShapedType::kDynamic;
    auto fnType = b.getFunctionType({tensor({dyn, 784})}, {tensor({dyn, 10})});
    auto fn = func::FuncOp::create(b, loc, "net", fnType);
    fn->setAttr(snn::SNNDialect::getTimeAttrName(),
                snn::DiscreteTimeAttr::get(&context, 32, APFloat(1.0)));
    b.setInsertionPointToStart(fn.addEntryBlock());

    auto w1 = nn::ConstantOp::create(
        b, loc, DenseElementsAttr::get(tensor({hidden, 784}), 0.01f));
    auto w2 = nn::ConstantOp::create(
        b, loc, DenseElementsAttr::get(tensor({10, hidden}), 0.1f));
    auto x = snn::EncodePoissonOp::create(
        b, loc, snn::SpikesType::get(&context, {dyn, 784}), fn.getArgument(0),
        b.getI64IntegerAttr(7), b.getF32FloatAttr(1.0f));
    auto i1 = snn::DenseOp::create(
        b, loc, snn::CurrentType::get(&context, {dyn, hidden}), x, w1, Value());
    auto s1 = snn::IFOp::create(
        b, loc, snn::SpikesType::get(&context, {dyn, hidden}), i1,
        b.getDenseF32ArrayAttr({vth}),
        snn::ResetModeAttr::get(&context, snn::ResetMode::Subtract),
        b.getI64IntegerAttr(0), b.getF32FloatAttr(0.0f));
    auto i2 = snn::DenseOp::create(
        b, loc, snn::CurrentType::get(&context, {dyn, 10}), s1, w2, Value());
    auto out = snn::AccumulateOp::create(b, loc, tensor({dyn, 10}), i2);
    func::ReturnOp::create(b, loc, out.getResult());
    return module;
  }

  MLIRContext context;
};

TEST_F(SNNBuilderTest, BuildsAndVerifiesAnMlp) {
  OwningOpRef<ModuleOp> module = buildMlp(100, 1.5f);
  ASSERT_TRUE(succeeded(verify(*module)));

  auto fn = cast<func::FuncOp>(module->getBody()->front());
  auto time = dyn_cast<snn::DiscreteTimeAttr>(snn::getTimeModel(fn));
  ASSERT_TRUE(time);
  EXPECT_EQ(time.getTimesteps(), 32);

  unsigned neurons = 0;
  fn.walk([&](snn::IFOp op) {
    ++neurons;
    EXPECT_EQ(op.getThreshold().size(), 1u);
    EXPECT_FLOAT_EQ(op.getThreshold()[0], 1.5f);
    EXPECT_EQ(op.getReset(), snn::ResetMode::Subtract);
    EXPECT_EQ(snn::getTimeModel(op), time);
  });
  EXPECT_EQ(neurons, 1u);
}

TEST_F(SNNBuilderTest, PrintedModuleParsesBack) {
  OwningOpRef<ModuleOp> module = buildMlp(16, 2.0f);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(text, &context);
  ASSERT_TRUE(parsed);
  std::string again;
  llvm::raw_string_ostream os2(again);
  parsed->print(os2);
  EXPECT_EQ(text, again);
  EXPECT_NE(text.find("snn.if"), std::string::npos);
}

TEST_F(SNNBuilderTest, VerifierRejectsNonPositiveThreshold) {
  OwningOpRef<ModuleOp> module = buildMlp(8, -1.0f);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_NE(message.find("'threshold' values must be positive"),
            std::string::npos)
      << message;
}

TEST_F(SNNBuilderTest, ReportPassRunsOnBuiltNetwork) {
  OwningOpRef<ModuleOp> module = buildMlp(100, 1.0f);
  std::string path = ::testing::TempDir() + "/snn-report.json";
  PassManager pm(&context);
  snnmlir::SNNReportOptions options;
  options.output = path;
  options.format = snnmlir::ReportFormat::Json;
  pm.addPass(snnmlir::createSNNReport(options));
  ASSERT_TRUE(succeeded(pm.run(*module)));

  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buffer));
  StringRef json = (*buffer)->getBuffer();
  // 784 inputs + 100 hidden neurons; 784·100 + 100·10 synapses.
  EXPECT_NE(json.find("\"neurons\": 884"), StringRef::npos) << json.str();
  EXPECT_NE(json.find("\"synapses\": 79400"), StringRef::npos) << json.str();
}

} // namespace
