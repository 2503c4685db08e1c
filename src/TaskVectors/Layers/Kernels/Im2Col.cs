// Im2Col: the patch matrix of a convolution whose stride equals its kernel (ViT patch embedding).
// images (B, C, H, W) NCHW ↔ cols (B·P, C·p·p), P = (H/p)·(W/p) patches in row-major grid order and
// columns ordered (c, ky, kx) to match a PyTorch Conv2d weight (out, C, p, p) viewed as (out, C·p·p).
namespace TaskVectors.Layers.Kernels;

/// <summary>
/// cols[b·P + gy·Gw + gx, (c·p + ky)·p + kx] = images[b, c, gy·p + ky, gx·p + kx] with Gw = W/p.
/// Patches do not overlap, so every pixel appears in exactly one column entry and col2im is a plain
/// scatter (no sums). H and W must be multiples of p.
/// </summary>
internal static class Im2Col
{
    /// <summary>Gathers the patches of <paramref name="images"/> (B, C, H, W) into <paramref name="cols"/> (B·P, C·p·p).</summary>
    public static void Forward(ReadOnlySpan<float> images, Span<float> cols, int batch, int channels, int height, int width, int patch)
    {
        Check(images.Length, cols.Length, batch, channels, height, width, patch);
        int gridH = height / patch, gridW = width / patch;
        int col = 0;
        // Destination order is sequential; each (c, ky) contributes one contiguous run of p pixels.
        for (int b = 0; b < batch; b++)
            for (int gy = 0; gy < gridH; gy++)
                for (int gx = 0; gx < gridW; gx++)
                    for (int c = 0; c < channels; c++)
                    {
                        int source = ((b * channels + c) * height + gy * patch) * width + gx * patch;
                        for (int ky = 0; ky < patch; ky++, col += patch)
                            images.Slice(source + ky * width, patch).CopyTo(cols.Slice(col, patch));
                    }
    }

    /// <summary>
    /// col2im, the adjoint of <see cref="Forward"/>: scatters <paramref name="cols"/> (B·P, C·p·p) back into
    /// <paramref name="images"/> (B, C, H, W), overwriting it (each pixel belongs to exactly one patch).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> cols, Span<float> images, int batch, int channels, int height, int width, int patch)
    {
        Check(images.Length, cols.Length, batch, channels, height, width, patch);
        int gridH = height / patch, gridW = width / patch;
        int col = 0;
        for (int b = 0; b < batch; b++)
            for (int gy = 0; gy < gridH; gy++)
                for (int gx = 0; gx < gridW; gx++)
                    for (int c = 0; c < channels; c++)
                    {
                        int target = ((b * channels + c) * height + gy * patch) * width + gx * patch;
                        for (int ky = 0; ky < patch; ky++, col += patch)
                            cols.Slice(col, patch).CopyTo(images.Slice(target + ky * width, patch));
                    }
    }

    /// <summary>Reference twin of <see cref="Forward"/>: one element at a time from the index formula.</summary>
    public static void ForwardReference(ReadOnlySpan<float> images, Span<float> cols, int batch, int channels, int height, int width, int patch)
    {
        Check(images.Length, cols.Length, batch, channels, height, width, patch);
        int gridW = width / patch, patches = height / patch * gridW, rowLength = channels * patch * patch;
        for (int b = 0; b < batch; b++)
            for (int n = 0; n < patches; n++)
                for (int c = 0; c < channels; c++)
                    for (int ky = 0; ky < patch; ky++)
                        for (int kx = 0; kx < patch; kx++)
                        {
                            int y = n / gridW * patch + ky, x = n % gridW * patch + kx;
                            cols[(b * patches + n) * rowLength + (c * patch + ky) * patch + kx] =
                                images[((b * channels + c) * height + y) * width + x];
                        }
    }

    /// <summary>Reference twin of <see cref="Backward"/>: one element at a time from the index formula.</summary>
    public static void BackwardReference(ReadOnlySpan<float> cols, Span<float> images, int batch, int channels, int height, int width, int patch)
    {
        Check(images.Length, cols.Length, batch, channels, height, width, patch);
        int gridW = width / patch, patches = height / patch * gridW, rowLength = channels * patch * patch;
        for (int b = 0; b < batch; b++)
            for (int n = 0; n < patches; n++)
                for (int c = 0; c < channels; c++)
                    for (int ky = 0; ky < patch; ky++)
                        for (int kx = 0; kx < patch; kx++)
                        {
                            int y = n / gridW * patch + ky, x = n % gridW * patch + kx;
                            images[((b * channels + c) * height + y) * width + x] =
                                cols[(b * patches + n) * rowLength + (c * patch + ky) * patch + kx];
                        }
    }

    private static void Check(int imagesLength, int colsLength, int batch, int channels, int height, int width, int patch)
    {
        if (batch < 0 || channels <= 0 || height <= 0 || width <= 0 || patch <= 0)
            throw new ArgumentException($"Invalid im2col sizes: batch {batch}, channels {channels}, {height}×{width} image, patch {patch}.");
        if (height % patch != 0 || width % patch != 0)
            throw new ArgumentException($"A {height}×{width} image does not divide into {patch}×{patch} patches.");
        long length = (long)batch * channels * height * width;
        if (imagesLength != length || colsLength != length)
            throw new ArgumentException($"Spans of {imagesLength} (images) and {colsLength} (cols) elements do not hold {batch}×{channels}×{height}×{width}.");
    }
}
