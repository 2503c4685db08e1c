// L2NormalizeKernels: row-wise L2 normalization of a (rows, C) matrix, x -> y (rows, C) with the
// per-row norms (rows), and its Jacobian-vector product v (rows, C) -> J·v (rows, C). The Jacobian is
// symmetric, so the same kernel serves Backward (v = ∂L/∂y) and Jvp (v = ẋ).
using System.Numerics.Tensors;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Row-wise y = x / max(‖x‖₂, ε), as <c>torch.nn.functional.normalize</c>; caller-owned outputs, no
/// allocation. For ‖x‖ &gt; ε the Jacobian is (I − y·yᵀ)/‖x‖; for ‖x‖ ≤ ε it is I/ε.
/// </summary>
internal static class L2NormalizeKernels
{
    /// <summary>y[r] = x[r] / max(‖x[r]‖, ε); writes ‖x[r]‖ to <paramref name="norms"/>. y may alias x.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> norms, int rows, int cols, float eps)
    {
        Check(x.Length, y.Length, norms.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            float n = TensorPrimitives.Norm(xr);
            norms[r] = n;
            TensorPrimitives.Multiply(xr, 1f / Math.Max(n, eps), y.Slice(r * cols, cols));
        }
    }

    /// <summary>
    /// destination[r] = (v[r] − y[r]·⟨y[r], v[r]⟩) / ‖x[r]‖ when ‖x[r]‖ &gt; ε, else v[r] / ε; y and the norms
    /// come from <see cref="Forward"/>. destination may alias v.
    /// </summary>
    public static void JacobianProduct(ReadOnlySpan<float> y, ReadOnlySpan<float> norms, ReadOnlySpan<float> v, Span<float> destination, int rows, int cols, float eps)
    {
        Check(y.Length, v.Length, norms.Length, rows, cols);
        if (destination.Length != v.Length) throw new ArgumentException($"destination holds {destination.Length} elements, not {rows}×{cols}.", nameof(destination));
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var vr = v.Slice(r * cols, cols);
            var dr = destination.Slice(r * cols, cols);
            float n = norms[r];
            if (n > eps)
            {
                float dot = TensorPrimitives.Dot(yr, vr);
                // dr = (vr − yr·dot) / n
                TensorPrimitives.MultiplyAdd(yr, -dot, vr, dr);
                TensorPrimitives.Multiply(dr, 1f / n, dr);
            }
            else TensorPrimitives.Multiply(vr, 1f / eps, dr);
        }
    }

    /// <summary>Naive twin of <see cref="Forward"/> in double precision.</summary>
    public static void ForwardReference(ReadOnlySpan<float> x, Span<float> y, Span<float> norms, int rows, int cols, float eps)
    {
        Check(x.Length, y.Length, norms.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double ss = 0;
            for (int j = 0; j < cols; j++) ss += (double)x[r * cols + j] * x[r * cols + j];
            double n = Math.Sqrt(ss);
            norms[r] = (float)n;
            for (int j = 0; j < cols; j++) y[r * cols + j] = (float)(x[r * cols + j] / Math.Max(n, eps));
        }
    }

    /// <summary>Naive twin of <see cref="JacobianProduct"/> in double precision.</summary>
    public static void JacobianProductReference(ReadOnlySpan<float> y, ReadOnlySpan<float> norms, ReadOnlySpan<float> v, Span<float> destination, int rows, int cols, float eps)
    {
        Check(y.Length, v.Length, norms.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double n = norms[r], dot = 0;
            for (int j = 0; j < cols; j++) dot += (double)y[r * cols + j] * v[r * cols + j];
            for (int j = 0; j < cols; j++)
                destination[r * cols + j] = (float)(n > eps ? (v[r * cols + j] - y[r * cols + j] * dot) / n : v[r * cols + j] / (double)eps);
        }
    }

    private static void Check(int xLength, int yLength, int normsLength, int rows, int cols)
    {
        if (rows < 0 || cols <= 0 || xLength != rows * cols || yLength != rows * cols)
            throw new ArgumentException($"Spans of {xLength} and {yLength} elements do not hold {rows}×{cols}.");
        if (normsLength != rows) throw new ArgumentException($"norms holds {normsLength} elements, not {rows}.");
    }
}
