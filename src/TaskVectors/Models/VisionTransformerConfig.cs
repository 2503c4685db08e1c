// VisionTransformerConfig: the shape of a CLIP-layout vision tower (Hugging Face CLIPVisionConfig
// plus the projection width), with presets from a tiny test model up to ViT-L/14.
namespace TaskVectors.Models;

/// <summary>
/// Hyper-parameters of a CLIP vision tower: images (channels, size, size) cut into (size/patch)²
/// patches, a class token, <see cref="Layers"/> pre-LayerNorm blocks of width <see cref="Width"/>,
/// and a bias-free projection to <see cref="ProjectionDim"/>.
/// </summary>
public sealed record VisionTransformerConfig
{
    /// <summary>Side of the square input image in pixels.</summary>
    public required int ImageSize { get; init; }

    /// <summary>Side of a square patch; must divide <see cref="ImageSize"/>.</summary>
    public required int PatchSize { get; init; }

    /// <summary>Image channels (1 or 3).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Residual stream width (Hugging Face hidden_size).</summary>
    public required int Width { get; init; }

    /// <summary>Number of transformer blocks.</summary>
    public required int Layers { get; init; }

    /// <summary>Attention heads; must divide <see cref="Width"/>.</summary>
    public required int Heads { get; init; }

    /// <summary>MLP hidden width (Hugging Face intermediate_size).</summary>
    public required int MlpWidth { get; init; }

    /// <summary>Embedding width after the visual projection.</summary>
    public required int ProjectionDim { get; init; }

    /// <summary>LayerNorm epsilon (CLIP: 1e-5).</summary>
    public float LayerNormEps { get; init; } = 1e-5f;

    /// <summary>Patches per image, (ImageSize / PatchSize)².</summary>
    public int Patches => (ImageSize / PatchSize) * (ImageSize / PatchSize);

    /// <summary>Tokens per image: patches plus the class token.</summary>
    public int Tokens => Patches + 1;

    /// <summary>A small model for 28×28 grey images: width 192, 6 blocks, 3 heads, patch 4.</summary>
    public static VisionTransformerConfig Tiny { get; } = new()
    {
        ImageSize = 28, PatchSize = 4, Channels = 1, Width = 192, Layers = 6, Heads = 3, MlpWidth = 768, ProjectionDim = 192,
    };

    /// <summary>CLIP ViT-B/32 (openai/clip-vit-base-patch32).</summary>
    public static VisionTransformerConfig B32 { get; } = new()
    {
        ImageSize = 224, PatchSize = 32, Width = 768, Layers = 12, Heads = 12, MlpWidth = 3072, ProjectionDim = 512,
    };

    /// <summary>CLIP ViT-B/16 (openai/clip-vit-base-patch16).</summary>
    public static VisionTransformerConfig B16 { get; } = B32 with { PatchSize = 16 };

    /// <summary>CLIP ViT-L/14 (openai/clip-vit-large-patch14).</summary>
    public static VisionTransformerConfig L14 { get; } = new()
    {
        ImageSize = 224, PatchSize = 14, Width = 1024, Layers = 24, Heads = 16, MlpWidth = 4096, ProjectionDim = 768,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public void Validate()
    {
        Positive(ImageSize, nameof(ImageSize));
        Positive(PatchSize, nameof(PatchSize));
        Positive(Width, nameof(Width));
        Positive(Layers, nameof(Layers));
        Positive(Heads, nameof(Heads));
        Positive(MlpWidth, nameof(MlpWidth));
        Positive(ProjectionDim, nameof(ProjectionDim));
        if (Channels is not (1 or 3)) throw new ArgumentException($"Channels must be 1 or 3, not {Channels}.", nameof(Channels));
        if (ImageSize % PatchSize != 0) throw new ArgumentException($"PatchSize {PatchSize} does not divide ImageSize {ImageSize}.", nameof(PatchSize));
        if (Width % Heads != 0) throw new ArgumentException($"Heads {Heads} does not divide Width {Width}.", nameof(Heads));
        if (!(LayerNormEps > 0)) throw new ArgumentException($"LayerNormEps must be positive, not {LayerNormEps}.", nameof(LayerNormEps));
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive, not {value}.", name);
    }
}
