// TextTransformer: a BERT-layout text encoder (Hugging Face BertModel) as an embedding model.
// TextBatch (B, T) of token ids, segment ids and attention mask -> f (B, W) unit-norm rows:
// embeddings -> L post-LN blocks -> pooling (pooler, CLS or masked mean) -> L2 normalization.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// BERT encoder with Hugging Face BertModel's parameter names (no prefix): x₀ = <see cref="BertEmbeddings"/>,
/// x_{l+1} = <see cref="BertLayer"/>_l(x_l, mask), h = x_L (B, T, W), then s = tanh(h[:, 0]·W_pᵀ + b_p)
/// (<see cref="TextPooling.Pooler"/>, the default), s = h[:, 0] (<see cref="TextPooling.Cls"/>) or
/// s = Σ_t m_t h[:, t] / Σ_t m_t (<see cref="TextPooling.Mean"/>), and f = s / ‖s‖₂.
/// <para>Parameters, in the order of BertModel's state dict: "embeddings.*", "encoder.layer.{i}.*" for
/// i = 0 … L − 1, "pooler.dense.weight" and "pooler.dense.bias". The pooler's parameters belong to the
/// model whatever the pooling, so Hugging Face files load strictly and saving writes them back; with
/// <see cref="TextPooling.Cls"/> or <see cref="TextPooling.Mean"/> they are unused: f does not depend on
/// them, their gradient stays zero and <see cref="Linears"/> leaves the pooler out.</para>
/// <para>Token embeddings get their true gradient at every id, [PAD] included (Hugging Face's
/// padding_idx would freeze row 0); padded positions receive no gradient since nothing reads them.</para>
/// </summary>
public sealed class TextTransformer : IEmbeddingModel<TextBatch>
{
    /// <summary>Hugging Face's hidden_dropout_prob, applied after the embeddings and in every block when <see cref="Training"/>.</summary>
    public const float HiddenDropout = 0.1f;

    /// <summary>Hugging Face's initializer_range: the standard deviation of initial weights.</summary>
    public const float InitializerRange = 0.02f;

    private readonly Linear[] _linears;
    private readonly BertLayer[] _layers;
    private readonly ClsPooling _clsPooling = new("cls_pooling");
    private readonly MeanPooling _meanPooling = new("mean_pooling");
    private readonly L2Normalize _normalize = new(1e-12f, "normalize");
    private Tensor? _hidden;

    /// <summary>
    /// Creates a zero-initialized model (LayerNorm γ = 1, β = 0; call <see cref="Initialize"/> or
    /// <see cref="Load"/>) of shape <paramref name="config"/>, summarizing sequences by
    /// <paramref name="pooling"/>. Dropout masks (training only) are seeded from <paramref name="dropoutSeed"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is inconsistent, or the pooling is unknown.</exception>
    public TextTransformer(TextTransformerConfig config, TextPooling pooling = TextPooling.Pooler, ulong dropoutSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (!Enum.IsDefined(pooling)) throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown text pooling.");
        Config = config;
        Pooling = pooling;
        // Every dropout gets its own stream: the embeddings take the seed, block l the seeds after it.
        var root = new ModuleScope();
        Embeddings = root.Add(new BertEmbeddings(config, HiddenDropout, dropoutSeed, root.NameOf("embeddings")));
        var layers = root.Push("encoder").Push("layer");
        _layers = new BertLayer[config.Layers];
        for (int l = 0; l < config.Layers; l++)
            _layers[l] = layers.Add($"{l}", n => new BertLayer(n, config.Width, config.Heads, config.MlpWidth, config.LayerNormEps,
                HiddenDropout, unchecked(dropoutSeed + 1 + 2 * (ulong)l)));
        Pooler = new BertPooler(config.Width, root.NameOf("pooler"));
        // Unused by CLS or mean pooling (zero gradient), the pooler stays a parameter for strict loading but has no block.
        if (pooling == TextPooling.Pooler) root.Add(Pooler.Dense);
        else root.Exclude([.. root.Add(Pooler).Parameters]);
        Registration = root.Build();
        _linears = [.. Registration.KfacLayers.Cast<Linear>()];
    }

    /// <summary>The model's shape.</summary>
    public TextTransformerConfig Config { get; }

    /// <summary>How the last hidden state is summarized before normalization.</summary>
    public TextPooling Pooling { get; }

    /// <summary>The word, position and token-type embeddings with their LayerNorm.</summary>
    public BertEmbeddings Embeddings { get; }

    /// <summary>The encoder blocks "encoder.layer.{i}", in order.</summary>
    public IReadOnlyList<BertLayer> Layers => _layers;

    /// <summary>The pooler "pooler.dense" + tanh (part of the model even when <see cref="Pooling"/> does not use it).</summary>
    public BertPooler Pooler { get; }

    /// <inheritdoc />
    /// <remarks>W, the hidden width: every pooling keeps it.</remarks>
    public int EmbeddingDim => Config.Width;

    /// <summary>
    /// The Linear layers (the registered KFAC layers): per block query, key, value, attention output, intermediate, output;
    /// then pooler.dense when <see cref="Pooling"/> is <see cref="TextPooling.Pooler"/>.
    /// </summary>
    public IReadOnlyList<Linear> Linears => _linears;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    /// <inheritdoc />
    /// <remarks>
    /// Dense blocks: every LayerNorm (embeddings, then per block the attention and output norms). The embedding tables are
    /// excluded, and so is the pooler unless <see cref="Pooling"/> is <see cref="TextPooling.Pooler"/>.
    /// </remarks>
    public ModelRegistration Registration { get; }

    /// <summary>The last hidden state h (B, T, W) of the last Forward/Jvp, or null before the first.</summary>
    public Tensor? LastHiddenState => _hidden;

    /// <summary>
    /// Whether the hidden dropouts (probability <see cref="HiddenDropout"/>) are applied (training) or the
    /// identity (evaluation, the default). Attention probabilities are never dropped (see <see cref="BertLayer"/>).
    /// </summary>
    public bool Training
    {
        get => Embeddings.Training;
        set
        {
            Embeddings.Training = value;
            foreach (var layer in _layers) layer.Training = value;
        }
    }

    /// <summary>
    /// Initializes as Hugging Face's BertPreTrainedModel: every Linear weight and embedding table
    /// ~ N(0, <see cref="InitializerRange"/>²), biases 0, LayerNorm γ = 1, β = 0, and the [PAD] (id 0) word
    /// row zeroed. Draws from <paramref name="rng"/> in parameter order.
    /// </summary>
    public void Initialize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Embeddings.Initialize(rng, InitializerRange);
        foreach (var layer in _layers) layer.Initialize(rng, InitializerRange);
        Pooler.Initialize(rng, InitializerRange);
    }

    /// <summary>
    /// Creates a model of shape <paramref name="config"/> and loads it strictly from the safetensors file
    /// <paramref name="path"/>, whose names (after the mapping of <paramref name="options"/>, by default
    /// <see cref="CheckpointLoadOptions.HuggingFaceBert"/>: strip "bert.", skip "cls." and "classifier." heads, map
    /// legacy "LayerNorm.gamma/beta") must be exactly BertModel's; "embeddings.position_ids" buffers are ignored.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">Lists every missing, unexpected and mis-shaped tensor.</exception>
    public static TextTransformer Load(string path, TextTransformerConfig config, TextPooling pooling = TextPooling.Pooler, CheckpointLoadOptions? options = null, ulong dropoutSeed = 0)
    {
        var model = new TextTransformer(config, pooling, dropoutSeed);
        Checkpoint.Load(model, path, options ?? CheckpointLoadOptions.HuggingFaceBert);
        return model;
    }

    /// <summary>Saves every parameter under its BertModel name (float32, atomic), with <paramref name="metadata"/> in the header.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) => Checkpoint.Save(this, path, metadata);

    /// <summary>
    /// Checks <paramref name="batch"/> against the model: T ≤ MaxPositions, ids in range, and at least one
    /// attended token in every sequence.
    /// </summary>
    /// <exception cref="ArgumentException">The first problem found.</exception>
    public void Validate(TextBatch batch)
    {
        Embeddings.Validate(batch);
        var mask = batch.AttentionMask.Span;
        int seq = batch.SequenceLength;
        for (int b = 0; b < batch.Batch; b++)
            if (!mask.Slice(b * seq, seq).ContainsAnyExcept(0f))
                throw new ArgumentException($"TextTransformer: sequence {b} has an attention mask of all zeros; every sequence needs at least one real token.", nameof(batch));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">See <see cref="Validate"/>.</exception>
    public Tensor Forward(TextBatch input)
    {
        Validate(input);
        var mask = input.AttentionMask;
        var x = Embeddings.Forward(input);
        foreach (var layer in _layers) x = layer.Forward(x, mask);
        _hidden = x;
        var summary = Pooling switch
        {
            TextPooling.Pooler => Pooler.Forward(x),
            TextPooling.Cls => _clsPooling.Forward(x),
            _ => _meanPooling.Forward(x, mask),
        };
        return _normalize.Forward(summary);
    }

    /// <inheritdoc />
    public void Backward(Tensor gradEmbedding)
    {
        ArgumentNullException.ThrowIfNull(gradEmbedding);
        if (_hidden is null) throw new InvalidOperationException("TextTransformer: Backward called before Forward.");
        var gradSummary = _normalize.Backward(gradEmbedding);
        var grad = Pooling switch
        {
            TextPooling.Pooler => Pooler.Backward(gradSummary),
            TextPooling.Cls => _clsPooling.Backward(gradSummary),
            _ => _meanPooling.Backward(gradSummary),
        };
        for (int l = _layers.Length - 1; l >= 0; l--) grad = _layers[l].Backward(grad);
        Embeddings.Backward(grad);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">See <see cref="Validate"/>.</exception>
    public Dual Jvp(TextBatch input)
    {
        Validate(input);
        var mask = input.AttentionMask;
        var (x, tan) = Embeddings.Jvp(input);
        foreach (var layer in _layers) (x, tan) = layer.Jvp(x, tan, mask);
        _hidden = x;
        var (summary, tanSummary) = Pooling switch
        {
            TextPooling.Pooler => Pooler.Jvp(x, tan),
            TextPooling.Cls => _clsPooling.Jvp(x, tan),
            _ => _meanPooling.Jvp(x, tan, mask),
        };
        return _normalize.Jvp(summary, tanSummary);
    }
}
