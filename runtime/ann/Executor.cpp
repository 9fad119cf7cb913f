//===- Executor.cpp - run an ANN graph op by op ---------------------------===//

#include "runtime/ann/Executor.h"
#include "runtime/ann/Kernels.h"

#include <chrono>

namespace snnrt {

const char *opName(OpKind kind) {
  static const char *names[] = {"conv2d",     "gemm",
                                "matmul",     "add",
                                "sub",        "mul",
                                "div",        "relu",
                                "leaky_relu", "clip",
                                "batch_norm", "avg_pool",
                                "max_pool",   "global_avg_pool",
                                "flatten",    "reshape",
                                "transpose",  "concat",
                                "pad",        "softmax",
                                "identity",   "sigmoid",
                                "tanh",       "erf",
                                "hard_sigmoid", "hard_swish",
                                "gelu",       "reduce_mean",
                                "slice"};
  static_assert(sizeof(names) / sizeof(names[0]) ==
                    static_cast<size_t>(OpKind::Slice) + 1,
                "one name per OpKind");
  return names[static_cast<int>(kind)];
}

static std::string runNode(const Node &n, const std::vector<const Tensor *> &in,
                           Tensor &out) {
  auto optional = [&](size_t i) { return i < in.size() ? in[i] : nullptr; };
  switch (n.kind) {
  case OpKind::Conv2D:
    return conv2d(*in[0], *in[1], optional(2), n, out);
  case OpKind::Gemm:
    return gemm(*in[0], *in[1], optional(2), n, out);
  case OpKind::MatMul:
    return matmul(*in[0], *in[1], out);
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
    return binary(n.kind, *in[0], *in[1], out);
  case OpKind::Relu:
  case OpKind::LeakyRelu:
  case OpKind::Clip:
  case OpKind::Identity:
  case OpKind::Sigmoid:
  case OpKind::Tanh:
  case OpKind::Erf:
  case OpKind::HardSigmoid:
  case OpKind::HardSwish:
  case OpKind::Gelu:
    return unary(n, *in[0], out);
  case OpKind::ReduceMean:
    return reduceMean(n.axes, n.keepdims, *in[0], out);
  case OpKind::Slice:
    return slice(n, *in[0], out);
  case OpKind::BatchNorm:
    return batchNorm(*in[0], *in[1], *in[2], *in[3], *in[4], n.epsilon, out);
  case OpKind::AvgPool:
  case OpKind::MaxPool:
    return pool2d(n, *in[0], out);
  case OpKind::GlobalAvgPool:
    return globalAvgPool(*in[0], out);
  case OpKind::Flatten:
  case OpKind::Reshape:
    return reshape(n, *in[0], out);
  case OpKind::Transpose:
    return transpose(n.perm, *in[0], out);
  case OpKind::Concat:
    return concat(n.axis, in, out);
  case OpKind::Pad:
    return pad(n.pads, n.padValue, *in[0], out);
  case OpKind::Softmax:
    return softmax(n.axis, *in[0], out);
  }
  return "unknown op";
}

std::string execute(const Graph &graph, const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &outputs,
                    std::vector<double> *opSeconds) {
  if (std::string e = checkInputShapes(graph.inputShapes, inputs); !e.empty())
    return e;
  std::vector<Tensor> values(graph.constants.size());
  std::vector<bool> ready(graph.constants.size(), false);
  auto slot = [&](int i) -> const Tensor & {
    return graph.constants[i] ? *graph.constants[i] : values[i];
  };
  for (size_t i = 0; i < graph.constants.size(); ++i)
    ready[i] = graph.constants[i].has_value();
  for (size_t i = 0; i < inputs.size(); ++i) {
    values[graph.inputs[i]] = inputs[i];
    ready[graph.inputs[i]] = true;
  }
  for (const Node &n : graph.nodes) {
    std::vector<const Tensor *> in;
    for (int i : n.inputs) {
      if (!ready[i])
        return n.name + ": an input is not computed yet";
      in.push_back(&slot(i));
    }
    auto start = std::chrono::steady_clock::now();
    std::string err = runNode(n, in, values[n.output]);
    if (opSeconds) {
      opSeconds->resize(graph.nodes.size(), 0.0);
      (*opSeconds)[&n - graph.nodes.data()] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                        start)
              .count();
    }
    if (!err.empty())
      return n.name + ": " + err;
    ready[n.output] = true;
  }
  outputs.clear();
  for (int o : graph.outputs)
    outputs.push_back(slot(o));
  return "";
}

} // namespace snnrt
