// LinearHead: a trainable linear classification head, x (…, C) -> logits (…, K) = x·Wᵀ + b, for
// models without a cosine head. A thin wrapper over Linear with the same parameter names.
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// logits[n, k] = Σᵢ x[n, i]·W[k, i] + b[k] (a <see cref="Linear"/> layer); parameters "{name}.weight"
/// (K × C) and "{name}.bias" (K). Backward and Jvp are Linear's.
/// </summary>
public sealed class LinearHead : ILayer
{
    private readonly Linear _linear;

    /// <summary>Creates a zero-initialized head from <paramref name="features"/> inputs to <paramref name="classes"/> logits.</summary>
    public LinearHead(string name, int features, int classes, bool bias = true) => _linear = new Linear(name, features, classes, bias);

    /// <summary>The head's dotted name prefix.</summary>
    public string Name => _linear.Name;

    /// <summary>C, the input width.</summary>
    public int Features => _linear.InFeatures;

    /// <summary>K, the number of classes.</summary>
    public int Classes => _linear.OutFeatures;

    /// <summary>W, shape (K, C).</summary>
    public Parameter Weight => _linear.Weight;

    /// <summary>b, shape (K), or null without bias.</summary>
    public Parameter? Bias => _linear.Bias;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _linear.Parameters;

    /// <summary>Fills W with N(0, <paramref name="std"/>²) and b with zeros.</summary>
    public void Initialize(Rng rng, float std) => _linear.Initialize(rng, std);

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => _linear.Forward(input);

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput) => _linear.Backward(gradOutput);

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput) => _linear.Jvp(input, tanInput);
}
