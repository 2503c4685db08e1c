// ImagePreprocessing: decoded 8-bit RGB pixels (H, W, 3) → one float image (C, S, S), C = 3 (RGB) or 1 (gray):
// optional gray conversion (PIL's "L": (19595 R + 38470 G + 7471 B + 2^15) >> 16), resize so the shorter side
// is R (long side ⌊R · long / short⌋) with PIL's antialiased bicubic, center crop S × S (offset
// round-half-even((size − S) / 2), as torchvision), then x = (v / 255 − mean_c) / std_c.
namespace TaskVectors.Data;

/// <summary>
/// How decoded images become tensors: resize the shorter side to <see cref="ResizeShorterSide"/> (bicubic, antialiased
/// like PIL), center-crop <see cref="Size"/> × <see cref="Size"/>, then x_c = (v/255 − <see cref="Mean"/>[c]) / <see cref="Std"/>[c].
/// <see cref="Clip"/> reproduces torchvision's CLIP transform on PIL images within 2/255 per pixel.
/// </summary>
public sealed class ImagePreprocessing
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates a preprocessing; <paramref name="mean"/> and <paramref name="std"/> hold one value per channel (3, or 1 when <paramref name="grayscale"/>).</summary>
    /// <exception cref="ArgumentException">Sizes are not positive, the crop exceeds the resized side, or mean/std have the wrong length or a std ≤ 0.</exception>
    public ImagePreprocessing(int size, int resizeShorterSide, bool grayscale, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(resizeShorterSide, size);
        int channels = grayscale ? 1 : 3;
        if (mean.Length != channels) throw new ArgumentException($"Mean needs {channels} values, got {mean.Length}.", nameof(mean));
        if (std.Length != channels) throw new ArgumentException($"Std needs {channels} values, got {std.Length}.", nameof(std));
        foreach (float s in std)
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentException($"Std values must be positive and finite; got {s}.", nameof(std));
        foreach (float m in mean)
            if (!float.IsFinite(m)) throw new ArgumentException($"Mean values must be finite; got {m}.", nameof(mean));
        Size = size;
        ResizeShorterSide = resizeShorterSide;
        IsGrayscale = grayscale;
        _mean = mean.ToArray();
        _std = std.ToArray();
    }

    /// <summary>CLIP's image transform at <paramref name="size"/> (224 for ViT-B/32): RGB, mean (0.48145466, 0.4578275, 0.40821073), std (0.26862954, 0.26130258, 0.27577711).</summary>
    public static ImagePreprocessing Clip(int size = 224) =>
        new(size, size, grayscale: false, [0.48145466f, 0.4578275f, 0.40821073f], [0.26862954f, 0.26130258f, 0.27577711f]);

    /// <summary>Gray images in [0, 1] at <paramref name="size"/> × <paramref name="size"/> (digit-like data; mean 0, std 1).</summary>
    public static ImagePreprocessing Gray(int size = 28) => new(size, size, grayscale: true, [0f], [1f]);

    /// <summary>Gray 28 × 28 standardized with MNIST's statistics (mean 0.1307, std 0.3081).</summary>
    public static ImagePreprocessing Mnist { get; } = new(28, 28, grayscale: true, [0.1307f], [0.3081f]);

    /// <summary>S, the side of the square output.</summary>
    public int Size { get; }

    /// <summary>R, the shorter side after resizing (≥ S).</summary>
    public int ResizeShorterSide { get; }

    /// <summary>Whether the output is one gray channel.</summary>
    public bool IsGrayscale { get; }

    /// <summary>C: 1 for gray, 3 for RGB.</summary>
    public int Channels => IsGrayscale ? 1 : 3;

    /// <summary>C·S·S, the floats one image takes.</summary>
    public int ValuesPerImage => Channels * Size * Size;

    /// <summary>Per-channel means.</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>Per-channel standard deviations.</summary>
    public ReadOnlySpan<float> Std => _std;

    /// <summary>The resized (width, height) of a <paramref name="width"/> × <paramref name="height"/> image: shorter side R, longer ⌊R · long / short⌋.</summary>
    public (int Width, int Height) ResizedSize(int width, int height)
    {
        int shortSide = Math.Min(width, height), longSide = Math.Max(width, height);
        int newLong = (int)((double)ResizeShorterSide * longSide / shortSide);
        return width <= height ? (ResizeShorterSide, newLong) : (newLong, ResizeShorterSide);
    }

    /// <summary>Preprocesses 8-bit RGB pixels (<paramref name="height"/>, <paramref name="width"/>, 3) into <paramref name="destination"/> (C, S, S).</summary>
    internal void Apply(ReadOnlySpan<byte> rgb, int width, int height, Span<float> destination)
    {
        if (destination.Length != ValuesPerImage) throw new ArgumentException($"Destination holds {destination.Length} floats, not {ValuesPerImage}.", nameof(destination));
        int channels = Channels;
        ReadOnlySpan<byte> pixels = rgb;
        if (IsGrayscale)
        {
            var gray = new byte[width * height];
            for (int i = 0; i < gray.Length; i++)
                gray[i] = (byte)((rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16);
            pixels = gray;
        }
        var (w, h) = ResizedSize(width, height);
        var resized = new byte[w * h * channels];
        BicubicResample.Resize(pixels, width, height, channels, resized, w, h);
        int top = (int)Math.Round((h - Size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((w - Size) / 2.0, MidpointRounding.ToEven);
        int plane = Size * Size;
        for (int c = 0; c < channels; c++)
        {
            float mean = _mean[c], std = _std[c];
            var output = destination.Slice(c * plane, plane);
            for (int y = 0; y < Size; y++)
            {
                int row = ((top + y) * w + left) * channels + c;
                for (int x = 0; x < Size; x++)
                    output[y * Size + x] = (resized[row + x * channels] / 255f - mean) / std;
            }
        }
    }
}
