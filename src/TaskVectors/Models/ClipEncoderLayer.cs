// ClipEncoderLayer: one pre-LayerNorm transformer block of the CLIP vision tower, (B,T,C) → (B,T,C):
//   x1 = x + attn(LN1(x));  y = x1 + fc2(QuickGELU(fc1(LN2(x1))))
// with Hugging Face's names "{prefix}.layer_norm1", "{prefix}.self_attn.*", "{prefix}.layer_norm2",
// "{prefix}.mlp.fc1", "{prefix}.mlp.fc2".
using TaskVectors.Layers;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// A CLIP encoder block: x₁ = x + MHSA(LN₁(x)), y = x₁ + W₂·QuickGELU(W₁·LN₂(x₁) + b₁) + b₂.
/// </summary>
public sealed class ClipEncoderLayer : ILayer, IModule
{
    private readonly ResidualAdd _residual1 = new("residual1");
    private readonly ResidualAdd _residual2 = new("residual2");
    private Tensor? _gradMid, _gradInput;

    /// <summary>Creates a zero-initialized block named <paramref name="prefix"/> (e.g. "vision_model.encoder.layers.0").</summary>
    public ClipEncoderLayer(string prefix, int width, int heads, int mlpWidth, float layerNormEps = 1e-5f)
    {
        Name = prefix;
        var root = new ModuleScope();
        var scope = root.Push(prefix);
        LayerNorm1 = scope.Add("layer_norm1", n => new LayerNorm(n, width, layerNormEps));
        Attention = new MultiHeadSelfAttention(AttentionNames.Clip(scope.NameOf("self_attn")), width, heads);
        foreach (var projection in (Linear[])[Attention.Query, Attention.Key, Attention.Value, Attention.Output]) scope.Add(projection);
        LayerNorm2 = scope.Add("layer_norm2", n => new LayerNorm(n, width, layerNormEps));
        var mlp = scope.Push("mlp");
        Fc1 = mlp.Add("fc1", n => new Linear(n, width, mlpWidth));
        Activation = new QuickGelu(mlp.NameOf("activation_fn"));
        Fc2 = mlp.Add("fc2", n => new Linear(n, mlpWidth, width));
        Registration = root.Build();
    }

    /// <summary>The block's dotted prefix.</summary>
    public string Name { get; }

    /// <summary>LN₁, before attention.</summary>
    public LayerNorm LayerNorm1 { get; }

    /// <summary>Multi-head self-attention with q/k/v/out projections.</summary>
    public MultiHeadSelfAttention Attention { get; }

    /// <summary>LN₂, before the MLP.</summary>
    public LayerNorm LayerNorm2 { get; }

    /// <summary>MLP input projection W₁ (width → mlpWidth).</summary>
    public Linear Fc1 { get; }

    /// <summary>QuickGELU, x·σ(1.702x).</summary>
    public QuickGelu Activation { get; }

    /// <summary>MLP output projection W₂ (mlpWidth → width).</summary>
    public Linear Fc2 { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    /// <inheritdoc />
    public ModelRegistration Registration { get; }

    /// <summary>Initializes like Hugging Face: Linear weights N(0, std²), biases 0, LayerNorm γ = 1, β = 0.</summary>
    public void Initialize(Rng rng, float std)
    {
        Attention.Initialize(rng, std);
        Fc1.Initialize(rng, std);
        Fc2.Initialize(rng, std);
        foreach (var ln in new[] { LayerNorm1, LayerNorm2 })
        {
            ln.Weight.Value.Fill(1f);
            ln.Bias.Value.Clear();
        }
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var mid = _residual1.Forward(input, Attention.Forward(LayerNorm1.Forward(input)));
        var mlp = Fc2.Forward(Activation.Forward(Fc1.Forward(LayerNorm2.Forward(mid))));
        return _residual2.Forward(mid, mlp);
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        // y = x₁ + mlp(x₁): ∂L/∂x₁ = g + mlpᵀ(g)
        var branch = LayerNorm2.Backward(Fc1.Backward(Activation.Backward(Fc2.Backward(gradOutput))));
        var gradMid = Tensor.Ensure(ref _gradMid, gradOutput.Shape);
        ElementwiseDriver.Add(gradOutput.Span, branch.Span, gradMid.Span);
        // x₁ = x + attn(x): ∂L/∂x = ∂L/∂x₁ + attnᵀ(∂L/∂x₁)
        branch = LayerNorm1.Backward(Attention.Backward(gradMid));
        var gradInput = Tensor.Ensure(ref _gradInput, gradOutput.Shape);
        ElementwiseDriver.Add(gradMid.Span, branch.Span, gradInput.Span);
        return gradInput;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var ln1 = LayerNorm1.Jvp(input, tanInput);
        var attn = Attention.Jvp(ln1.Primal, ln1.Tangent);
        var mid = _residual1.Jvp(input, tanInput, attn.Primal, attn.Tangent);
        var ln2 = LayerNorm2.Jvp(mid.Primal, mid.Tangent);
        var fc1 = Fc1.Jvp(ln2.Primal, ln2.Tangent);
        var act = Activation.Jvp(fc1.Primal, fc1.Tangent);
        var fc2 = Fc2.Jvp(act.Primal, act.Tangent);
        return _residual2.Jvp(mid.Primal, mid.Tangent, fc2.Primal, fc2.Tangent);
    }
}
