// BertLayer: one post-LayerNorm BERT encoder block, x (B, T, W) and a key padding mask (B, T) -> y (B, T, W):
// h = LN1(x + dropout(attn(x, mask))), y = LN2(h + dropout(dense2(gelu(dense1(h))))), with the
// Hugging Face BertLayer names ("encoder.layer.{i}.attention.self.query", …, "output.LayerNorm").
using TaskVectors.Layers;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// A BERT encoder block (post-LN, exact-erf GELU):
/// a = attn(x, m), h = LN₁(x + dropout(a)), u = GELU(h·W₁ᵀ + b₁), y = LN₂(h + dropout(u·W₂ᵀ + b₂)),
/// with W₁ (M, W) and W₂ (W, M). Parameters under the prefix: "attention.self.{query,key,value}",
/// "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense",
/// "output.LayerNorm" (each ".weight" and ".bias"), in that order.
/// <para>Backward: the residual branches add, so ∂L/∂h = ∂L/∂s₂ + dense₁ᵀ-path(∂L/∂s₂) and
/// ∂L/∂x = ∂L/∂s₁ + attnᵀ(∂L/∂s₁), with s₁, s₂ the LayerNorm inputs. Jvp: the same composition in
/// forward mode, each sub-layer taking its parameter tangents.</para>
/// <para>Hugging Face also drops attention probabilities (attention_probs_dropout_prob) in training;
/// <see cref="MultiHeadSelfAttention"/> has no such dropout, so in training mode only the two hidden
/// dropouts are applied. Evaluation is unaffected.</para>
/// </summary>
public sealed class BertLayer : ILayer, IModule
{
    private readonly Linear[] _linears;
    private readonly ResidualAdd _attentionResidual, _outputResidual;
    private Tensor? _gradHidden, _gradInput;
    private bool _hasForward;

    /// <summary>
    /// Creates a zero-initialized block named <paramref name="name"/> (e.g. "encoder.layer.0") of width
    /// <paramref name="width"/>, <paramref name="heads"/> heads and MLP width <paramref name="mlpWidth"/>;
    /// LayerNorms use <paramref name="eps"/>, hidden dropouts probability <paramref name="dropout"/> with
    /// masks seeded by <paramref name="dropoutSeed"/> (the output dropout uses the seed + 1).
    /// </summary>
    public BertLayer(string name, int width, int heads, int mlpWidth, float eps = 1e-12f, float dropout = 0.1f, ulong dropoutSeed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mlpWidth);
        Name = name;
        Width = width;
        MlpWidth = mlpWidth;
        var root = new ModuleScope();
        var scope = root.Push(name);
        var attention = scope.Push("attention");
        Attention = new MultiHeadSelfAttention(AttentionNames.Bert(attention.Prefix), width, heads);
        foreach (var projection in (Linear[])[Attention.Query, Attention.Key, Attention.Value, Attention.Output]) scope.Add(projection);
        AttentionDropout = new Dropout(dropout, dropoutSeed, attention.NameOf("output.dropout"));
        AttentionNorm = attention.Add("output.LayerNorm", n => new LayerNorm(n, width, eps));
        Intermediate = scope.Add("intermediate.dense", n => new Linear(n, width, mlpWidth));
        Activation = new Gelu(GeluApproximation.None, scope.NameOf("intermediate.intermediate_act_fn"));
        Output = scope.Add("output.dense", n => new Linear(n, mlpWidth, width));
        OutputDropout = new Dropout(dropout, unchecked(dropoutSeed + 1), scope.NameOf("output.dropout"));
        OutputNorm = scope.Add("output.LayerNorm", n => new LayerNorm(n, width, eps));
        _attentionResidual = new ResidualAdd(attention.NameOf("residual"));
        _outputResidual = new ResidualAdd(scope.NameOf("output.residual"));
        Registration = root.Build();
        _linears = [.. Registration.KfacLayers.Cast<Linear>()];
    }

    /// <summary>The block's dotted prefix, e.g. "encoder.layer.0".</summary>
    public string Name { get; }

    /// <summary>W, the residual width.</summary>
    public int Width { get; }

    /// <summary>M, the MLP hidden width.</summary>
    public int MlpWidth { get; }

    /// <summary>Self-attention with the BERT names ("{name}.attention.self.query", …, "{name}.attention.output.dense").</summary>
    public MultiHeadSelfAttention Attention { get; }

    /// <summary>Dropout on the attention output before its residual add.</summary>
    public Dropout AttentionDropout { get; }

    /// <summary>LN₁, "{name}.attention.output.LayerNorm".</summary>
    public LayerNorm AttentionNorm { get; }

    /// <summary>dense₁ (W → M), "{name}.intermediate.dense".</summary>
    public Linear Intermediate { get; }

    /// <summary>The exact (erf) GELU after dense₁.</summary>
    public Gelu Activation { get; }

    /// <summary>dense₂ (M → W), "{name}.output.dense".</summary>
    public Linear Output { get; }

    /// <summary>Dropout on dense₂'s output before its residual add.</summary>
    public Dropout OutputDropout { get; }

    /// <summary>LN₂, "{name}.output.LayerNorm".</summary>
    public LayerNorm OutputNorm { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    /// <inheritdoc />
    public ModelRegistration Registration { get; }

    /// <summary>The block's Linear layers (its registered KFAC layers) in forward order: query, key, value, attention output, intermediate, output.</summary>
    public IReadOnlyList<Linear> Linears => _linears;

    /// <summary>Whether the hidden dropouts are applied (training) or the identity (evaluation, the default).</summary>
    public bool Training
    {
        get => AttentionDropout.Training;
        set => AttentionDropout.Training = OutputDropout.Training = value;
    }

    /// <summary>
    /// Fills every Linear weight with N(0, <paramref name="std"/>²) and zeroes its bias; sets LayerNorm γ = 1,
    /// β = 0 (Hugging Face's BertPreTrainedModel._init_weights).
    /// </summary>
    public void Initialize(Rng rng, float std)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Attention.Initialize(rng, std);
        Intermediate.Initialize(rng, std);
        Output.Initialize(rng, std);
        foreach (var norm in new[] { AttentionNorm, OutputNorm })
        {
            norm.Weight.Value.Fill(1f);
            norm.Bias.Value.Clear();
        }
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>
    /// Computes y for x (B, T, W) with an optional key padding mask (B, T) of 1 (token) / 0 (padding): padded
    /// keys get attention probability 0. Caches what <see cref="Backward"/> needs.
    /// </summary>
    public Tensor Forward(Tensor input, Tensor? keyMask)
    {
        var attended = AttentionDropout.Forward(Attention.Forward(input, keyMask));
        var hidden = AttentionNorm.Forward(_attentionResidual.Forward(input, attended));
        var mlp = Output.Forward(Activation.Forward(Intermediate.Forward(hidden)));
        _hasForward = true;
        return OutputNorm.Forward(_outputResidual.Forward(hidden, OutputDropout.Forward(mlp)));
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (!_hasForward) throw new InvalidOperationException($"BertLayer '{Name}': Backward called before Forward.");
        // s₂ = h + dropout(mlp): ResidualAdd hands back the one tensor that is the gradient of both terms.
        var gradSum2 = _outputResidual.Backward(OutputNorm.Backward(gradOutput));
        var gradMlpInput = Intermediate.Backward(Activation.Backward(Output.Backward(OutputDropout.Backward(gradSum2))));
        var gradHidden = Tensor.Ensure(ref _gradHidden, gradSum2.Shape);
        ElementwiseDriver.Add(gradSum2.Span, gradMlpInput.Span, gradHidden.Span);
        // s₁ = x + dropout(attn(x)): the skip and the attention path both reach x.
        var gradSum1 = _attentionResidual.Backward(AttentionNorm.Backward(gradHidden));
        var gradAttentionInput = Attention.Backward(AttentionDropout.Backward(gradSum1));
        var gradInput = Tensor.Ensure(ref _gradInput, gradSum1.Shape);
        ElementwiseDriver.Add(gradSum1.Span, gradAttentionInput.Span, gradInput.Span);
        return gradInput;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput) => Jvp(input, tanInput, null);

    /// <summary>
    /// Returns y and ẏ for input x with tangent <paramref name="tanInput"/> (null = 0) and every parameter's
    /// <see cref="Parameter.Tangent"/>, under an optional key padding mask; caches like Forward.
    /// </summary>
    public Dual Jvp(Tensor input, Tensor? tanInput, Tensor? keyMask)
    {
        var (attention, tanAttention) = Attention.Jvp(input, tanInput, keyMask);
        var (attended, tanAttended) = AttentionDropout.Jvp(attention, tanAttention);
        var (sum1, tanSum1) = _attentionResidual.Jvp(input, tanInput, attended, tanAttended);
        var (hidden, tanHidden) = AttentionNorm.Jvp(sum1, tanSum1);
        var (pre, tanPre) = Intermediate.Jvp(hidden, tanHidden);
        var (act, tanAct) = Activation.Jvp(pre, tanPre);
        var (mlp, tanMlp) = Output.Jvp(act, tanAct);
        var (dropped, tanDropped) = OutputDropout.Jvp(mlp, tanMlp);
        var (sum2, tanSum2) = _outputResidual.Jvp(hidden, tanHidden, dropped, tanDropped);
        _hasForward = true;
        return OutputNorm.Jvp(sum2, tanSum2);
    }
}
