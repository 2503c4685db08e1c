// ResidualAdd: the skip connection y = a + b of two same-shaped tensors, a (…), b (…) -> y (…).
// Two inputs, so not an ILayer; no parameters.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// y = a + b element-wise. Backward: ∂L/∂a = ∂L/∂b = ∂L/∂y, so <see cref="Backward"/> returns the output
/// gradient tensor itself, which serves as the gradient of both inputs (callers that add other
/// contributions to one of them must copy it first). Jvp: ẏ = ȧ + ḃ.
/// </summary>
public sealed class ResidualAdd : IParameterized
{
    private Tensor? _output, _tanOutput;

    /// <summary>Creates the layer; <paramref name="name"/> only labels error messages.</summary>
    public ResidualAdd(string name = "residual") => Name = name;

    /// <summary>The layer's name (used in error messages).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Returns y = a + b (a workspace owned by the layer).</summary>
    public Tensor Forward(Tensor a, Tensor b)
    {
        CheckInputs(a, b);
        var y = Tensor.Ensure(ref _output, a.Shape);
        ElementwiseDriver.Add(a.Span, b.Span, y.Span);
        return y;
    }

    /// <summary>
    /// Returns ∂L/∂a = ∂L/∂b, which is <paramref name="gradOutput"/> itself (not a copy): one tensor for both inputs.
    /// </summary>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var y = _output ?? throw new InvalidOperationException($"ResidualAdd '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(y.Shape))
            throw new ArgumentException($"ResidualAdd '{Name}': output gradient {gradOutput.ShapeText} does not match the output {y.ShapeText} of the last Forward.", nameof(gradOutput));
        return gradOutput;
    }

    /// <summary>Returns y = a + b and ẏ = ȧ + ḃ; a null tangent is zero.</summary>
    public Dual Jvp(Tensor a, Tensor? tanA, Tensor b, Tensor? tanB)
    {
        var y = Forward(a, b);
        CheckTangent(tanA, a, nameof(tanA));
        CheckTangent(tanB, b, nameof(tanB));
        var ty = Tensor.Ensure(ref _tanOutput, a.Shape);
        if (tanA is not null && tanB is not null) ElementwiseDriver.Add(tanA.Span, tanB.Span, ty.Span);
        else if (tanA is not null) tanA.Span.CopyTo(ty.Span);
        else if (tanB is not null) tanB.Span.CopyTo(ty.Span);
        else ty.Clear();
        return new Dual(y, ty);
    }

    private void CheckInputs(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.HasShape(b.Shape))
            throw new ArgumentException($"ResidualAdd '{Name}': inputs {a.ShapeText} and {b.ShapeText} differ in shape.", nameof(b));
    }

    private void CheckTangent(Tensor? tangent, Tensor input, string name)
    {
        if (tangent is not null && !tangent.HasShape(input.Shape))
            throw new ArgumentException($"ResidualAdd '{Name}': tangent {tangent.ShapeText} does not match input {input.ShapeText}.", name);
    }
}
