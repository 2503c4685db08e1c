// MixerShape: the small MLP-Mixer both twins build: images (B, 3, 8, 8) → patches (B, 4, 8) → one mixer
// block (token-mixing MLP 4 → 6 → 4 over the transposed tokens, channel-mixing MLP 8 → 16 → 8, each
// pre-LayerNorm and residual) → LayerNorm → mean over tokens (B, 8) → head (B, 6) → x/‖x‖.
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Models.Mixer;

internal static class MixerShape
{
    public const int Channels = 3, Image = 8, Patch = 4, Tokens = 4, Width = 8, TokenHidden = 6, ChannelHidden = 16, Embedding = 6;

    public static PatchEmbedding Stem(string name) => new(name, Channels, Image, Patch, Width, bias: true);

    public static Residual TokenMixing(string name) => new(
        new LayerNorm(name + ".norm", Width), new TokenTranspose(), new Linear(name + ".fc1", Tokens, TokenHidden),
        new Gelu(), new Linear(name + ".fc2", TokenHidden, Tokens), new TokenTranspose());

    public static Residual ChannelMixing(string name) => new(
        new LayerNorm(name + ".norm", Width), new Linear(name + ".fc1", Width, ChannelHidden), new Gelu(), new Linear(name + ".fc2", ChannelHidden, Width));

    /// <summary>Every parameter N(0, 0.3²) (LayerNorm γ around 1) from <paramref name="seed"/>, in parameter order.</summary>
    public static void Initialize(IParameterized model, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var p in model.Parameters)
        {
            rng.FillNormal(p.Value.Span, 0f, 0.3f);
            if (p.Name.EndsWith(".norm.weight", StringComparison.Ordinal) || p.Name == "norm.weight")
                foreach (ref float v in p.Value.Span) v += 1f;
        }
    }

    public static Curvature.TensorData Images(int count, ulong seed) => Curvature.TensorData.Random(seed, count, Channels, Image, Image);
}
