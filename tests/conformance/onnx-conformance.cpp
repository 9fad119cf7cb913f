//===- onnx-conformance.cpp - ONNX node tests through import + executor ---===//
//
// For every ONNX node test (libonnx-testdata) whose ops are all ones we
// implement: import the model, run it with the runtime's reference executor,
// and compare with the expected outputs (|got − want| ≤ atol + rtol·|want|).
// Inputs that ONNX passes as tensors but we take as constants (Clip bounds,
// Reshape targets, Pad amounts, axes, Dropout ratio) are baked into
// initializers from the test's own data first. A case the importer refuses
// is skipped with its reason; a case that imports but computes a wrong or no
// answer fails. Prints a Markdown table; exits 1 on any failure.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/ONNXImporter.h"
#include "runtime/ann/Executor.h"
#include "runtime/mlir-bridge/NNToRuntime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

static const std::set<std::string> kSupportedOps = {"Sigmoid", "Tanh", "Erf", "HardSigmoid", "HardSwish", "Gelu", "ReduceMean", "Slice", "Split", "Conv",
                                                    "Gemm",
                                                    "MatMul",
                                                    "Add",
                                                    "Sub",
                                                    "Mul",
                                                    "Div",
                                                    "Relu",
                                                    "LeakyRelu",
                                                    "Clip",
                                                    "BatchNormalization",
                                                    "AveragePool",
                                                    "MaxPool",
                                                    "GlobalAveragePool",
                                                    "Flatten",
                                                    "Reshape",
                                                    "Transpose",
                                                    "Concat",
                                                    "Pad",
                                                    "Dropout",
                                                    "Identity",
                                                    "Softmax",
                                                    "Constant",
                                                    "Shape",
                                                    "Gather",
                                                    "Unsqueeze",
                                                    "Squeeze",
                                                    "Cast"};

/// Input positions that we take as import-time constants, per op type.
static const std::map<std::string, std::set<int>> kConstantInputs = {
    {"Clip", {1, 2}},   {"Reshape", {1}}, {"Pad", {1, 2}},
    {"Unsqueeze", {1}}, {"Squeeze", {1}}, {"Dropout", {1, 2}}};

static bool readProto(const fs::path &p, google::protobuf::MessageLite &m) {
  std::ifstream in(p, std::ios::binary);
  return in && m.ParseFromIstream(&in);
}

static bool toTensor(const onnx::TensorProto &t, snnrt::Tensor &out) {
  if (t.data_type() != onnx::TensorProto::FLOAT)
    return false;
  out.shape.assign(t.dims().begin(), t.dims().end());
  int64_t n = snnrt::numElements(out.shape);
  out.data.resize(n);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != size_t(n) * 4)
      return false;
    std::memcpy(out.data.data(), t.raw_data().data(), t.raw_data().size());
  } else {
    if (t.float_data_size() != n)
      return false;
    std::copy(t.float_data().begin(), t.float_data().end(), out.data.begin());
  }
  return true;
}

struct CaseResult {
  std::string name, ops, status, detail;
};

static std::string compare(const snnrt::Tensor &got, const snnrt::Tensor &want,
                           double rtol, double atol) {
  if (got.shape != want.shape)
    return "shape " + snnrt::formatShape(got.shape) + ", expected " +
           snnrt::formatShape(want.shape);
  double worst = 0.0;
  int64_t at = -1;
  for (int64_t i = 0; i < want.size(); ++i) {
    double g = got.data[i], w = want.data[i];
    double excess = std::fabs(g - w) - (atol + rtol * std::fabs(w));
    if (std::isnan(g) != std::isnan(w) || excess > worst) {
      worst = std::isnan(excess) ? INFINITY : excess;
      at = i;
    }
  }
  if (at < 0)
    return "";
  std::ostringstream os;
  os << "element " << at << ": got " << got.data[at] << ", expected "
     << want.data[at];
  return os.str();
}

static CaseResult runCase(const fs::path &dir, mlir::MLIRContext &ctx) {
  CaseResult r{dir.filename().string(), "", "", ""};
  onnx::ModelProto model;
  if (!readProto(dir / "model.onnx", model)) {
    r.status = "skipped";
    r.detail = "model.onnx cannot be read";
    return r;
  }
  std::set<std::string> ops;
  for (const auto &n : model.graph().node())
    ops.insert(n.op_type());
  for (const auto &op : ops)
    r.ops += (r.ops.empty() ? "" : ", ") + op;
  for (const auto &op : ops)
    if (!kSupportedOps.count(op)) {
      r.status = "unsupported";
      return r;
    }

  // Test data sets.
  std::vector<fs::path> sets;
  for (const auto &e : fs::directory_iterator(dir))
    if (e.is_directory() &&
        e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) {
    r.status = "skipped";
    r.detail = "no test data";
    return r;
  }

  // Bake constant-like inputs, using the first data set's values.
  std::set<std::string> baked;
  for (const auto &n : model.graph().node()) {
    auto it = kConstantInputs.find(n.op_type());
    if (it == kConstantInputs.end())
      continue;
    for (int k : it->second)
      if (k < n.input_size() && !n.input(k).empty())
        baked.insert(n.input(k));
  }
  std::vector<std::string> inputNames;
  for (const auto &in : model.graph().input())
    inputNames.push_back(in.name());
  auto *graphInputs = model.mutable_graph()->mutable_input();
  for (int i = graphInputs->size() - 1; i >= 0; --i) {
    const std::string name = graphInputs->Get(i).name();
    if (!baked.count(name))
      continue;
    onnx::TensorProto t;
    if (!readProto(sets[0] / ("input_" + std::to_string(i) + ".pb"), t)) {
      r.status = "skipped";
      r.detail = "cannot read the data of input '" + name + "'";
      return r;
    }
    t.set_name(name);
    *model.mutable_graph()->add_initializer() = t;
    graphInputs->DeleteSubrange(i, 1);
  }

  std::string bytes;
  model.SerializeToString(&bytes);
  std::string diag;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    if (diag.empty())
      diag = d.str();
    return mlir::success();
  });
  mlir::snnmlir::ONNXImportOptions options;
  auto module =
      mlir::snnmlir::importONNXModel(bytes, r.name, false, options, &ctx);
  if (!module) {
    r.status = "skipped";
    r.detail = diag;
    return r;
  }
  auto graph = mlir::snnmlir::buildRuntimeGraph(*module);
  if (mlir::failed(graph)) {
    r.status = "failed";
    r.detail = "runtime graph: " + diag;
    return r;
  }

  for (const auto &set : sets) {
    std::vector<snnrt::Tensor> inputs, expected, outputs;
    for (size_t i = 0; i < inputNames.size(); ++i) {
      if (baked.count(inputNames[i]))
        continue;
      onnx::TensorProto t;
      snnrt::Tensor tensor;
      if (!readProto(set / ("input_" + std::to_string(i) + ".pb"), t) ||
          !toTensor(t, tensor)) {
        r.status = "skipped";
        r.detail = "input " + std::to_string(i) + " is not float32 data";
        return r;
      }
      inputs.push_back(std::move(tensor));
    }
    for (int i = 0; fs::exists(set / ("output_" + std::to_string(i) + ".pb"));
         ++i) {
      onnx::TensorProto t;
      snnrt::Tensor tensor;
      if (!readProto(set / ("output_" + std::to_string(i) + ".pb"), t) ||
          !toTensor(t, tensor)) {
        r.status = "skipped";
        r.detail = "output " + std::to_string(i) + " is not float32 data";
        return r;
      }
      expected.push_back(std::move(tensor));
    }
    std::string err = snnrt::execute(*graph, inputs, outputs);
    if (!err.empty()) {
      r.status = "failed";
      r.detail = err;
      return r;
    }
    if (outputs.size() != expected.size()) {
      r.status = "failed";
      r.detail = "produced " + std::to_string(outputs.size()) +
                 " outputs, expected " + std::to_string(expected.size());
      return r;
    }
    for (size_t i = 0; i < outputs.size(); ++i)
      if (std::string e = compare(outputs[i], expected[i], 1e-4, 1e-5);
          !e.empty()) {
        r.status = "failed";
        r.detail =
            set.filename().string() + " output " + std::to_string(i) + ": " + e;
        return r;
      }
  }
  r.status = "passed";
  r.detail = std::to_string(sets.size()) + " data set(s)";
  return r;
}

static std::string escape(std::string s) {
  for (char &c : s)
    if (c == '|' || c == '\n')
      c = c == '|' ? '/' : ' ';
  return s;
}

int main(int argc, char **argv) {
  std::string data = "/usr/share/libonnx-testdata/data/node", tablePath,
              checkPath;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--data" && i + 1 < argc)
      data = argv[++i];
    else if (a == "--table" && i + 1 < argc)
      tablePath = argv[++i];
    else if (a == "--check-table" && i + 1 < argc)
      checkPath = argv[++i];
    else if (a == "-v" || a == "--verbose")
      verbose = true;
    else {
      std::cerr << "usage: onnx-conformance [--data DIR] [--table OUT.md] "
                   "[--check-table COMMITTED.md] [-v]\n"
                   "Runs ONNX's node conformance tests for the ops snn-mlir "
                   "supports through import and the reference executor.\n";
      return 2;
    }
  }
  if (!fs::is_directory(data)) {
    std::cerr << "onnx-conformance: no test data in " << data
              << " (Debian package libonnx-testdata)\n";
    return 1;
  }
  std::vector<fs::path> dirs;
  for (const auto &e : fs::directory_iterator(data))
    if (e.is_directory())
      dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());

  mlir::DialectRegistry registry;
  mlir::snnmlir::registerBridgeDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  std::vector<CaseResult> results;
  std::map<std::string, int> counts;
  for (const auto &d : dirs) {
    CaseResult r = runCase(d, ctx);
    ++counts[r.status];
    if (verbose || r.status == "failed")
      std::cerr << r.status << ": " << r.name << " " << r.detail << "\n";
    if (r.status != "unsupported")
      results.push_back(std::move(r));
  }

  std::ostringstream table;
  table << "# ONNX conformance\n\n"
        << "Generated by `tests/conformance/onnx-conformance` from the node "
           "tests of Debian's `libonnx-testdata`: every test whose ops are "
           "all among ours is imported (`snn-translate --import-onnx`), run "
           "by the runtime's reference executor and compared with ONNX's "
           "expected outputs (rtol 1e-4, atol 1e-5). Skipped cases are "
           "refused by the importer on purpose; the reason is its error "
           "message.\n\n"
        << "Supported ops: ";
  bool first = true;
  for (const auto &op : kSupportedOps) {
    table << (first ? "" : ", ") << op;
    first = false;
  }
  table << ".\n\n| | cases |\n|---|---|\n"
        << "| node tests in the data set | " << dirs.size() << " |\n"
        << "| using only supported ops | " << results.size() << " |\n"
        << "| passed | " << counts["passed"] << " |\n"
        << "| failed | " << counts["failed"] << " |\n"
        << "| skipped | " << counts["skipped"] << " |\n\n"
        << "| test | ops | result | detail |\n|---|---|---|---|\n";
  for (const auto &r : results)
    table << "| " << r.name << " | " << escape(r.ops) << " | " << r.status
          << " | " << escape(r.detail) << " |\n";

  std::cout << counts["passed"] << " passed, " << counts["failed"]
            << " failed, " << counts["skipped"] << " skipped ("
            << counts["unsupported"] << " tests use ops outside our set)\n";
  if (!tablePath.empty())
    std::ofstream(tablePath) << table.str();
  if (!checkPath.empty()) {
    std::ifstream in(checkPath);
    std::stringstream committed;
    committed << in.rdbuf();
    if (committed.str() != table.str()) {
      std::cerr << checkPath << " is stale: regenerate it with "
                << "onnx-conformance --table " << checkPath << "\n";
      return 1;
    }
  }
  return counts["failed"] ? 1 : 0;
}
