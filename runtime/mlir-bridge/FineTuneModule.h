//===- FineTuneModule.h - STDB fine-tuning of an snn module -----*- C++ -*-===//
//
// The library entry point behind `snn-run finetune` and the
// `snn-stdb-finetune` pass: builds the simulator network of a function,
// fine-tunes it on a training set (runtime/train), and writes the weights,
// thresholds and leaks back into the same ops. The function's time model is
// set to the trained number of steps.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_MLIR_BRIDGE_FINETUNEMODULE_H
#define SNN_MLIR_RUNTIME_MLIR_BRIDGE_FINETUNEMODULE_H

#include "runtime/train/FineTune.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::snnmlir {

/// `data`: "fashion-mnist" (Debian's dataset-fashion-mnist) or a folder of
/// MNIST-style IDX files; its train split is used. Errors are emitted as
/// diagnostics at the module or the offending op.
LogicalResult fineTuneModule(ModuleOp module, const std::string &data,
                             const snnrt::FineTuneOptions &options,
                             const snnrt::FineTuneCallbacks &callbacks,
                             std::vector<snnrt::EpochReport> &reports,
                             StringRef funcName = "main");

/// The same on any training samples (images or event recordings).
LogicalResult fineTuneModule(ModuleOp module, const snnrt::SampleSource &train,
                             const snnrt::FineTuneOptions &options,
                             const snnrt::FineTuneCallbacks &callbacks,
                             std::vector<snnrt::EpochReport> &reports,
                             StringRef funcName = "main");

} // namespace mlir::snnmlir

#endif // SNN_MLIR_RUNTIME_MLIR_BRIDGE_FINETUNEMODULE_H
