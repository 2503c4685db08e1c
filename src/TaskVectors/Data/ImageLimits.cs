// ImageLimits: bounds checked on an image's header (ImageSharp's Image.Identify) before any pixel buffer is
// allocated, so a crafted file that declares a huge size is refused instead of exhausting memory.
namespace TaskVectors.Data;

/// <summary>Largest encoded file, width, height and pixel count an image may have before it is decoded.</summary>
public sealed record ImageLimits
{
    /// <summary>Defaults: 64 MiB files, 16,384 pixels a side, 40 megapixels (≈ 120 MB as RGB).</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>Largest encoded file in bytes.</summary>
    public long MaxFileBytes { get; init; } = 64L << 20;

    /// <summary>Largest width in pixels.</summary>
    public int MaxWidth { get; init; } = 16_384;

    /// <summary>Largest height in pixels.</summary>
    public int MaxHeight { get; init; } = 16_384;

    /// <summary>Largest width × height.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFileBytes, nameof(MaxFileBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxWidth, nameof(MaxWidth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxHeight, nameof(MaxHeight));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPixels, nameof(MaxPixels));
    }
}
