// Residual: a residual block y = x + f_n(… f_1(x)), shapes x, y (…, C); the inner layers must keep the shape.
// Backward and Jvp add the skip path into the block's own buffers, never into a tensor an inner layer holds.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// y = x + F(x) with F = f_n ∘ … ∘ f_1. Backward: ∂L/∂x = ∂L/∂y + Fᵀ(∂L/∂y). Jvp: ẏ = ẋ + F'(ẋ) (ẋ = 0 when null).
/// </summary>
public sealed class Residual : ILayer, ILayerContainer
{
    private readonly ILayer[] _layers;
    private readonly Parameter[] _parameters;
    private Tensor? _output, _gradInput, _tanOutput;

    /// <summary>Creates the block over <paramref name="layers"/> (at least one), applied in order.</summary>
    public Residual(params ILayer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("A residual block needs at least one layer.", nameof(layers));
        _layers = [.. layers];
        _parameters = [.. layers.SelectMany(l => l.Parameters)];
    }

    /// <inheritdoc />
    public IReadOnlyList<IParameterized> Children => _layers;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var h = input;
        foreach (var layer in _layers) h = layer.Forward(h);
        return Sum(input, h, ref _output, "output");
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        var g = gradOutput;
        for (int i = _layers.Length - 1; i >= 0; i--) g = _layers[i].Backward(g);
        return Sum(gradOutput, g, ref _gradInput, "input gradient");
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var d = _layers[0].Jvp(input, tanInput);
        for (int i = 1; i < _layers.Length; i++) d = _layers[i].Jvp(d.Primal, d.Tangent);
        var y = Sum(input, d.Primal, ref _output, "output");
        if (tanInput is null) return new Dual(y, d.Tangent);
        return new Dual(y, Sum(tanInput, d.Tangent, ref _tanOutput, "output tangent"));
    }

    private static Tensor Sum(Tensor skip, Tensor branch, ref Tensor? buffer, string what)
    {
        if (!branch.HasShape(skip.Shape))
            throw new InvalidOperationException($"Residual block: the inner layers changed the {what} shape from {skip.ShapeText} to {branch.ShapeText}.");
        var y = Tensor.Ensure(ref buffer, skip.Shape);
        ElementwiseDriver.Add(skip.Span, branch.Span, y.Span);
        return y;
    }
}
