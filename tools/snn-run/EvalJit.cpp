//===- EvalJit.cpp - snn-run eval --engine jit
//-----------------------------===//
//
// Evaluates a discrete-time network with the CPU backend's generated code,
// compiled in-process by the JIT: one network state per thread, images
// shared out, the readout read at every requested step count.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Jit.h"
#include "runtime/ann/Kernels.h"
#include "tools/snn-run/Common.h"

#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <thread>

bool snnrun::evalWithJit(mlir::ModuleOp module, const std::string &model,
                         const snnrt::SampleSource &data, int64_t total,
                         const std::vector<int64_t> &steps, bool progress,
                         std::vector<int64_t> &correct,
                         std::vector<snnrt::LayerStats> &stats,
                         double &compileSeconds) {
  auto start = std::chrono::steady_clock::now();
  // Round multiply-adds as the simulator does, so that spikes match it.
  mlir::snnmlir::cpu::CodegenOptions options;
  options.fma = snnrt::runtimeUsesFma();
  auto compiled = mlir::snnmlir::cpu::JitNetwork::compile(module, options);
  if (mlir::failed(compiled))
    return false;
  compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const mlir::snnmlir::cpu::JitNetwork &net = **compiled;
  size_t layers = net.layerNames().size();
  stats.assign(layers, snnrt::LayerStats());
  for (size_t l = 0; l < layers; ++l) {
    stats[l].name = net.layerNames()[l];
    stats[l].neuronsPerSample = net.layerNeurons()[l];
  }
  correct.assign(steps.size(), 0);
  int threads = std::max(1, snnrt::numThreads());
  std::atomic<int64_t> next{0}, done{0};
  std::mutex merge;
  bool failed = false;
  std::string error;
  ProgressBar bar(total, progress);
  auto work = [&](int worker) {
    void *state = net.createState();
    if (!state) {
      std::lock_guard<std::mutex> lock(merge);
      failed = true;
      return;
    }
    std::vector<float> out(size_t(net.outputSize()));
    snnrt::Tensor x;
    std::vector<int> label;
    std::vector<int64_t> counts(std::max<size_t>(layers, 1)), mine(layers, 0),
        right(steps.size(), 0);
    for (int64_t n; (n = next.fetch_add(1)) < total;) {
      std::string err = data.load({n}, x, label);
      if (err.empty() && x.size() != net.inputSize())
        err = "the network takes " + std::to_string(net.inputSize()) +
              " inputs per sample, the data gives " + std::to_string(x.size());
      if (err.empty())
        err = snnrt::checkLabels(label, net.outputSize(), n);
      if (!err.empty()) {
        std::lock_guard<std::mutex> lock(merge);
        if (error.empty())
          error = model + ": " + err;
        break;
      }
      net.reset(state);
      net.setInput(state, x.ptr());
      int64_t ran = 0;
      for (size_t k = 0; k < steps.size(); ++k) {
        net.run(state, steps[k] - ran);
        ran = steps[k];
        net.readOutput(state, out.data());
        int64_t best;
        if (net.firstSpikeOutput()) { // earliest spike; none: no class
          best = std::min_element(out.begin(), out.end()) - out.begin();
          if (!(out[size_t(best)] < std::numeric_limits<float>::infinity()))
            best = -1;
        } else {
          best = std::max_element(out.begin(), out.end()) - out.begin();
        }
        right[k] += best == label[0];
      }
      net.layerSpikes(state, counts.data());
      for (size_t l = 0; l < layers; ++l)
        mine[l] += counts[l];
      int64_t d = done.fetch_add(1) + 1;
      if (worker == 0)
        bar.update(d, "");
    }
    std::free(state);
    std::lock_guard<std::mutex> lock(merge);
    for (size_t k = 0; k < steps.size(); ++k)
      correct[k] += right[k];
    for (size_t l = 0; l < layers; ++l)
      stats[l].spikes += double(mine[l]);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(work, t);
  work(0);
  for (std::thread &t : pool)
    t.join();
  if (failed) {
    llvm::errs() << "snn-run: out of memory for the network states\n";
    return false;
  }
  if (!error.empty()) {
    llvm::errs() << "snn-run: " << error << "\n";
    return false;
  }
  return true;
}
