// ClsPooling: takes the first (CLS) token of every sequence, x (B, T, C) -> y (B, C). No parameters.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// y[b, :] = x[b, 0, :]. Backward: ∂L/∂x[b, 0, :] = ∂L/∂y[b, :] and zero for every other token.
/// Jvp: ẏ[b, :] = ẋ[b, 0, :]. No parameters.
/// </summary>
public sealed class ClsPooling : ILayer
{
    private Tensor? _input, _output, _gradInput, _tanOutput;

    /// <summary>Creates the layer; <paramref name="name"/> only labels error messages.</summary>
    public ClsPooling(string name = "cls_pooling") => Name = name;

    /// <summary>The layer's name (used in error messages).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var (batch, tokens, cols) = Dims(input, nameof(input));
        _input = input;
        var y = Tensor.Ensure(ref _output, batch, cols);
        PoolingKernels.ClsForward(input.Span, y.Span, batch, tokens, cols);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException($"ClsPooling '{Name}': Backward called before Forward.");
        var (batch, tokens, cols) = Dims(x, nameof(gradOutput));
        if (!gradOutput.HasShape(batch, cols))
            throw new ArgumentException($"ClsPooling '{Name}': output gradient {gradOutput.ShapeText} does not match the output [{batch}, {cols}] of the last Forward.", nameof(gradOutput));
        var gx = Tensor.Ensure(ref _gradInput, x.Shape);
        PoolingKernels.ClsBackward(gradOutput.Span, gx.Span, batch, tokens, cols);
        return gx;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var y = Forward(input);
        var (batch, tokens, cols) = Dims(input, nameof(input));
        var ty = Tensor.Ensure(ref _tanOutput, batch, cols);
        if (tanInput is null) ty.Clear();
        else
        {
            if (!tanInput.HasShape(input.Shape))
                throw new ArgumentException($"ClsPooling '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
            PoolingKernels.ClsForward(tanInput.Span, ty.Span, batch, tokens, cols);
        }
        return new Dual(y, ty);
    }

    private (int Batch, int Tokens, int Cols) Dims(Tensor input, string paramName)
    {
        ArgumentNullException.ThrowIfNull(input, paramName);
        if (input.Rank != 3 || input.Dim(1) == 0 || input.Dim(2) == 0)
            throw new ArgumentException($"ClsPooling '{Name}' expects (B, T, C) with T, C > 0; got {input.ShapeText}.", paramName);
        return (input.Dim(0), input.Dim(1), input.Dim(2));
    }
}
