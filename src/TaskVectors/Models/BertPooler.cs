// BertPooler: BERT's pooler, h (B, T, W) -> p (B, W) = tanh(h[:, 0]·Wᵀ + b), with the dense layer
// named as in Hugging Face's BertPooler ("pooler.dense").
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// p = tanh(z), z = h[:, 0]·Wᵀ + b with W (W, W): the first token's hidden state through a dense layer and
/// tanh. Parameters "{name}.dense.weight" and "{name}.dense.bias".
/// <para>Backward: ∂L/∂z = ∂L/∂p ⊙ (1 − p²), then the dense layer's backward, and ∂L/∂h is that gradient
/// at token 0 and zero at every other token. Jvp: ż = ḣ[:, 0]·Wᵀ + h[:, 0]·Ẇᵀ + ḃ, ṗ = (1 − p²) ⊙ ż.</para>
/// </summary>
public sealed class BertPooler : ILayer
{
    private readonly ClsPooling _first;
    private Tensor? _output, _gradPre, _tanOutput;

    /// <summary>Creates a zero-initialized pooler of width <paramref name="width"/> named <paramref name="name"/>.</summary>
    public BertPooler(int width, string name = "pooler")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Dense = new Linear(name + ".dense", width, width);
        _first = new ClsPooling(name + ".first_token");
    }

    /// <summary>The dotted name prefix ("pooler" in Hugging Face's BertModel).</summary>
    public string Name { get; }

    /// <summary>The dense layer before tanh, "{name}.dense".</summary>
    public Linear Dense { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => Dense.Parameters;

    /// <summary>Fills W with N(0, <paramref name="std"/>²) and zeroes b.</summary>
    public void Initialize(Rng rng, float std) => Dense.Initialize(rng, std);

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var pre = Dense.Forward(_first.Forward(input));
        var y = Tensor.Ensure(ref _output, pre.Shape);
        TensorMath.Tanh(pre.Span, y.Span);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var y = _output ?? throw new InvalidOperationException($"BertPooler '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(y.Shape))
            throw new ArgumentException($"BertPooler '{Name}': output gradient {gradOutput.ShapeText} does not match the output {y.ShapeText} of the last Forward.", nameof(gradOutput));
        var gradPre = Tensor.Ensure(ref _gradPre, y.Shape);
        TanhDerivative(y.Span, gradOutput.Span, gradPre.Span);
        return _first.Backward(Dense.Backward(gradPre));
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var (first, tanFirst) = _first.Jvp(input, tanInput);
        var (pre, tanPre) = Dense.Jvp(first, tanFirst);
        var y = Tensor.Ensure(ref _output, pre.Shape);
        TensorMath.Tanh(pre.Span, y.Span);
        var ty = Tensor.Ensure(ref _tanOutput, pre.Shape);
        TanhDerivative(y.Span, tanPre.Span, ty.Span);
        return new Dual(y, ty);
    }

    // destination = v ⊙ (1 − y²): tanh'(z) = 1 − tanh(z)², read from the output so z need not be kept.
    private static void TanhDerivative(ReadOnlySpan<float> y, ReadOnlySpan<float> v, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = v[i] * (1f - y[i] * y[i]);
    }
}
