// BicubicResampleReference: the naive twin of BicubicResample — the same separable antialiased bicubic
// (PIL's filter, a = −0.5) in double precision with no fixed point: each output sample is the rounded
// weighted sum Σ_j w_j · in_j over the normalized weights, horizontal pass first (rounded to 8 bits), then vertical.
namespace TaskVectors.Data;

internal static class BicubicResampleReference
{
    public static byte[] Resize(byte[] source, int width, int height, int channels, int outWidth, int outHeight)
    {
        var temp = Pass(source, width, height, channels, outWidth, horizontal: true);
        return Pass(temp, outWidth, height, channels, outHeight, horizontal: false);
    }

    private static byte[] Pass(byte[] source, int width, int height, int channels, int outSize, bool horizontal)
    {
        int inSize = horizontal ? width : height;
        int outW = horizontal ? outSize : width, outH = horizontal ? height : outSize;
        var result = new byte[outW * outH * channels];
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0), support = 2.0 * filterScale;
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                int i = horizontal ? x : y;
                double center = (i + 0.5) * scale;
                var taps = new List<(int Index, double Weight)>();
                for (int j = 0; j < inSize; j++)
                {
                    // Same taps as PIL: inputs whose centers lie within the support around the output center.
                    if (j < (int)(center - support + 0.5) || j >= (int)(center + support + 0.5)) continue;
                    taps.Add((j, BicubicResample.Filter((j - center + 0.5) / filterScale)));
                }
                double total = taps.Sum(t => t.Weight);
                for (int c = 0; c < channels; c++)
                {
                    double sum = 0;
                    foreach (var (j, w) in taps)
                        sum += w / total * source[((horizontal ? y : j) * width + (horizontal ? j : x)) * channels + c];
                    result[(y * outW + x) * channels + c] = (byte)Math.Clamp(Math.Round(sum, MidpointRounding.AwayFromZero), 0, 255);
                }
            }
        return result;
    }
}
