// IGemm: the one seam every matrix product goes through. Row-major single precision:
// C (m×n, leading dimension ldc) = α · op(A) (m×k) · op(B) (k×n) + β · C; and the symmetric rank-k
// update of a lower triangle, C (n×n) = α · AᵀA + β · C for A (k×n), which KFAC's Gram matrices use.
namespace TaskVectors.Blas;

/// <summary>
/// A single-precision GEMM provider over row-major storage:
/// C[i, j] ← α · Σ_p op(A)[i, p] · op(B)[p, j] + β · C[i, j] for 0 ≤ i &lt; m, 0 ≤ j &lt; n.
/// A is stored m×k (row stride lda ≥ k) when transA is None and k×m (lda ≥ m)
/// otherwise; likewise B is k×n (ldb ≥ n) or n×k (ldb ≥ k); C is m×n with ldc ≥ n.
/// When β = 0, C is not read (NaNs in C do not propagate), as in BLAS.
/// </summary>
internal interface IGemm
{
    /// <summary>Short provider name ("openblas", "managed", "reference").</summary>
    string Name { get; }

    /// <summary>The provider and what its results depend on, for logs (OpenBLAS adds its kernel and build); by default <see cref="Name"/>.</summary>
    string Description => Name;

    /// <summary>Computes C = α · op(A) · op(B) + β · C (see the interface remarks for the storage rules).</summary>
    void Sgemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);

    /// <summary>
    /// GEMM with a bias row: C[i, j] ← α · Σ_p op(A)[i, p] · op(B)[p, j] + bias[j] (bias of length n; C's previous
    /// content is not read), rounded exactly as <see cref="Sgemm"/> with β = 1 on a C whose rows all hold the bias.
    /// The default broadcasts the bias in parallel and calls <see cref="Sgemm"/>; a provider may fuse it instead.
    /// </summary>
    void SgemmBias(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        ReadOnlySpan<float> bias, Span<float> c, int ldc) =>
        GemmBias.Unfused(this, transA, transB, m, n, k, alpha, a, lda, b, ldb, bias, c, ldc);

    /// <summary>
    /// Symmetric rank-k update of the lower triangle: C[i, j] ← α · Σ_p A[p, i] · A[p, j] + β · C[i, j] for
    /// 0 ≤ j ≤ i &lt; n, with A stored k×n (row stride lda ≥ n) and C n×n (ldc ≥ n). Entries above the diagonal are
    /// unspecified afterwards (a provider may overwrite them). When β = 0, C is not read. The default computes the
    /// triangle as column panels of <see cref="Sgemm"/> (<see cref="GemmSyrk.Panels"/>); a provider with a native SYRK
    /// overrides it.
    /// </summary>
    void SsyrkLower(int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc) =>
        GemmSyrk.Panels(this, n, k, alpha, a, lda, beta, c, ldc);
}
