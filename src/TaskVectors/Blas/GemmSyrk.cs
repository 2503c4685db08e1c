// GemmSyrk: the lower triangle of C (n×n) = α · AᵀA + β · C for A (k×n), row-major, on top of any GEMM:
// column panels of width Panel, each panel C[j0:n, j0:j0+w] one Sgemm, so about half the multiply-adds
// of a full AᵀA are done (all of the triangle plus the upper half of each diagonal square). Also the
// argument checks shared by every provider's SYRK, and a naive double-precision twin for tests.
namespace TaskVectors.Blas;

/// <summary>Symmetric rank-k updates through the GEMM seam (see <see cref="IGemm.SsyrkLower"/>).</summary>
internal static class GemmSyrk
{
    /// <summary>Columns per panel: wide enough for GEMM efficiency, narrow enough to skip most of the upper triangle.</summary>
    public const int Panel = 96;

    /// <summary>Computes the lower triangle of C = α · AᵀA + β · C with one <see cref="IGemm.Sgemm"/> per column panel.</summary>
    public static void Panels(IGemm gemm, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
    {
        Validate(n, k, a.Length, lda, c.Length, ldc);
        for (int j0 = 0; j0 < n; j0 += Panel)
        {
            int width = Math.Min(Panel, n - j0), height = n - j0;
            // C[j0:n, j0:j0+width] = α · A[:, j0:n]ᵀ · A[:, j0:j0+width] + β · C[…]
            gemm.Sgemm(Transpose.Transpose, Transpose.None, height, width, k,
                alpha, a[j0..], lda, a[j0..], lda, beta, c[(j0 * ldc + j0)..], ldc);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the argument that breaks the SYRK contract.</summary>
    public static void Validate(int n, int k, int aLength, int lda, int cLength, int ldc)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative.");
        if (lda < Math.Max(1, n)) throw new ArgumentOutOfRangeException(nameof(lda), lda, $"lda must be at least {Math.Max(1, n)}.");
        if (ldc < Math.Max(1, n)) throw new ArgumentOutOfRangeException(nameof(ldc), ldc, $"ldc must be at least {Math.Max(1, n)}.");
        if (aLength < GemmArguments.Required(k, n, lda)) throw new ArgumentException($"A holds {aLength} elements; a {k}×{n} matrix with lda={lda} needs {GemmArguments.Required(k, n, lda)}.", "a");
        if (cLength < GemmArguments.Required(n, n, ldc)) throw new ArgumentException($"C holds {cLength} elements; a {n}×{n} matrix with ldc={ldc} needs {GemmArguments.Required(n, n, ldc)}.", "c");
    }

    /// <summary>Naive twin: the lower triangle in double precision, C not read when β = 0.</summary>
    public static void Reference(int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
    {
        Validate(n, k, a.Length, lda, c.Length, ldc);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (double)a[p * lda + i] * a[p * lda + j];
                c[i * ldc + j] = (float)(alpha * sum + (beta == 0 ? 0 : beta * (double)c[i * ldc + j]));
            }
    }
}
