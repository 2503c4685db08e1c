// Gelu: the GELU activation, element-wise, x (…) -> y (…) of the same shape; exact (erf) or tanh form.
// No parameters.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// GELU, element-wise. <see cref="GeluApproximation.None"/>: y = x·Φ(x) with Φ(x) = ½·erfc(−x/√2) and
/// y' = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π) (erfc from <see cref="ErrorFunction"/>, relative error
/// below 2·10⁻⁷). <see cref="GeluApproximation.Tanh"/>: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³),
/// evaluated as x·σ(2u), and y' = σ(2u) + x·σ(2u)(1 − σ(2u))·√(8/π)(1 + 0.134145x²).
/// Backward and Jvp use these exact derivatives; the layer has no parameters.
/// </summary>
public sealed class Gelu : ILayer
{
    private readonly ActivationCore _core;

    /// <summary>Creates a GELU of the given form; <paramref name="name"/> only labels error messages.</summary>
    public Gelu(GeluApproximation approximation = GeluApproximation.None, string name = "gelu")
    {
        if (!Enum.IsDefined(approximation))
            throw new ArgumentOutOfRangeException(nameof(approximation), approximation, "Unknown GELU approximation.");
        Approximation = approximation;
        Name = name;
        _core = new ActivationCore(approximation == GeluApproximation.None ? ActivationFunction.GeluErf : ActivationFunction.GeluTanh, $"Gelu '{name}'");
    }

    /// <summary>The GELU form.</summary>
    public GeluApproximation Approximation { get; }

    /// <summary>The layer's name (used in error messages).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => _core.Forward(input);

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput) => _core.Backward(gradOutput);

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput) => _core.Jvp(input, tanInput);
}
