// QuickGelu: CLIP's activation x·σ(1.702x), element-wise, x (…) -> y (…) of the same shape.
// No parameters.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// QuickGELU (OpenAI CLIP, Hugging Face "quick_gelu"): y = x·σ(1.702x), element-wise, with the exact
/// derivative y' = σ(1.702x) + 1.702x·σ(1.702x)(1 − σ(1.702x)) in Backward and Jvp. No parameters.
/// </summary>
public sealed class QuickGelu : ILayer
{
    private readonly ActivationCore _core;

    /// <summary>Creates the activation; <paramref name="name"/> only labels error messages.</summary>
    public QuickGelu(string name = "quick_gelu")
    {
        Name = name;
        _core = new ActivationCore(ActivationFunction.QuickGelu, $"QuickGelu '{name}'");
    }

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
