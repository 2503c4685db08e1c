// GramKernels: the accumulations behind the KFAC sums, S (n × n, float64) += scale · XᵀX for X (rows × n,
// float32), lower triangle only (mirror once at the end with Symmetrize). The product is the GEMM seam's
// float32 SYRK (about half the multiply-adds of a full XᵀX); its result is then added into the float64
// sum. Naive double-precision twins are the tests' reference.
using TaskVectors.Blas;
using TaskVectors.Tensors;

namespace TaskVectors.Curvature;

/// <summary>Symmetric rank-k updates of float64 sums from float32 rows.</summary>
internal static class GramKernels
{
    /// <summary>
    /// For i ≥ j: sum[i·ldSum + j] += scale · Σ_r x[r·ld + i] · x[r·ld + j], with the products in float32 (each entry a
    /// float32 dot product over the rows) and the accumulation in float64. <paramref name="scratch"/> holds ≥ n² floats.
    /// </summary>
    public static void AddGramLower(ReadOnlySpan<float> x, int rows, int n, int ld, double scale, Span<double> sum, int ldSum, Span<float> scratch)
    {
        if (rows == 0) return;
        Gemm.Default.SsyrkLower(n, rows, 1f, x, ld, 0f, scratch, n);
        for (int i = 0; i < n; i++) TensorMath.AddScaledWidened(scratch.Slice(i * n, i + 1), scale, sum.Slice(i * ldSum, i + 1));
    }

    /// <summary>
    /// The augmented Gram of ā = [x; 1], lower triangle: the top-left n × n block as <see cref="AddGramLower"/>, the last
    /// row += scale · Σ_r x[r, :] (a float32 sum over the rows, like the products), and the corner += scale · rows.
    /// <paramref name="sum"/> is (n+1)²; <paramref name="scratch"/> holds ≥ n² + n floats; x is contiguous (ld = n).
    /// </summary>
    public static void AddAugmentedGramLower(ReadOnlySpan<float> x, int rows, int n, double scale, Span<double> sum, Span<float> scratch)
    {
        int ld = n + 1;
        AddGramLower(x, rows, n, n, scale, sum, ld, scratch);
        var columns = scratch.Slice(n * n, n);
        columns.Clear();
        TensorMath.AddColumnSums(x[..(rows * n)], rows, n, columns);
        var last = sum.Slice(n * ld, ld);
        TensorMath.AddScaledWidened(columns, scale, last[..n]);
        last[n] += scale * rows;
    }

    /// <summary>
    /// sum (m × n, row stride ldSum, float64) += scale · Yᵀ X for Y (rows × m) and X (rows × n), both contiguous float32:
    /// one float32 GEMM into <paramref name="scratch"/> (≥ m·n floats), then added in float64. The diagonal-GGN sums use it
    /// with Y = g² and X = ā², and fused blocks for the cross terms between members.
    /// </summary>
    public static void AddTransposeProduct(ReadOnlySpan<float> y, int m, ReadOnlySpan<float> x, int n, int rows, double scale, Span<double> sum, int ldSum, Span<float> scratch)
    {
        if (rows == 0) return;
        var product = scratch[..(m * n)];
        Gemm.Default.Sgemm(Transpose.Transpose, Transpose.None, m, n, rows, 1f, y, m, x, n, 0f, product, n);
        for (int i = 0; i < m; i++) TensorMath.AddScaledWidened(product.Slice(i * n, n), scale, sum.Slice(i * ldSum, n));
    }

    /// <summary>Naive twin of <see cref="AddTransposeProduct"/> in float64.</summary>
    public static void AddTransposeProductReference(ReadOnlySpan<float> y, int m, ReadOnlySpan<float> x, int n, int rows, double scale, Span<double> sum)
    {
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) sum[i * n + j] += scale * y[r * m + i] * (double)x[r * n + j];
    }

    /// <summary>Copies the lower triangle of the n × n matrix <paramref name="sum"/> onto its upper triangle.</summary>
    public static void Symmetrize(Span<double> sum, int n)
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) sum[j * n + i] = sum[i * n + j];
    }

    /// <summary>Naive twin: the full sum[i·n + j] += scale · Σ_r ā_r[i] ā_r[j] in float64, ā = x or [x; 1].</summary>
    public static void AddGramReference(ReadOnlySpan<float> x, int rows, int n, bool augment, double scale, Span<double> sum)
    {
        int size = augment ? n + 1 : n;
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < size; i++)
            {
                double xi = i < n ? x[r * n + i] : 1.0;
                for (int j = 0; j < size; j++) sum[i * size + j] += scale * xi * (j < n ? x[r * n + j] : 1.0);
            }
    }
}
