// FineTuneFixture: small models, heads and data sets shared by the fine-tuning tests.
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Training;

internal static class FineTuneFixture
{
    public static readonly VisionTransformerConfig SmallVit = new()
    {
        ImageSize = 8, PatchSize = 4, Channels = 1, Width = 8, Layers = 2, Heads = 2, MlpWidth = 16, ProjectionDim = 6,
    };

    public static VisionTransformer Vit(ulong seed = 1)
    {
        var model = new VisionTransformer(SmallVit);
        model.Initialize(new Rng(seed), 0.3f);
        return model;
    }

    public static Mlp Mlp(ulong seed = 1)
    {
        var model = new Mlp(64, [16], 6);
        model.Initialize(new Rng(seed));
        return model;
    }

    public static CosineHead Head(int classes = 3, int features = 6, ulong seed = 2)
    {
        var embeddings = new Tensor(classes, features);
        new Rng(seed).FillNormal(embeddings.Span);
        return new CosineHead("head", embeddings, logitScale: 10f);
    }

    /// <summary>N 8×8 grey images whose class shifts their mean, so the task is learnable.</summary>
    public static ImageData Data(int count = 40, int classes = 3, ulong seed = 3)
    {
        var rng = new Rng(seed);
        var images = new Tensor(count, 1, 8, 8);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = rng.NextInt(classes);
            var image = images.Span.Slice(i * 64, 64);
            rng.FillNormal(image, 0.5f * labels[i], 1f);
        }
        return new ImageData(images, labels, classes, $"synthetic {count}");
    }

    public static Dictionary<string, float[]> Values(IParameterized model) =>
        model.Parameters.ToDictionary(p => p.Name, p => p.Value.Span.ToArray());
}
