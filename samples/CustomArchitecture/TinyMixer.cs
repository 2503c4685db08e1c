// TinyMixer: a user-defined MLP-Mixer for 8×8 grayscale digits, declared only as layers in order; the
// TaskVectors generator writes its registration (names, KFAC roles) and its Forward, Backward and Jvp.
// images (B, 1, 8, 8) → patches (B, 16, 16) → token mixing → channel mixing → LN → mean (B, 16) → (B, 16) → x/‖x‖.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

[GeneratedModel(Sequential = true)]
internal sealed partial class TinyMixer : IEmbeddingModel<Tensor>
{
    private const int Tokens = 16, Width = 16;

    [Layer] private readonly PatchEmbedding _stem = new(LayerName(nameof(_stem)), channels: 1, imageSize: 8, patch: 2, dim: Width, bias: true);
    [Layer("mixer.tokens")] private readonly Residual _tokens = Mlp(LayerName(nameof(_tokens)), Tokens, transpose: true);
    [Layer("mixer.channels")] private readonly Residual _channels = Mlp(LayerName(nameof(_channels)), Width, transpose: false);
    [Layer] private readonly LayerNorm _norm = new(LayerName(nameof(_norm)), Width);
    [Layer] private readonly MeanPooling _pool = new();
    [Layer] private readonly Linear _projection = new(LayerName(nameof(_projection)), Width, Width);
    [Layer] private readonly L2Normalize _normalize = new();

    public int EmbeddingDim => Width;

    // x + fc2(GELU(fc1(LN(x)))), over tokens (transposed) or over channels.
    private static Residual Mlp(string name, int width, bool transpose)
    {
        ILayer[] mlp = [new Linear(name + ".fc1", width, 2 * width), new Gelu(), new Linear(name + ".fc2", 2 * width, width)];
        ILayer norm = new LayerNorm(name + ".norm", Width);
        return transpose ? new Residual([norm, new TokenTranspose(), .. mlp, new TokenTranspose()]) : new Residual([norm, .. mlp]);
    }

    public void Initialize(Rng rng)
    {
        foreach (var p in Parameters)
        {
            if (p.Name.EndsWith("norm.weight", StringComparison.Ordinal)) p.Value.Fill(1f);
            // Small random biases: a blank patch then still has spread for the LayerNorms (a constant token sits where
            // LN's derivative is 1/√ε, too curved for finite differences to check).
            else if (p.Name.EndsWith(".bias", StringComparison.Ordinal)) rng.FillNormal(p.Value.Span, 0f, 0.1f);
            else rng.FillNormal(p.Value.Span, 0f, 1f / MathF.Sqrt(p.Length / p.Value.Dim(0)));
        }
    }
}
