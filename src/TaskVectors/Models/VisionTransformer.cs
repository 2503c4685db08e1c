// VisionTransformer: the CLIP vision tower with its projection (Hugging Face
// CLIPVisionModelWithProjection), images (B, C, S, S) → L2-normalized embeddings (B, D):
//   patches (B, P, W) → [class; patches] + positions (B, P+1, W) → pre-LN → blocks → post-LN of the
//   class token (B, W) → visual projection (B, D) → x/‖x‖.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// CLIP vision encoder f(x; θ) = normalize(W_proj · LN_post(h_L[:, 0])), h_0 = LN_pre([c; E·patches(x)] + P),
/// h_l = Block_l(h_{l−1}), with Hugging Face parameter names ("vision_model.…", "visual_projection.weight").
/// </summary>
public sealed class VisionTransformer : IEmbeddingModel<Tensor>, IPerSampleGradientModel
{
    private readonly Parameter[] _parameters;
    private readonly Linear[] _linears;
    private readonly IPerSampleGradients[] _perSampleLayers;
    private readonly ClipEncoderLayer[] _blocks; // iterated as an array: a foreach over the interface would allocate
    private readonly ClsPooling _pool = new("vision_model.pool");
    private readonly L2Normalize _normalize = new(name: "normalize");

    /// <summary>Creates a zero-initialized model of the given shape (call <see cref="Initialize"/> or load weights).</summary>
    public VisionTransformer(VisionTransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        PatchEmbedding = new PatchEmbedding("vision_model.embeddings.patch_embedding", config.Channels, config.ImageSize, config.PatchSize, config.Width);
        ClassPositionEmbedding = new ClassPositionEmbedding("vision_model.embeddings", config.Patches, config.Width);
        PreLayerNorm = new LayerNorm("vision_model.pre_layrnorm", config.Width, config.LayerNormEps);
        _blocks = Enumerable.Range(0, config.Layers)
            .Select(i => new ClipEncoderLayer($"vision_model.encoder.layers.{i}", config.Width, config.Heads, config.MlpWidth, config.LayerNormEps))
            .ToArray();
        PostLayerNorm = new LayerNorm("vision_model.post_layernorm", config.Width, config.LayerNormEps);
        Projection = new Linear("visual_projection", config.Width, config.ProjectionDim, bias: false);
        _parameters =
        [
            ClassPositionEmbedding.ClassEmbedding, .. PatchEmbedding.Parameters, ClassPositionEmbedding.PositionEmbedding,
            .. PreLayerNorm.Parameters, .. Blocks.SelectMany(b => b.Parameters), .. PostLayerNorm.Parameters, .. Projection.Parameters,
        ];
        _linears = [.. Blocks.SelectMany(b => b.Linears), Projection];
        _perSampleLayers = [ClassPositionEmbedding, PreLayerNorm, .. Blocks.SelectMany(b => new[] { b.LayerNorm1, b.LayerNorm2 }), PostLayerNorm];
    }

    /// <summary>The model's shape.</summary>
    public VisionTransformerConfig Config { get; }

    /// <summary>Patch embedding (convolution with stride = kernel = patch, no bias).</summary>
    public PatchEmbedding PatchEmbedding { get; }

    /// <summary>Class token and learned positional embedding.</summary>
    public ClassPositionEmbedding ClassPositionEmbedding { get; }

    /// <summary>LayerNorm applied to the embeddings before the first block ("pre_layrnorm", sic, as in Hugging Face).</summary>
    public LayerNorm PreLayerNorm { get; }

    /// <summary>The transformer blocks, first to last.</summary>
    public IReadOnlyList<ClipEncoderLayer> Blocks => _blocks;

    /// <summary>LayerNorm of the class token after the last block.</summary>
    public LayerNorm PostLayerNorm { get; }

    /// <summary>Bias-free projection to the embedding space.</summary>
    public Linear Projection { get; }

    /// <inheritdoc />
    public int EmbeddingDim => Config.ProjectionDim;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    public IReadOnlyList<Linear> Linears => _linears;

    /// <summary>The class embedding and every LayerNorm (pre, per block LN₁ and LN₂, post): the dense KFAC blocks.</summary>
    public IReadOnlyList<IPerSampleGradients> PerSampleGradientLayers => _perSampleLayers;

    /// <summary>
    /// Random initialization in the spirit of CLIP: Linear, patch, class and position weights N(0, <paramref name="std"/>²),
    /// biases 0, LayerNorm γ = 1 and β = 0. Deterministic for a given <paramref name="rng"/> state.
    /// </summary>
    public void Initialize(Rng rng, float std = 0.02f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        PatchEmbedding.Initialize(rng, std);
        ClassPositionEmbedding.Initialize(rng, std);
        foreach (var block in Blocks) block.Initialize(rng, std);
        foreach (var ln in new[] { PreLayerNorm, PostLayerNorm })
        {
            ln.Weight.Value.Fill(1f);
            ln.Bias.Value.Clear();
        }
        Projection.Initialize(rng, std);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var h = PreLayerNorm.Forward(ClassPositionEmbedding.Forward(PatchEmbedding.Forward(input)));
        foreach (var block in _blocks) h = block.Forward(h);
        return _normalize.Forward(Projection.Forward(PostLayerNorm.Forward(_pool.Forward(h))));
    }

    /// <inheritdoc />
    public void Backward(Tensor gradEmbedding)
    {
        var g = _pool.Backward(PostLayerNorm.Backward(Projection.Backward(_normalize.Backward(gradEmbedding))));
        for (int i = _blocks.Length - 1; i >= 0; i--) g = _blocks[i].Backward(g);
        PatchEmbedding.Backward(ClassPositionEmbedding.Backward(PreLayerNorm.Backward(g)));
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input)
    {
        var d = PatchEmbedding.Jvp(input, null);
        d = ClassPositionEmbedding.Jvp(d.Primal, d.Tangent);
        d = PreLayerNorm.Jvp(d.Primal, d.Tangent);
        foreach (var block in _blocks) d = block.Jvp(d.Primal, d.Tangent);
        d = _pool.Jvp(d.Primal, d.Tangent);
        d = PostLayerNorm.Jvp(d.Primal, d.Tangent);
        d = Projection.Jvp(d.Primal, d.Tangent);
        return _normalize.Jvp(d.Primal, d.Tangent);
    }

    /// <summary>Creates a model of shape <paramref name="config"/> and loads it strictly from a Hugging Face style safetensors file.</summary>
    /// <exception cref="CheckpointMismatchException">Names or shapes differ; the message lists every difference.</exception>
    public static VisionTransformer Load(string path, VisionTransformerConfig config)
    {
        var model = new VisionTransformer(config);
        Checkpoint.Load(model, path);
        return model;
    }

    /// <summary>Saves the parameters under their Hugging Face names (atomic write).</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) => Checkpoint.Save(this, path, metadata);
}
