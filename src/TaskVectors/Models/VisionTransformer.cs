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
public sealed class VisionTransformer : IEmbeddingModel<Tensor>
{
    private readonly Linear[] _linears;
    private readonly ClipEncoderLayer[] _blocks; // iterated as an array: a foreach over the interface would allocate
    private readonly ClsPooling _pool = new("vision_model.pool");
    private readonly L2Normalize _normalize = new(name: "normalize");

    /// <summary>Creates a zero-initialized model of the given shape (call <see cref="Initialize"/> or load weights).</summary>
    public VisionTransformer(VisionTransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var root = new ModuleScope();
        var vision = root.Push("vision_model");
        var embeddings = vision.Push("embeddings");
        // Hugging Face's order: the class embedding comes before the patch embedding's weight, the position table after it.
        PatchEmbedding = new PatchEmbedding(embeddings.NameOf("patch_embedding"), config.Channels, config.ImageSize, config.PatchSize, config.Width);
        ClassPositionEmbedding = new ClassPositionEmbedding(embeddings.Prefix, config.Patches, config.Width);
        embeddings.Add(ClassPositionEmbedding.ClassEmbedding);
        embeddings.Add(PatchEmbedding);
        embeddings.Add(ClassPositionEmbedding);
        embeddings.Exclude(ClassPositionEmbedding.PositionEmbedding);
        PreLayerNorm = vision.Add("pre_layrnorm", n => new LayerNorm(n, config.Width, config.LayerNormEps));
        var layers = vision.Push("encoder").Push("layers");
        _blocks = new ClipEncoderLayer[config.Layers];
        for (int i = 0; i < _blocks.Length; i++)
            _blocks[i] = layers.Add($"{i}", n => new ClipEncoderLayer(n, config.Width, config.Heads, config.MlpWidth, config.LayerNormEps));
        PostLayerNorm = vision.Add("post_layernorm", n => new LayerNorm(n, config.Width, config.LayerNormEps));
        Projection = root.Add("visual_projection", n => new Linear(n, config.Width, config.ProjectionDim, bias: false));
        Registration = root.Build();
        _linears = [.. Registration.KfacLayers.OfType<Linear>()];
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
    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    /// <inheritdoc />
    /// <remarks>
    /// KFAC layers: the patch embedding, per block q, k, v, out, fc1, fc2, then the projection. Dense blocks: the class
    /// embedding and every LayerNorm (pre, per block LN₁ and LN₂, post). The position table is excluded.
    /// </remarks>
    public ModelRegistration Registration { get; }

    /// <summary>The Linear layers in forward order (per block q, k, v, out, fc1, fc2; then the projection).</summary>
    public IReadOnlyList<Linear> Linears => _linears;

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
