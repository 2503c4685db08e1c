// MeanPooling: the mean over tokens of every sequence, x (B, T, C) and an optional 0/1 mask (B, T)
// -> y (B, C), averaging only unmasked tokens. No parameters.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// y[b, :] = Σₜ m[b,t]·x[b, t, :] / max(Σₜ m[b,t], 10⁻⁹), with m the attention mask (B, T) of 1 (token)
/// and 0 (padding), or all ones without a mask (a plain mean over T). A sequence whose tokens are all
/// masked pools to zero (the sentence-transformers clamp); masked tokens are skipped, not multiplied,
/// so padding holding NaN cannot leak in. Backward: ∂L/∂x[b, t, :] = m[b,t]·∂L/∂y[b, :] / Σₜ m[b,t].
/// Jvp: ẏ is the same masked mean of ẋ. The mask of the last Forward/Jvp is kept by reference until Backward.
/// </summary>
public sealed class MeanPooling : ILayer
{
    private Tensor? _input, _mask, _weights, _output, _gradInput, _tanOutput;

    /// <summary>Creates the layer; <paramref name="name"/> only labels error messages.</summary>
    public MeanPooling(string name = "mean_pooling") => Name = name;

    /// <summary>The layer's name (used in error messages).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>The masked mean over tokens; <paramref name="mask"/> is (B, T) of 1/0 or null for all tokens.</summary>
    public Tensor Forward(Tensor input, Tensor? mask)
    {
        var (batch, tokens, cols) = Dims(input, nameof(input));
        if (mask is not null && !mask.HasShape(batch, tokens))
            throw new ArgumentException($"MeanPooling '{Name}': mask {mask.ShapeText} does not match input {input.ShapeText}; expected [{batch}, {tokens}].", nameof(mask));
        _input = input;
        _mask = mask;
        var weights = Tensor.Ensure(ref _weights, batch);
        PoolingKernels.MeanWeights(MaskSpan, weights.Span, batch, tokens);
        var y = Tensor.Ensure(ref _output, batch, cols);
        PoolingKernels.MeanForward(input.Span, MaskSpan, weights.Span, y.Span, batch, tokens, cols);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException($"MeanPooling '{Name}': Backward called before Forward.");
        var (batch, tokens, cols) = Dims(x, nameof(gradOutput));
        if (!gradOutput.HasShape(batch, cols))
            throw new ArgumentException($"MeanPooling '{Name}': output gradient {gradOutput.ShapeText} does not match the output [{batch}, {cols}] of the last Forward.", nameof(gradOutput));
        var gx = Tensor.Ensure(ref _gradInput, x.Shape);
        PoolingKernels.MeanBackward(gradOutput.Span, MaskSpan, _weights!.Span, gx.Span, batch, tokens, cols);
        return gx;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput) => Jvp(input, tanInput, null);

    /// <summary>Forward with <paramref name="mask"/> plus ẏ, the same masked mean of <paramref name="tanInput"/> (null for zero).</summary>
    public Dual Jvp(Tensor input, Tensor? tanInput, Tensor? mask)
    {
        if (tanInput is not null && !tanInput.HasShape(input.Shape))
            throw new ArgumentException($"MeanPooling '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
        var y = Forward(input, mask);
        var (batch, tokens, cols) = Dims(input, nameof(input));
        var ty = Tensor.Ensure(ref _tanOutput, batch, cols);
        if (tanInput is null) ty.Clear();
        else PoolingKernels.MeanForward(tanInput.Span, MaskSpan, _weights!.Span, ty.Span, batch, tokens, cols);
        return new Dual(y, ty);
    }

    private ReadOnlySpan<float> MaskSpan => _mask is null ? default : _mask.Span;

    private (int Batch, int Tokens, int Cols) Dims(Tensor input, string paramName)
    {
        ArgumentNullException.ThrowIfNull(input, paramName);
        if (input.Rank != 3 || input.Dim(1) == 0 || input.Dim(2) == 0)
            throw new ArgumentException($"MeanPooling '{Name}' expects (B, T, C) with T, C > 0; got {input.ShapeText}.", paramName);
        return (input.Dim(0), input.Dim(1), input.Dim(2));
    }
}
