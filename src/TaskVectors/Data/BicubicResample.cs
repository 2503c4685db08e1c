// BicubicResample: PIL's separable antialiased bicubic resize (Pillow libImaging/Resample.c, a = −0.5) on
// interleaved 8-bit pixels (H, W, C) → (H', W', C), bit-exact with PIL: the filter is widened by the scale
// factor when downscaling (antialiasing), weights are normalized and rounded to 22-bit fixed point, the
// horizontal pass runs first and rounds to 8 bits, then the vertical pass. Why not ImageSharp's resize: it
// is within 1/255 of PIL on the fixture photo (bench `input-table`), but it computes in float SIMD, whose
// last bits may differ between processors; this integer kernel gives PIL's exact bytes on every machine.
// Its naive twin is BicubicResampleReference.
namespace TaskVectors.Data;

internal static class BicubicResample
{
    private const int PrecisionBits = 22;

    /// <summary>PIL's bicubic kernel with a = −0.5, support 2.</summary>
    internal static double Filter(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
        if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
        return 0.0;
    }

    /// <summary>
    /// Normalized double weights for resizing one axis from <paramref name="inSize"/> to <paramref name="outSize"/>:
    /// output i reads inputs start[i] … start[i] + count[i] − 1 with weights[i·kernel + j].
    /// </summary>
    internal static (int[] Start, int[] Count, double[] Weights, int Kernel) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 2.0 * filterScale;
        int kernel = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new double[outSize * kernel];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int min = Math.Max(0, (int)(center - support + 0.5));
            int max = Math.Min(inSize, (int)(center + support + 0.5)) - min;
            double sum = 0;
            var w = weights.AsSpan(i * kernel, kernel);
            for (int x = 0; x < max; x++)
            {
                w[x] = Filter((x + min - center + 0.5) / filterScale);
                sum += w[x];
            }
            if (sum != 0)
                for (int x = 0; x < max; x++) w[x] /= sum;
            start[i] = min;
            count[i] = max;
        }
        return (start, count, weights, kernel);
    }

    /// <summary>Resizes (<paramref name="height"/>, <paramref name="width"/>, <paramref name="channels"/>) bytes to (outHeight, outWidth, channels).</summary>
    public static void Resize(ReadOnlySpan<byte> source, int width, int height, int channels, Span<byte> destination, int outWidth, int outHeight)
    {
        if (source.Length != width * height * channels) throw new ArgumentException("Source is not width·height·channels bytes.", nameof(source));
        if (destination.Length != outWidth * outHeight * channels) throw new ArgumentException("Destination is not outWidth·outHeight·channels bytes.", nameof(destination));
        if (outWidth == width && outHeight == height)
        {
            source.CopyTo(destination);
            return;
        }
        // PIL skips a pass whose axis keeps its size; the horizontal pass comes first.
        if (outHeight == height)
        {
            Horizontal(source, width, height, channels, destination, outWidth);
            return;
        }
        if (outWidth == width)
        {
            Vertical(source, width, height, channels, destination, outHeight);
            return;
        }
        var temp = new byte[outWidth * height * channels];
        Horizontal(source, width, height, channels, temp, outWidth);
        Vertical(temp, outWidth, height, channels, destination, outHeight);
    }

    private static int[] FixedPoint(double[] weights)
    {
        var fixedPoint = new int[weights.Length];
        for (int i = 0; i < weights.Length; i++)
            fixedPoint[i] = (int)(weights[i] < 0 ? -0.5 + weights[i] * (1 << PrecisionBits) : 0.5 + weights[i] * (1 << PrecisionBits));
        return fixedPoint;
    }

    private static byte Clip8(int value) => (byte)Math.Clamp(value >> PrecisionBits, 0, 255);

    private static void Horizontal(ReadOnlySpan<byte> source, int width, int height, int channels, Span<byte> destination, int outWidth)
    {
        var (start, count, weights, kernel) = Coefficients(width, outWidth);
        var k = FixedPoint(weights);
        for (int y = 0; y < height; y++)
        {
            var row = source.Slice(y * width * channels, width * channels);
            var outRow = destination.Slice(y * outWidth * channels, outWidth * channels);
            for (int x = 0; x < outWidth; x++)
            {
                int s = start[x], n = count[x], kk = x * kernel;
                for (int c = 0; c < channels; c++)
                {
                    int sum = 1 << (PrecisionBits - 1);
                    for (int j = 0; j < n; j++) sum += row[(s + j) * channels + c] * k[kk + j];
                    outRow[x * channels + c] = Clip8(sum);
                }
            }
        }
    }

    private static void Vertical(ReadOnlySpan<byte> source, int width, int height, int channels, Span<byte> destination, int outHeight)
    {
        var (start, count, weights, kernel) = Coefficients(height, outHeight);
        var k = FixedPoint(weights);
        int stride = width * channels;
        for (int y = 0; y < outHeight; y++)
        {
            int s = start[y], n = count[y], kk = y * kernel;
            var outRow = destination.Slice(y * stride, stride);
            for (int i = 0; i < stride; i++)
            {
                int sum = 1 << (PrecisionBits - 1);
                for (int j = 0; j < n; j++) sum += source[(s + j) * stride + i] * k[kk + j];
                outRow[i] = Clip8(sum);
            }
        }
    }
}
