//===- Passes.td - snn-mlir passes -------------------------*- tablegen -*-===//

#ifndef SNN_MLIR_PASSES_PASSES_TD
#define SNN_MLIR_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// nn-fold-batchnorm
//===----------------------------------------------------------------------===//

def NNFoldBatchNorm : Pass<"nn-fold-batchnorm"> {
  let summary = "Fold inference batch-norm and input normalisation into the "
                "neighbouring conv2d or gemm";
  let description = [{
    `nn.batch_norm(conv(x, W, b))` becomes `conv(x, W', b')` with, per output
    channel `c`, `k = scale[c] / sqrt(var[c] + epsilon)`,
    `W'[c] = k · W[c]` and `b'[c] = k · (b[c] − mean[c]) + bias[c]`; the same
    for `nn.gemm` (output column `c`; `alpha`, `beta` and a 1-D or `1×N` `C`
    are absorbed). The producer must have no other use and all weights and
    statistics must be `nn.constant`s; other batch-norms are left in place.
    Input normalisation before a convolution, `conv(div(sub(x, m), s))` with
    per-channel (or scalar) constants `m` and `s`, folds into the
    convolution: `W'[o, c] = W[o, c] / s[c]`, `b'[o] = b[o] − Σ W'[o, c, p, q]
    · m[c]`, when the convolution does not pad (or `m = 0`), since zero
    padding of the normalised image would otherwise differ at the borders.

    Spiking conversion needs this: batch-norm and input normalisation have
    no spiking form of their own, while their folds are exact.

    ```mlir
    %c = nn.conv2d %x, %w, %b {...} : ... -> tensor<?x16x28x28xf32>
    %y = nn.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0e-5 : f32}
    // becomes
    %y = nn.conv2d %x, %w_folded, %b_folded {...}
    ```
  }];
  let dependentDialects = ["::mlir::nn::NNDialect"];
}

//===----------------------------------------------------------------------===//
// convert-nn-to-snn
//===----------------------------------------------------------------------===//

def ConvertNNToSNN : Pass<"convert-nn-to-snn", "::mlir::ModuleOp"> {
  let summary = "Convert a ReLU network in nn into a rate-coded spiking network";
  let description = [{
    Rewrites every function of `nn` ops into the `snn` dialect, layer by
    layer:
    * each tensor argument is encoded (`encoding=poisson|direct`); with
      `encoding=events` it becomes event frames `N×T×C×H×W` (T =
      `timesteps`, e.g. C = 2 ON/OFF count channels) read by
      `snn.encode_events`, so that a network built for one `C×H×W` frame
      runs on event-camera data;
    * `nn.conv2d` → `snn.conv2d`, `nn.gemm`/`nn.matmul` with constant
      weights → `snn.dense` (alpha, beta and transposes folded into the
      weights; a following `nn.add` of a constant vector becomes its bias);
      biases become a constant current per step;
    * `nn.relu` (and `nn.clip` with min = 0) → `snn.if` or `snn.lif` with
      threshold `threshold` (to be set by `snn-threshold-balance`);
    * `nn.avg_pool`, `nn.global_avg_pool` → `snn.avg_pool`; `nn.max_pool` of
      spikes → the spike-gated `snn.max_pool`;
    * `nn.add` of two trains → `snn.add` (residual connections);
    * `nn.flatten` and flatten-like `nn.reshape` → `snn.flatten`;
      `nn.dropout`, `nn.identity` and zero `nn.pad` pass through;
    * returned currents become `snn.accumulate` readouts (the last layer does
      not spike), returned spikes `snn.spike_rate`; a final `nn.softmax`
      is dropped (it does not change the argmax).
    The function gets `snn.time = #snn.discrete<timesteps = T>`.

    With `encoding=ttfs` the network is a time-to-first-spike network in
    continuous time instead (`snn.time = #snn.continuous<t_max>`): inputs
    become `snn.encode_ttfs` (brighter fires earlier), ReLUs and the output
    layer `snn.ttfs_neuron` (non-leaky, step synaptic kernels, at most one
    spike), and the result `snn.first_spike` (the class is the earliest
    output spike). Max pooling stays `snn.max_pool` (in continuous time the
    earliest spike of each window passes, the max of the values the times
    encode); average pooling is refused. Weights are kept as they are: the
    network is a starting point for `snn-run train --method ttfs`. An op with
    no spiking form (a hidden softmax, leaky ReLU, a max-pool of currents, an
    unfolded batch-norm, …) is refused with an error naming the op and why.
  }];
  let options = [
    Option<"neuron", "neuron", "std::string", /*default=*/"\"if\"",
           "Neuron model: if or lif">,
    Option<"leak", "leak", "float", /*default=*/"0.99f",
           "Leak factor of lif neurons, in (0, 1]">,
    Option<"reset", "reset", "std::string", /*default=*/"\"subtract\"",
           "Reset after a spike: subtract or zero">,
    Option<"encoding", "encoding", "std::string", /*default=*/"\"poisson\"",
           "Input encoding: poisson, direct, events (event frames "
           "N×T×C×H×W), or ttfs (time-to-first-spike "
           "network in continuous time)">,
    Option<"timesteps", "timesteps", "int64_t", /*default=*/"32",
           "Number of simulation steps T">,
    Option<"seed", "seed", "int64_t", /*default=*/"0",
           "Seed of the Poisson encoder">,
    Option<"threshold", "threshold", "float", /*default=*/"1.0f",
           "Initial firing threshold of every neuron">,
    Option<"initialPotential", "initial-potential", "float",
           /*default=*/"0.0f",
           "Membrane potential at the start, as a fraction of the threshold "
           "in [0, 1) (0.5: rates round instead of truncating)">,
    Option<"tMax", "t-max", "float", /*default=*/"4.0f",
           "encoding=ttfs: end of the time window (#snn.continuous<t_max>)">,
    Option<"tau", "tau", "float", /*default=*/"1.0f",
           "encoding=ttfs: time constant of the input encoding and of the "
           "neurons' step kernels">,
  ];
  let dependentDialects = ["::mlir::snn::SNNDialect", "::mlir::nn::NNDialect"];
}

//===----------------------------------------------------------------------===//
// snn-threshold-balance
//===----------------------------------------------------------------------===//

def SNNThresholdBalance : Pass<"snn-threshold-balance", "::mlir::ModuleOp"> {
  let summary = "Set firing thresholds from calibration data";
  let description = [{
    Runs the network on `samples` training images of `data` through the
    runtime and sets every neuron layer's threshold so that spike rates
    approximate the ANN's activations.

    `method=activation` (Diehl 2015 / Rueckauer 2017): λ is the
    `percentile`-th percentile of the ANN activations of the layer (or of each
    channel with `per-channel`), computed by running the network as the ANN
    it approximates (neurons as ReLU). `method=spike` (Sengupta 2019, seed
    000): layer by layer, the spiking network is simulated for `timesteps`
    steps with the thresholds of earlier layers fixed, and λ is the
    `percentile`-th percentile of the input currents the layer receives
    (100: their maximum, as in the paper).

    Each spike of a layer stands for λ units of activation. The pass keeps
    the network equivalent to the ANN by scaling the synapses: a synapse's
    weights are multiplied by the units of its input spikes and its bias and
    weights divided by the units chosen for its output current (that of the
    other operand of a residual `snn.add`, else 1); thresholds become
    `scale · λ / (units of the input current)`. `scale` below 1 makes neurons
    fire earlier, which helps at small T.

    On a time-to-first-spike network (`#snn.continuous`, from
    `convert-nn-to-snn="encoding=ttfs"`) the thresholds are searched
    instead: scaling a layer's thresholds by c equals scaling its weights by
    1/c, so one factor per layer is chosen by coordinate ascent over the
    layers on the `samples` calibration images (factors 2^k, k = -6..6, then
    finer grids around the best), keeping the calibration accuracy highest
    and the cross-entropy of the first-spike readout lowest among equals.
    `scale` multiplies the factors found; a remark reports them and the
    calibration accuracy before and after. `method=spike`, `percentile` and
    `per-channel` do not apply.
  }];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"\"fashion-mnist\"",
           "Calibration data (train split): fashion-mnist, idx:DIR, "
           "imagefolder:DIR, cifar10:DIR, cifar100:DIR, "
           "npy:IMAGES.npy,LABELS.npy or npz:FILE">,
    Option<"resize", "resize", "int64_t", /*default=*/"0",
           "Resize calibration images so that the shorter side has N pixels "
           "(0: no resize)">,
    ListOption<"crop", "crop", "int64_t",
           "Center crop: N or H,W (default when resizing: the network's "
           "input size)">,
    ListOption<"mean", "mean", "double",
           "Per-channel mean subtracted after scaling to [0, 1]">,
    ListOption<"std", "std", "double", "Per-channel standard deviation">,
    Option<"normalize", "normalize", "std::string", /*default=*/"\"\"",
           "Named mean and std: imagenet, cifar10 or none">,
    Option<"channelOrder", "channel-order", "std::string",
           /*default=*/"\"rgb\"", "rgb or bgr">,
    Option<"samples", "samples", "int64_t", /*default=*/"512",
           "Number of calibration images">,
    Option<"method", "method", "std::string", /*default=*/"\"activation\"",
           "activation or spike">,
    Option<"percentile", "percentile", "double", /*default=*/"99.9",
           "Percentile of the activations (or currents) that sets λ">,
    Option<"scale", "scale", "double", /*default=*/"1.0",
           "Factor applied to every threshold">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"false",
           "One threshold per channel instead of per layer">,
    Option<"timesteps", "timesteps", "int64_t", /*default=*/"0",
           "Steps simulated by method=spike and by bias-correction (0: the "
           "network's T)">,
    Option<"biasCorrection", "bias-correction", "int64_t", /*default=*/"0",
           "Rounds of per-channel bias correction after balancing (0: none): "
           "layer by layer, shift each channel's bias so that the spiking "
           "network's mean firing rate on the calibration images equals its "
           "rate ANN's">,
    Option<"biasCorrectionMode", "bias-correction-mode", "std::string",
           /*default=*/"\"auto\"",
           "layerwise (one simulation of the calibration images per layer "
           "and round), joint (one per round, all layers at once) or auto "
           "(layerwise up to 12 corrected layers)">,
  ];
  let dependentDialects = ["::mlir::snn::SNNDialect", "::mlir::nn::NNDialect"];
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def SNNStdbFinetune : Pass<"snn-stdb-finetune", "::mlir::ModuleOp"> {
  let summary = "Fine-tune a converted network with STDB (hybrid training)";
  let description = [{
    Spike-timing-dependent backpropagation through time (Rathi et al.,
    ICLR 2020) on the train split of `data`, as `snn-run finetune` does
    (Adam or SGD, step schedule, surrogate α·exp(−β·Δt)): the weights and
    biases of every synapse are updated in place (the same ops, new
    constants) and the function's time model becomes `timesteps`. Thresholds
    stay as balanced. Use `snn-run finetune` for progress output,
    checkpoints and resuming; the pass suits pipelines.
  }];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"\"fashion-mnist\"",
           "'fashion-mnist' or a folder of MNIST-style IDX files (train split)">,
    Option<"timesteps", "timesteps", "int64_t", /*default=*/"0",
           "Steps to train at (0: the network's T)">,
    Option<"epochs", "epochs", "int64_t", /*default=*/"1", "Epochs">,
    Option<"batch", "batch", "int64_t", /*default=*/"64", "Mini-batch size">,
    Option<"lr", "lr", "double", /*default=*/"1e-5",
           "Learning rate (as snn-run finetune's default)">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"adam\"",
           "adam or sgd">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.0",
           "L2 weight decay">,
    Option<"limit", "limit", "int64_t", /*default=*/"0",
           "Use only the first N training images (0: all)">,
    Option<"validation", "validation", "int64_t", /*default=*/"0",
           "Training images held out for validation">,
    Option<"seed", "seed", "uint64_t", /*default=*/"0", "Seed">,
  ];
  let dependentDialects = ["::mlir::snn::SNNDialect", "::mlir::nn::NNDialect"];
}

//===----------------------------------------------------------------------===//
// snn-report
//===----------------------------------------------------------------------===//

def SNNReport : Pass<"snn-report", "::mlir::ModuleOp"> {
  let summary = "Print a per-layer summary of every spiking network";
  let description = [{
    For every function that holds `snn` ops, writes one row per layer in
    program order: the op, its train shape, the neurons it adds, the synapses
    it holds per sample (connections, not distinct weights), its parameters
    and notes (thresholds, reset, leak, seed), then the totals and the time
    model. The module is left unchanged.

    Counts are per sample: the leading (batch) dimension is excluded; a count
    that depends on another dynamic dimension prints as `?`.

    Example:
    ```
    $ snn-opt --snn-report="format=text" net.mlir -o /dev/null
    snn-report @main: discrete time, T = 32, dt = 1
      #  op              shape           neurons  synapses  params  notes
      0  encode_poisson  ?x784               784         -       -  seed=7
      1  dense           ?x100                 -     78400   78500
      2  if              ?x100               100         -       -  V_th=1, reset=subtract
      ...
    ```
    `format=json` writes the same as one JSON object (`functions`, each with
    `layers` and `totals`). The output file is written atomically.
  }];
  let options = [
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "File to write the report to ('-' for standard output)">,
    Option<"format", "format", "::mlir::snnmlir::ReportFormat",
           /*default=*/"::mlir::snnmlir::ReportFormat::Text",
           "Report format", [{::llvm::cl::values(
             clEnumValN(::mlir::snnmlir::ReportFormat::Text, "text",
                        "a table for people"),
             clEnumValN(::mlir::snnmlir::ReportFormat::Json, "json",
                        "one JSON object for machines"))}]>,
  ];
}

#endif // SNN_MLIR_PASSES_PASSES_TD
