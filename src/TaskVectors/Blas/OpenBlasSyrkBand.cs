// OpenBlasSyrkBand: one band of a split OpenBLAS SYRK, C (n×n, lower) = α·AᵀA + β·C for A (k×n) row-major. Band b
// covers rows [r0, r1) (OpenBlasSplit.BandStart): the rectangle C[r0:r1, 0:r0] = α·A[:, r0:r1]ᵀ·A[:, 0:r0] + β·C
// is one GEMM, the triangle C[r0:r1, r0:r1] one SYRK; both single-threaded.
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body: one band of the lower triangle of α·AᵀA + β·C.</summary>
internal unsafe struct OpenBlasSyrkBand : ILoopBody
{
    public delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;
    public delegate* unmanaged<int, int, int, int, int, float, float*, int, float, float*, int, void> Ssyrk;
    public float* A, C;
    public int N, K, Lda, Ldc, Bands;
    public float Alpha, Beta;

    /// <inheritdoc />
    public readonly void Invoke(int index)
    {
        int r0 = OpenBlasSplit.BandStart(N, Bands, index), r1 = OpenBlasSplit.BandStart(N, Bands, index + 1), rows = r1 - r0;
        if (rows <= 0) return;
        if (r0 > 0)
            Sgemm(OpenBlasGemm.CblasRowMajor, OpenBlasGemm.CblasTrans, OpenBlasGemm.CblasNoTrans, rows, r0, K,
                Alpha, A + r0, Lda, A, Lda, Beta, C + (long)r0 * Ldc, Ldc);
        Ssyrk(OpenBlasGemm.CblasRowMajor, OpenBlasGemm.CblasLower, OpenBlasGemm.CblasTrans, rows, K, Alpha, A + r0, Lda, Beta, C + (long)r0 * Ldc + r0, Ldc);
    }
}
