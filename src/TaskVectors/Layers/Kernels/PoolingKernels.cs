// PoolingKernels: token pooling of a (B, T, C) tensor to (B, C) — the first (CLS) token, or the mean
// over tokens weighted by a (B, T) mask — and the adjoint scatters (B, C) -> (B, T, C) for Backward.
using System.Numerics.Tensors;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Pooling kernels over row-major spans; caller-owned outputs, no allocation. Masked mean:
/// y[b] = Σₜ m[b,t]·x[b,t] / max(Σₜ m[b,t], 10⁻⁹) (the sentence-transformers clamp, so a row with every
/// token masked pools to 0); an empty mask means every m[b,t] = 1.
/// </summary>
internal static class PoolingKernels
{
    /// <summary>Smallest token weight total a masked mean divides by.</summary>
    public const float MinimumWeight = 1e-9f;

    /// <summary>y[b, :] = x[b, 0, :].</summary>
    public static void ClsForward(ReadOnlySpan<float> x, Span<float> y, int batch, int tokens, int cols)
    {
        Check(x.Length, y.Length, batch, tokens, cols);
        for (int b = 0; b < batch; b++) x.Slice(b * tokens * cols, cols).CopyTo(y.Slice(b * cols, cols));
    }

    /// <summary>gx[b, 0, :] = gy[b, :]; gx[b, t, :] = 0 for t &gt; 0 (gx overwritten).</summary>
    public static void ClsBackward(ReadOnlySpan<float> gradOutput, Span<float> gradInput, int batch, int tokens, int cols)
    {
        Check(gradInput.Length, gradOutput.Length, batch, tokens, cols);
        gradInput.Clear();
        for (int b = 0; b < batch; b++) gradOutput.Slice(b * cols, cols).CopyTo(gradInput.Slice(b * tokens * cols, cols));
    }

    /// <summary>
    /// Writes the per-row weight w[b] = 1 / max(Σₜ m[b,t], 10⁻⁹) (1/T without a mask), which
    /// <see cref="MeanForward"/> and <see cref="MeanBackward"/> take.
    /// </summary>
    public static void MeanWeights(ReadOnlySpan<float> mask, Span<float> weights, int batch, int tokens)
    {
        if (weights.Length != batch) throw new ArgumentException($"weights holds {weights.Length} elements, not {batch}.", nameof(weights));
        if (!mask.IsEmpty && mask.Length != batch * tokens) throw new ArgumentException($"mask holds {mask.Length} elements, not {batch}×{tokens}.", nameof(mask));
        for (int b = 0; b < batch; b++)
        {
            double total = mask.IsEmpty ? tokens : 0;
            if (!mask.IsEmpty) for (int t = 0; t < tokens; t++) total += mask[b * tokens + t];
            weights[b] = (float)(1.0 / Math.Max(total, MinimumWeight));
        }
    }

    /// <summary>y[b, :] = w[b]·Σₜ m[b,t]·x[b, t, :] with w from <see cref="MeanWeights"/>; an empty mask is all ones.</summary>
    public static void MeanForward(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, ReadOnlySpan<float> weights, Span<float> y, int batch, int tokens, int cols)
    {
        Check(x.Length, y.Length, batch, tokens, cols);
        CheckMask(mask, weights, batch, tokens);
        for (int b = 0; b < batch; b++)
        {
            var yb = y.Slice(b * cols, cols);
            yb.Clear();
            for (int t = 0; t < tokens; t++)
            {
                float m = mask.IsEmpty ? 1f : mask[b * tokens + t];
                if (m != 0) TensorPrimitives.MultiplyAdd(x.Slice((b * tokens + t) * cols, cols), m, yb, yb);
            }
            TensorPrimitives.Multiply(yb, weights[b], yb);
        }
    }

    /// <summary>gx[b, t, :] = w[b]·m[b,t]·gy[b, :] (gx overwritten); an empty mask is all ones.</summary>
    public static void MeanBackward(ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> mask, ReadOnlySpan<float> weights, Span<float> gradInput, int batch, int tokens, int cols)
    {
        Check(gradInput.Length, gradOutput.Length, batch, tokens, cols);
        CheckMask(mask, weights, batch, tokens);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < tokens; t++)
            {
                float m = mask.IsEmpty ? 1f : mask[b * tokens + t];
                TensorPrimitives.Multiply(gradOutput.Slice(b * cols, cols), weights[b] * m, gradInput.Slice((b * tokens + t) * cols, cols));
            }
    }

    /// <summary>Naive twin of <see cref="MeanForward"/>: the masked mean from scratch in double precision.</summary>
    public static void MeanForwardReference(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y, int batch, int tokens, int cols)
    {
        Check(x.Length, y.Length, batch, tokens, cols);
        for (int b = 0; b < batch; b++)
        {
            double total = 0;
            for (int t = 0; t < tokens; t++) total += mask.IsEmpty ? 1 : mask[b * tokens + t];
            for (int j = 0; j < cols; j++)
            {
                double s = 0;
                for (int t = 0; t < tokens; t++) s += (mask.IsEmpty ? 1 : mask[b * tokens + t]) * (double)x[(b * tokens + t) * cols + j];
                y[b * cols + j] = (float)(s / Math.Max(total, MinimumWeight));
            }
        }
    }

    private static void Check(int xLength, int yLength, int batch, int tokens, int cols)
    {
        if (batch < 0 || tokens <= 0 || cols <= 0 || xLength != batch * tokens * cols)
            throw new ArgumentException($"A (B, T, C) span holds {xLength} elements, not {batch}×{tokens}×{cols}.");
        if (yLength != batch * cols) throw new ArgumentException($"A (B, C) span holds {yLength} elements, not {batch}×{cols}.");
    }

    private static void CheckMask(ReadOnlySpan<float> mask, ReadOnlySpan<float> weights, int batch, int tokens)
    {
        if (!mask.IsEmpty && mask.Length != batch * tokens) throw new ArgumentException($"mask holds {mask.Length} elements, not {batch}×{tokens}.", nameof(mask));
        if (weights.Length != batch) throw new ArgumentException($"weights holds {weights.Length} elements, not {batch}.", nameof(weights));
    }
}
