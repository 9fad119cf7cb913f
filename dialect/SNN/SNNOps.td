//===- SNNOps.td - snn dialect operations ------------------*- tablegen -*-===//

#ifndef SNN_MLIR_DIALECT_SNN_SNNOPS_TD
#define SNN_MLIR_DIALECT_SNN_SNNOPS_TD

include "dialect/SNN/SNN.td"
include "dialect/SNN/SNNAttrs.td"
include "dialect/SNN/SNNTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Encoders: tensor -> train
//===----------------------------------------------------------------------===//

class SNN_EncoderOp<string mnemonic, Type resultType>
    : SNN_Op<mnemonic, [Pure]> {
  let results = (outs resultType:$output);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_EncodePoissonOp : SNN_EncoderOp<"encode_poisson", SNN_SpikesType> {
  let summary = "Poisson rate encoding (discrete time)";
  let description = [{
    At every step `t` each input value `x` (expected in `[-1, 1]` after
    `scale`) emits a spike of value `sign(x)` with probability
    `min(1, |scale · x|)`:
    `s[t] = sign(x) · 1[r(seed, t, i) < |scale · x|]`, with `r` uniform in
    `[0, 1)` from a counter-based generator keyed by `seed`, the step and the
    element's row-major index `i` within its sample, so spikes do not depend
    on batching or threading:
    `r = (h >> 40) · 2^−24`, `h = mix(seed ^ mix(t ^ mix(i)))` with `mix` the
    SplitMix64 finaliser (the CPU backend generates the same arithmetic).
    Requires the discrete time model.
  }];
  let arguments = (ins SNN_Tensor:$input, I64Attr:$seed,
                       DefaultValuedAttr<F32Attr, "1.0f">:$scale);
}

def SNN_EncodeDirectOp : SNN_EncoderOp<"encode_direct", SNN_CurrentType> {
  let summary = "direct (analog) encoding";
  let description = [{
    The input tensor itself is the current at every step: `i[t] = x` for
    `t = 0 … T−1`. The first synapse layer then sees the analog image.
  }];
  let arguments = (ins SNN_Tensor:$input);
}

def SNN_EncodeTTFSOp : SNN_EncoderOp<"encode_ttfs", SNN_SpikesType> {
  let summary = "time-to-first-spike encoding (continuous time)";
  let description = [{
    Each input value `x` in `[0, 1]` fires once at `t = tau · (1 − x)`:
    brighter inputs fire earlier; `x ≤ 0` never fires and values above 1
    fire at 0. Requires the continuous time model.
  }];
  let arguments = (ins SNN_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "1.0f">:$tau);
}

def SNN_EncodeEventsOp : SNN_EncoderOp<"encode_events", SNN_SpikesType> {
  let summary = "event-camera input binned into frames (discrete time)";
  let description = [{
    The input holds event counts binned into `T` frames,
    `N×T×C×H×W` (C = 2 for ON/OFF polarity); step `t` delivers frame `t`:
    `s[t][n, c, y, x] = frames[n, t, c, y, x]` (counts may exceed 1). `T`
    must equal the function's `timesteps` when both are known. Requires the
    discrete time model.
  }];
  let arguments = (ins SNN_Tensor:$input);
}

//===----------------------------------------------------------------------===//
// Synapses: train -> current
//===----------------------------------------------------------------------===//

def SNN_DenseOp : SNN_Op<"dense", [Pure]> {
  let summary = "fully connected synapses";
  let description = [{
    `i[t][n, m] = Σ_k w[m, k] · x[t][n, k] + b[m]` at every step (the bias is
    a constant current per step; in continuous time, a constant current from
    t = 0, i.e. a spike at t = 0 of weight `b[m]`). Input `N×K` train, weight
    `M×K` (PyTorch
    `Linear` layout), optional bias `M`, result `N×M` current.
  }];
  let arguments = (ins SNN_Train:$input, SNN_Tensor:$weight,
                       Optional<SNN_Tensor>:$bias);
  let results = (outs SNN_CurrentType:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` qualified(type($input)) `,`
    type($weight) (`,` type($bias)^)? `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_Conv2DOp : SNN_Op<"conv2d", [Pure]> {
  let summary = "convolutional synapses";
  let description = [{
    At every step, the ONNX convolution of the input train's step tensor
    (`N×C×H×W`) with `weight` (`M×C/group×kH×kW`) plus the optional bias
    `M` as a constant current:
    `i[t][n, m, y, x] = b[m] + Σ_{c, p, q} w[m, c, p, q] ·
      x[t][n, g·C/G + c, y·s0 + p·d0 − pad_top, x·s1 + q·d1 − pad_left]`.
    `pads` is `[top, left, bottom, right]`.
  }];
  let arguments = (ins SNN_Train:$input, SNN_Tensor:$weight,
                       Optional<SNN_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs SNN_CurrentType:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` qualified(type($input)) `,`
    type($weight) (`,` type($bias)^)? `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_AvgPoolOp : SNN_Op<"avg_pool", [Pure]> {
  let summary = "average-pooling synapses";
  let description = [{
    At every step, `i[t][n, c, y, x]` is the mean of the `kH×kW` window of the
    input step tensor at `(y·s0 − pad_top, x·s1 − pad_left)`; the divisor is
    `kH·kW` with `count_include_pad`, else the number of window elements
    inside the input; `ceil_mode` rounds the output size up as in ONNX.
    Equivalent to synapses of weight `1/(kH·kW)`; the
    output is a current because pooled spikes are not binary.
  }];
  let arguments = (ins SNN_Train:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs SNN_CurrentType:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_MaxPoolOp : SNN_Op<"max_pool", [Pure]> {
  let summary = "spike-gated max pooling";
  let description = [{
    The spiking form of max pooling: each output neuron forwards, at step
    `t`, the spike of the input in its window with the largest spike count
    over steps `0 … t−1`; ties go to an input that spikes at `t`, then to
    the first in row-major order (so at `t = 0` the first input that
    spikes). Its rate tends to the largest input rate, as the ANN's max
    does. In continuous time (a TTFS network, `#snn.continuous`) each
    output passes the earliest spike of its window: the max of the values
    the spike times encode. Input and output are spike trains `N×C×H×W`;
    window attributes as for `snn.avg_pool`.
  }];
  let arguments = (ins SNN_SpikesType:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs SNN_SpikesType:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_AddOp : SNN_Op<"add", [Pure]> {
  let summary = "sum of two trains (residual connection)";
  let description = [{
    `i[t] = a[t] + b[t]` elementwise, for instance the current of a residual
    branch plus the spikes of its shortcut. Both operands have the same shape
    (no broadcasting); the result is a current of that shape.
  }];
  let arguments = (ins SNN_Train:$lhs, SNN_Train:$rhs);
  let results = (outs SNN_CurrentType:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` qualified(type($lhs)) `,` qualified(type($rhs))
    `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_ConcatOp : SNN_Op<"concat", [Pure]> {
  let summary = "join trains along an axis (DenseNet, Inception, Fire)";
  let description = [{
    At every step, the step tensors of the inputs joined along `axis`
    (negative counts from the end; channels, dimension 1, in the CNNs that
    need it): a neuron of the result is the neuron of one input, so spikes
    stay spikes. Inputs agree in every dimension but `axis`. The result is
    spikes when every input is spikes, else a current (DenseNet joins conv
    outputs with pooled spikes: a spike is one unit of current, and
    threshold balancing keeps per-channel units).
  }];
  let arguments = (ins Variadic<SNN_Train>:$inputs, I64Attr:$axis);
  let results = (outs SNN_Train:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` qualified(type($inputs)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_GatherChannelsOp : SNN_Op<"gather_channels", [Pure]> {
  let summary = "pick and reorder channels (slices, chunks, channel shuffle)";
  let description = [{
    At every step, channel `j` (dimension 1) of the result is channel
    `indices[j]` of the input: a slice or chunk along the channels, or the
    permutation of a channel shuffle (ShuffleNet's reshape–transpose–
    reshape). Spikes stay spikes. Indices lie in [0, C); the result has
    `size(indices)` channels and the input's other dimensions.
  }];
  let arguments = (ins SNN_Train:$input, DenseI64ArrayAttr:$indices);
  let results = (outs SNN_Train:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_FlattenOp : SNN_Op<"flatten", [Pure]> {
  let summary = "flatten each step of a train to 2-D";
  let description = [{
    Reshapes every step tensor `d0×…×d(r−1)` to
    `(d0·…·d(axis−1)) × (d(axis)·…·d(r−1))` (ONNX Flatten). The kind of
    train (spikes or current) is kept.
  }];
  let arguments = (ins SNN_Train:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs SNN_Train:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Neurons: current -> spikes
//===----------------------------------------------------------------------===//

class SNN_NeuronOp<string mnemonic> : SNN_Op<mnemonic, [Pure]> {
  let results = (outs SNN_SpikesType:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def SNN_IFOp : SNN_NeuronOp<"if"> {
  let summary = "integrate-and-fire neurons (discrete time)";
  let description = [{
    Per neuron, with `V_th` the neuron's threshold and `v0` its
    `initial_potential` (a fraction of the threshold, default 0):
    ```
    u[t] = u[t−1] + i[t]                  (u[−1] = v0·V_th)
    s[t] = 1[u[t] ≥ V_th]
    u[t] ← u[t] − V_th·s[t]               (reset = subtract)
    u[t] ← u[t]·(1 − s[t])                (reset = zero)
    ```
    A neuron that fired does not integrate for the next `refractory` steps.
    `threshold` holds one value for the whole layer or one per channel
    (dimension 1); every value is positive. `initial_potential` is in
    [0, 1): 0.5 turns the rate code's floor(a·T/V_th) into a rounding,
    halving the worst quantisation error of a converted activation (Bu et
    al. 2022). Requires discrete time.
  }];
  let arguments = (ins SNN_CurrentType:$input, DenseF32ArrayAttr:$threshold,
                       DefaultValuedAttr<SNN_ResetAttr,
                                         "::mlir::snn::ResetMode::Subtract">:$reset,
                       DefaultValuedAttr<I64Attr, "0">:$refractory,
                       DefaultValuedAttr<F32Attr, "0.0f">:$initial_potential);
}

def SNN_LIFOp : SNN_NeuronOp<"lif"> {
  let summary = "leaky integrate-and-fire neurons (discrete time)";
  let description = [{
    As `snn.if`, with the potential decaying by `leak` (λ in (0, 1]) each step:
    `u[t] = λ · u[t−1] + i[t]`, then spike and reset as for `snn.if`,
    from the same `u[−1] = initial_potential·V_th`. λ = 1 is the IF neuron.
  }];
  let arguments = (ins SNN_CurrentType:$input, DenseF32ArrayAttr:$threshold,
                       F32Attr:$leak,
                       DefaultValuedAttr<SNN_ResetAttr,
                                         "::mlir::snn::ResetMode::Subtract">:$reset,
                       DefaultValuedAttr<I64Attr, "0">:$refractory,
                       DefaultValuedAttr<F32Attr, "0.0f">:$initial_potential);
}

def SNN_TTFSNeuronOp : SNN_NeuronOp<"ttfs_neuron"> {
  let summary = "time-to-first-spike neurons that fire at most once";
  let description = [{
    Non-leaky integrate-and-fire with step synaptic kernels (continuous time):
    ```
    v_i(t) = Σ_j w_ij · (t − t_j) / tau · 1[t > t_j]
    t_i    = min { t ≤ t_max : v_i(t) = V_th }
    ```
    where `w_ij` and `t_j` are the weights and times of the input spikes
    delivered by the current. With `C` the inputs that arrived before `t_i`,
    `t_i = (tau · V_th + Σ_{j∈C} w_ij · t_j) / Σ_{j∈C} w_ij`. A neuron fires
    at most once and never when `V_th` is not reached by `t_max`. Requires
    the continuous time model.
  }];
  let arguments = (ins SNN_CurrentType:$input, DenseF32ArrayAttr:$threshold,
                       DefaultValuedAttr<F32Attr, "1.0f">:$tau);
}

//===----------------------------------------------------------------------===//
// Readouts: train -> tensor
//===----------------------------------------------------------------------===//

class SNN_ReadoutOp<string mnemonic, Type inputType> : SNN_Op<mnemonic, [Pure]> {
  let arguments = (ins inputType:$input);
  let results = (outs SNN_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` type($output)
  }];
  let hasVerifier = 1;
}

def SNN_AccumulateOp : SNN_ReadoutOp<"accumulate", SNN_CurrentType> {
  let summary = "non-spiking readout: the accumulated membrane potential";
  let description = [{
    `out = Σ_{t=0}^{T−1} i[t]`: a neuron without leak, threshold or reset
    that integrates its input current over the whole run (in continuous time,
    the integral over `[0, t_max]`). The class is `argmax(out)`.
  }];
}

def SNN_SpikeRateOp : SNN_ReadoutOp<"spike_rate", SNN_SpikesType> {
  let summary = "mean spike rate over the run (discrete time)";
  let description = [{
    `out = (1/T) · Σ_{t=0}^{T−1} s[t]`. Requires discrete time.
  }];
}

def SNN_FirstSpikeOp : SNN_ReadoutOp<"first_spike", SNN_SpikesType> {
  let summary = "time of each neuron's first spike";
  let description = [{
    `out = min { t : s(t) ≠ 0 }`, in time units (`t · dt` in discrete time),
    or `+inf` for a neuron that never fires. The class is `argmin(out)`.
  }];
}

#endif // SNN_MLIR_DIALECT_SNN_SNNOPS_TD
