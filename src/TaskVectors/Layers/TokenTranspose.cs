// TokenTranspose: swaps the last two axes, x (B, T, C) → y (B, C, T), so a Linear can mix tokens (MLP-Mixer's
// token-mixing MLP). Backward and Jvp apply the same swap.
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>y[b, c, t] = x[b, t, c]; ∂L/∂x[b, t, c] = ∂L/∂y[b, c, t]; ẏ[b, c, t] = ẋ[b, t, c].</summary>
public sealed class TokenTranspose : ILayer
{
    private Tensor? _output, _gradInput, _tanOutput;

    /// <summary>Creates the layer; <paramref name="name"/> only labels error messages.</summary>
    public TokenTranspose(string name = "token_transpose") => Name = name;

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Swap(input, ref _output);

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput) => Swap(gradOutput, ref _gradInput);

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var y = Forward(input);
        if (tanInput is not null) return new Dual(y, Swap(tanInput, ref _tanOutput));
        var zero = Tensor.Ensure(ref _tanOutput, y.Shape);
        zero.Clear();
        return new Dual(y, zero);
    }

    private Tensor Swap(Tensor x, ref Tensor? buffer)
    {
        if (x.Rank != 3) throw new ArgumentException($"TokenTranspose '{Name}' expects (B, T, C); got {x.ShapeText}.", nameof(x));
        int batch = x.Dim(0), rows = x.Dim(1), cols = x.Dim(2);
        var y = Tensor.Ensure(ref buffer, batch, cols, rows);
        var source = x.Span;
        var target = y.Span;
        for (int b = 0; b < batch; b++)
        {
            int off = b * rows * cols;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) target[off + c * rows + r] = source[off + r * cols + c];
        }
        return y;
    }
}
