// BenchMixer: the layers of a two-block MLP-Mixer for the generated-model bench: images (B, 3, 32, 32) →
// 64 patches of width 128 → 2 × (token MLP 64 → 256 → 64, channel MLP 128 → 512 → 128) → LN → mean → 128 → x/‖x‖.
using TaskVectors.Layers;

namespace TaskVectors.Bench;

internal static class BenchMixer
{
    public const int Tokens = 64, Width = 128, Embedding = 128;

    public static PatchEmbedding Stem(string name) => new(name, 3, 32, 4, Width, bias: true);

    public static Residual TokenMixing(string name) => new(
        new LayerNorm(name + ".norm", Width), new TokenTranspose(), new Linear(name + ".fc1", Tokens, 4 * Tokens),
        new Gelu(), new Linear(name + ".fc2", 4 * Tokens, Tokens), new TokenTranspose());

    public static Residual ChannelMixing(string name) => new(
        new LayerNorm(name + ".norm", Width), new Linear(name + ".fc1", Width, 4 * Width), new Gelu(), new Linear(name + ".fc2", 4 * Width, Width));
}
