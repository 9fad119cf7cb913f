//===- import-onnx-bench.cpp - time to import a 10 MB ONNX model ----------===//
//
// Builds an MLP with about 10 MB of float32 weights (784-2048-512-10, Gemm +
// Relu, dynamic batch) in memory and measures importONNXModel on its bytes:
// parse, check, shape inference and the nn module with dense_resource
// weights. Also measures the same for a flatten chain model at opset 9
// (version conversion included).
//
//===----------------------------------------------------------------------===//

#include "dialect/NN/NNDialect.h"
#include "frontend/onnx/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <benchmark/benchmark.h>
#include <onnx/onnx_pb.h>

#include <random>

static void addGemm(onnx::GraphProto *g, const std::string &in,
                    const std::string &out, int64_t k, int64_t m,
                    std::mt19937 &rng, bool relu) {
  std::normal_distribution<float> dist(0.0f, 0.05f);
  auto *w = g->add_initializer();
  w->set_name(out + "_w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(m);
  w->add_dims(k);
  std::string raw(size_t(m * k) * 4, '\0');
  auto *p = reinterpret_cast<float *>(raw.data());
  for (int64_t i = 0; i < m * k; ++i)
    p[i] = dist(rng);
  w->set_raw_data(raw);
  auto *b = g->add_initializer();
  b->set_name(out + "_b");
  b->set_data_type(onnx::TensorProto::FLOAT);
  b->add_dims(m);
  b->set_raw_data(std::string(size_t(m) * 4, '\0'));
  auto *n = g->add_node();
  n->set_op_type("Gemm");
  n->set_name(out);
  n->add_input(in);
  n->add_input(out + "_w");
  n->add_input(out + "_b");
  n->add_output(relu ? out + "_pre" : out);
  auto *t = n->add_attribute();
  t->set_name("transB");
  t->set_type(onnx::AttributeProto::INT);
  t->set_i(1);
  if (relu) {
    auto *r = g->add_node();
    r->set_op_type("Relu");
    r->set_name(out + "_relu");
    r->add_input(out + "_pre");
    r->add_output(out);
  }
}

static void setTensorType(onnx::ValueInfoProto *v, const std::string &name,
                          int64_t features) {
  v->set_name(name);
  auto *t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  t->mutable_shape()->add_dim()->set_dim_param("N");
  t->mutable_shape()->add_dim()->set_dim_value(features);
}

static std::string makeModel(int opset) {
  onnx::ModelProto m;
  m.set_ir_version(opset >= 13 ? 8 : 4);
  auto *o = m.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  auto *g = m.mutable_graph();
  g->set_name("mlp10mb");
  std::mt19937 rng(7);
  addGemm(g, "x", "h1", 784, 2048, rng, true);
  addGemm(g, "h1", "h2", 2048, 512, rng, true);
  addGemm(g, "h2", "y", 512, 10, rng, false);
  setTensorType(g->add_input(), "x", 784);
  setTensorType(g->add_output(), "y", 10);
  std::string bytes;
  m.SerializeToString(&bytes);
  return bytes;
}

static void importModel(benchmark::State &state, int opset) {
  std::string bytes = makeModel(opset);
  mlir::DialectRegistry registry;
  registry.insert<mlir::nn::NNDialect, mlir::func::FuncDialect>();
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  for (auto _ : state) {
    auto module = mlir::snnmlir::importONNXModel(
        bytes, "mlp10mb.onnx", false, mlir::snnmlir::ONNXImportOptions(),
        &context);
    if (!module)
      state.SkipWithError("import failed");
    benchmark::DoNotOptimize(module.get());
  }
  state.counters["model_MB"] = double(bytes.size()) / 1e6;
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}

BENCHMARK_CAPTURE(importModel, opset17, 17)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(importModel, opset9_converted, 9)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
