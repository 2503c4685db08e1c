// ReferenceGemm: the naive triple loop, accumulating in double. The ground truth that the fast
// providers are tested against; far too slow for real work.
namespace TaskVectors.Blas;

/// <summary>Naive GEMM (double accumulation), the reference twin of the fast providers.</summary>
internal sealed class ReferenceGemm : IGemm
{
    /// <summary>The shared instance.</summary>
    public static ReferenceGemm Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public void Sgemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA == Transpose.None ? a[i * lda + p] : a[p * lda + i];
                    float bv = transB == Transpose.None ? b[p * ldb + j] : b[j * ldb + p];
                    s += (double)av * bv;
                }
                ref float cij = ref c[i * ldc + j];
                cij = beta == 0f ? (float)(alpha * s) : (float)(alpha * s + (double)beta * cij);
            }
        }
    }
}
