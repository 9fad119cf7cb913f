//===- Executor.h - reference executor for ANN graphs -----------*- C++ -*-===//

#ifndef SNN_MLIR_RUNTIME_ANN_EXECUTOR_H
#define SNN_MLIR_RUNTIME_ANN_EXECUTOR_H

#include "runtime/ann/Graph.h"

#include <string>
#include <vector>

namespace snnrt {

/// Runs `graph` on `inputs` (one tensor per graph input) and fills `outputs`.
/// Returns an empty string on success, else an error naming the op.
/// Kernels run on numThreads() threads (runtime/tensor/Parallel.h). With
/// `opSeconds`, adds each node's wall time to its entry (sized to the nodes).
std::string execute(const Graph &graph, const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &outputs,
                    std::vector<double> *opSeconds = nullptr);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_ANN_EXECUTOR_H
