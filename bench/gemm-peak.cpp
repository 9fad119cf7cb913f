//===- gemm-peak.cpp - Eigen SGEMM throughput on this machine -------------===//
//
// The reference for the simulator's speed: a 1024² float GEMM through the
// same Eigen the runtime uses, on one thread per benchmark thread setting.
//
//===----------------------------------------------------------------------===//

#include <Eigen/Core>
#include <benchmark/benchmark.h>

static void sgemm(benchmark::State &state) {
  int n = int(state.range(0));
  Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n),
                  b = Eigen::MatrixXf::Random(n, n), c(n, n);
  Eigen::setNbThreads(1);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(
      2.0 * n * n * n * double(state.iterations()), benchmark::Counter::kIsRate,
      benchmark::Counter::kIs1000);
}
BENCHMARK(sgemm)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
