// TinyVit: the small CLIP-layout vision transformer the model tests use (8×8 images, patch 4, width 8,
// 2 blocks, 2 heads), with randomized LayerNorm affine parameters so their curvature is non-trivial.
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

internal static class TinyVit
{
    public static readonly VisionTransformerConfig Config = new()
    {
        ImageSize = 8, PatchSize = 4, Channels = 3, Width = 8, Layers = 2, Heads = 2, MlpWidth = 16, ProjectionDim = 6,
    };

    public static VisionTransformer Model(ulong seed = 1)
    {
        var model = new VisionTransformer(Config);
        model.Initialize(new Rng(seed), 0.3f);
        var rng = new Rng(seed + 100);
        foreach (var p in model.Parameters.Where(p => p.Name.Contains("norm", StringComparison.Ordinal) || p.Name.Contains("layrnorm", StringComparison.Ordinal)))
            foreach (ref float v in p.Value.Span) v += 0.4f * (rng.NextSingle() - 0.5f);
        return model;
    }

    public static TensorData Images(int count, ulong seed) =>
        TensorData.Random(seed, count, Config.Channels, Config.ImageSize, Config.ImageSize);
}
