// IGemm: the one seam every matrix product goes through. Row-major single precision:
// C (m×n, leading dimension ldc) = α · op(A) (m×k) · op(B) (k×n) + β · C.
namespace TaskVectors.Blas;

/// <summary>
/// A single-precision GEMM provider over row-major storage:
/// C[i, j] ← α · Σ_p op(A)[i, p] · op(B)[p, j] + β · C[i, j] for 0 ≤ i &lt; m, 0 ≤ j &lt; n.
/// A is stored m×k (row stride lda ≥ k) when transA is None and k×m (lda ≥ m)
/// otherwise; likewise B is k×n (ldb ≥ n) or n×k (ldb ≥ k); C is m×n with ldc ≥ n.
/// When β = 0, C is not read (NaNs in C do not propagate), as in BLAS.
/// </summary>
public interface IGemm
{
    /// <summary>Short provider name ("openblas", "managed", "reference").</summary>
    string Name { get; }

    /// <summary>Computes C = α · op(A) · op(B) + β · C (see the interface remarks for the storage rules).</summary>
    void Sgemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);
}
