//===- NNOps.td - nn dialect operations ---------------------*- tablegen -*-===//

#ifndef SNN_MLIR_DIALECT_NN_NNOPS_TD
#define SNN_MLIR_DIALECT_NN_NNOPS_TD

include "dialect/NN/NN.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>]> {
  let summary = "constant tensor (weights, biases, statistics)";
  let description = [{
    `%w = nn.constant dense<...> : tensor<32x1x3x3xf32>` yields the tensor held
    in `value`. Large weights may use `dense_resource<...>` blobs. The value's
    type must equal the result type.

    Floating-point values must be finite: a NaN or an infinity in a weight,
    bias or statistic silently ruins every result computed from it, so the
    verifier refuses it, naming the first bad element. The unit attribute
    `allow_nonfinite` keeps such a constant (e.g. a -inf mask on purpose;
    `snn-translate --import-onnx --onnx-allow-nonfinite` sets it).
  }];
  let arguments = (ins ElementsAttr:$value, UnitAttr:$allow_nonfinite);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear layers
//===----------------------------------------------------------------------===//

def NN_Conv2DOp : NN_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution (ONNX Conv)";
  let description = [{
    `y[n, m, i, j] = b[m] + Σ_{c, p, q} w[m, c, p, q] ·
      x[n, g·C/G + c, i·s0 + p·d0 − pad_top, j·s1 + q·d1 − pad_left]`
    where `g = m / (M/G)` is the group of output channel `m`.

    Shapes: input `N×C×H×W`, weight `M×(C/G)×kH×kW`, optional bias `M`,
    result `N×M×OH×OW` with `OH = ⌊(H + pad_top + pad_bottom − d0·(kH−1) − 1)
    / s0⌋ + 1` (likewise `OW`). `pads` is `[top, left, bottom, right]` as in
    ONNX; `strides` and `dilations` are `[h, w]`; `group` divides `C` and `M`.
  }];
  let arguments = (ins NN_Tensor:$input, NN_Tensor:$weight,
                       Optional<NN_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_GemmOp : NN_Op<"gemm", [Pure]> {
  let summary = "general matrix multiplication (ONNX Gemm)";
  let description = [{
    `Y = alpha · A' · B' + beta · C` where `A' = transA ? Aᵀ : A` (`M×K`),
    `B' = transB ? Bᵀ : B` (`K×N`), and the optional `C` broadcasts
    unidirectionally to `M×N`. A PyTorch `Linear` exports as
    `gemm(x, W, b) {transB = true}` with `W` of shape `out×in`.
  }];
  let arguments = (ins NN_Tensor:$a, NN_Tensor:$b, Optional<NN_Tensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$transA,
                       DefaultValuedAttr<BoolAttr, "false">:$transB);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_MatMulOp : NN_Op<"matmul", [Pure]> {
  let summary = "matrix product with NumPy semantics (ONNX MatMul)";
  let description = [{
    As `numpy.matmul`: the last two dimensions multiply (`…×M×K · …×K×N`),
    leading dimensions broadcast; a rank-1 left operand gets a leading 1 and a
    rank-1 right operand a trailing 1, removed from the result again.
  }];
  let arguments = (ins NN_Tensor:$a, NN_Tensor:$b);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$a `,` $b attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops with multidirectional broadcasting
//===----------------------------------------------------------------------===//

class NN_BinaryOp<string mnemonic, string expr> : NN_Op<mnemonic, [Pure]> {
  let summary = "elementwise " # expr # " with NumPy broadcasting";
  let description = [{
    `out = }] # expr # [{` elementwise after multidirectional broadcasting
    (ONNX since opset 7): shapes are aligned at the right; each pair of
    dimensions must be equal or one of them 1. The result has the broadcast
    shape.
  }];
  let arguments = (ins NN_Tensor:$lhs, NN_Tensor:$rhs);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_AddOp : NN_BinaryOp<"add", "lhs + rhs">;
def NN_SubOp : NN_BinaryOp<"sub", "lhs - rhs">;
def NN_MulOp : NN_BinaryOp<"mul", "lhs * rhs">;
def NN_DivOp : NN_BinaryOp<"div", "lhs / rhs">;

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType], traits)> {
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_ReluOp : NN_UnaryOp<"relu"> {
  let summary = "rectified linear unit";
  let description = "`out = max(0, in)`.";
  let arguments = (ins NN_Tensor:$input);
}

def NN_LeakyReluOp : NN_UnaryOp<"leaky_relu"> {
  let summary = "leaky rectified linear unit";
  let description = "`out = in ≥ 0 ? in : alpha · in` (ONNX default alpha 0.01).";
  let arguments = (ins NN_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def NN_ClipOp : NN_UnaryOp<"clip"> {
  let summary = "clamp to [min, max]";
  let description = [{
    `out = min(max(in, min), max)`. Both bounds are attributes; a missing
    bound is unbounded (the importer turns ONNX's input form, opset ≥ 11, into
    attributes when the bounds are constants). Requires `min ≤ max`.
  }];
  let arguments = (ins NN_Tensor:$input, OptionalAttr<F32Attr>:$min,
                       OptionalAttr<F32Attr>:$max);
  let hasVerifier = 1;
}

def NN_SoftmaxOp : NN_UnaryOp<"softmax"> {
  let summary = "softmax along one axis (ONNX opset ≥ 13 semantics)";
  let description = [{
    `out[..., i, ...] = exp(in[..., i, ...]) / Σ_j exp(in[..., j, ...])` along
    `axis` (negative counts from the end). Older opsets' coerce-to-2-D form is
    rewritten by the importer.
  }];
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let hasVerifier = 1;
}

def NN_SigmoidOp : NN_UnaryOp<"sigmoid"> {
  let summary = "logistic sigmoid";
  let description = [{
    `out = 1 / (1 + exp(-in))`. Runs in the reference executor; it has no
    spiking form (a sigmoid is not a rate-coded activation: it is positive
    at 0 and saturates), so `convert-nn-to-snn` refuses it.
  }];
  let arguments = (ins NN_Tensor:$input);
}

def NN_TanhOp : NN_UnaryOp<"tanh"> {
  let summary = "hyperbolic tangent";
  let description = "`out = tanh(in)`. No spiking form (negative outputs).";
  let arguments = (ins NN_Tensor:$input);
}

def NN_ErfOp : NN_UnaryOp<"erf"> {
  let summary = "Gauss error function";
  let description = [{
    `out = erf(in)`: exporters write GELU as `x · (1 + erf(x / √2)) / 2`
    before opset 20. No spiking form.
  }];
  let arguments = (ins NN_Tensor:$input);
}

def NN_HardSigmoidOp : NN_UnaryOp<"hard_sigmoid"> {
  let summary = "piecewise-linear sigmoid";
  let description = [{
    `out = max(0, min(1, alpha · in + beta))` (ONNX defaults alpha 0.2, beta
    0.5; PyTorch exports its Hardsigmoid with alpha 1/6). No spiking form.
  }];
  let arguments = (ins NN_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def NN_HardSwishOp : NN_UnaryOp<"hard_swish"> {
  let summary = "x · hard_sigmoid(x) with alpha 1/6, beta 1/2";
  let description = "`out = in · max(0, min(1, in / 6 + 1/2))`. No spiking form.";
  let arguments = (ins NN_Tensor:$input);
}

def NN_GeluOp : NN_UnaryOp<"gelu"> {
  let summary = "Gaussian error linear unit (ONNX Gelu, opset 20)";
  let description = [{
    `out = in · Φ(in)` with the exact normal CDF (`approximate = "none"`) or
    its tanh approximation (`"tanh"`). No spiking form.
  }];
  let arguments = (ins NN_Tensor:$input,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let hasVerifier = 1;
}

def NN_DropoutOp : NN_UnaryOp<"dropout"> {
  let summary = "dropout (identity at inference)";
  let description = [{
    Inference-mode dropout: `out = in`. `ratio` is kept for training-aware
    passes. Folds away.
  }];
  let arguments = (ins NN_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.5f">:$ratio);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NN_IdentityOp : NN_UnaryOp<"identity"> {
  let summary = "identity";
  let description = "`out = in`. Folds away.";
  let arguments = (ins NN_Tensor:$input);
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_Op<"batch_norm", [Pure]> {
  let summary = "inference batch normalisation (ONNX BatchNormalization)";
  let description = [{
    `out[n, c, ...] = scale[c] · (in[n, c, ...] − mean[c]) / sqrt(var[c] + epsilon) + bias[c]`
    with the running statistics `mean` and `var`. The input has rank ≥ 2 and
    channels in dimension 1; the four parameters are 1-D of size `C`.
  }];
  let arguments = (ins NN_Tensor:$input, NN_Tensor:$scale, NN_Tensor:$bias,
                       NN_Tensor:$mean, NN_Tensor:$variance,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def NN_AvgPoolOp : NN_Op<"avg_pool", [Pure]> {
  let summary = "2-D average pooling (ONNX AveragePool)";
  let description = [{
    `out[n, c, i, j]` is the mean of the `kH×kW` window at
    `(i·s0 − pad_top, j·s1 − pad_left)`. With `count_include_pad` the divisor
    is always `kH·kW` (padding counts as zeros); without, it is the number of
    window elements inside the input. `ceil_mode` rounds the output size up
    (a window must still start inside the input or its left padding).
    Input and result are `N×C×H×W`; `pads` is `[top, left, bottom, right]` and
    each pad must be smaller than the kernel.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_MaxPoolOp : NN_Op<"max_pool", [Pure]> {
  let summary = "2-D max pooling (ONNX MaxPool)";
  let description = [{
    `out[n, c, i, j] = max_{p, q} in[n, c, i·s0 + p·d0 − pad_top, j·s1 + q·d1 − pad_left]`
    over the window positions inside the input (padding never wins). Shapes
    and attributes as for `nn.avg_pool`, plus `dilations`.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_GlobalAvgPoolOp : NN_Op<"global_avg_pool", [Pure]> {
  let summary = "mean over all spatial positions";
  let description = [{
    `out[n, c, 0, 0] = mean_{i, j} in[n, c, i, j]`: `N×C×H×W → N×C×1×1`.
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def NN_ReduceMeanOp : NN_Op<"reduce_mean", [Pure]> {
  let summary = "mean over axes (ONNX ReduceMean)";
  let description = [{
    The mean over the dimensions in `axes` (distinct, negative counts from
    the end); `keepdims` keeps them as 1. The importer turns opset 18's axes
    input into this attribute. A mean over H and W of an N×C×H×W tensor
    canonicalizes to `nn.global_avg_pool` (and `nn.flatten` without
    `keepdims`), which converts to spiking form.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;  let hasCanonicalizer = 1;
}

def NN_SliceOp : NN_Op<"slice", [Pure]> {
  let summary = "strided slice (ONNX Slice)";
  let description = [{
    For each listed axis `axes[i]`: elements `starts[i]`, `starts[i] +
    steps[i]`, ... up to but excluding `ends[i]`, with ONNX's rules
    (negative indices count from the end, then clamp to the dimension;
    `steps` non-zero, negative walks backwards). Other axes are kept whole.
    The importer also writes ONNX Split as one slice per output.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$axes,
                       DenseI64ArrayAttr:$steps);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_FlattenOp : NN_Op<"flatten", [Pure]> {
  let summary = "flatten to 2-D (ONNX Flatten)";
  let description = [{
    Reshapes `d0×…×d(r−1)` to `(d0·…·d(axis−1)) × (d(axis)·…·d(r−1))`, with
    `0 ≤ axis ≤ r` (negative counts from the end).
  }];
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure]> {
  let summary = "reshape to a static target shape (ONNX Reshape)";
  let description = [{
    Reinterprets the elements in row-major order with the dimensions in
    `shape`. As in ONNX (allowzero = 0), an entry 0 copies the input's
    dimension at that index and at most one entry -1 is inferred from the
    element count. The importer folds the exporters' Shape→Gather→Concat
    chains into this attribute.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NN_TransposeOp : NN_Op<"transpose", [Pure]> {
  let summary = "permute dimensions (ONNX Transpose)";
  let description = "`out` dimension `i` is `in` dimension `perm[i]`.";
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_ConcatOp : NN_Op<"concat", [Pure]> {
  let summary = "concatenate along an axis (ONNX Concat)";
  let description = [{
    All inputs have the same rank and agree in every dimension but `axis`
    (negative counts from the end); the result's `axis` dimension is the sum.
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_PadOp : NN_Op<"pad", [Pure]> {
  let summary = "constant padding (ONNX Pad, mode constant)";
  let description = [{
    `pads` holds `2·rank` entries: all begins, then all ends (ONNX order).
    Negative entries crop. New elements take `value`. All-zero padding
    folds away (PyTorch exports average pooling with such a Pad).
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // SNN_MLIR_DIALECT_NN_NNOPS_TD
