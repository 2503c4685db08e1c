// OpenBlasSgemmPart: one part of a split OpenBLAS GEMM (OpenBlasSplit.Gemm): rows [i·Chunk, (i+1)·Chunk) of C (m×n)
// with the matching rows of op(A) (a row offset when A is not transposed, a column offset when it is) and all of op(B);
// or, when Columns, columns [i·Chunk, (i+1)·Chunk) of C with the matching columns of op(B) and all of op(A). One
// single-threaded cblas_sgemm call.
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body: C[r0:r1, :] = α·op(A)[r0:r1, :]·op(B) + β·C[r0:r1, :], or the same for a block of columns.</summary>
internal unsafe struct OpenBlasSgemmPart : ILoopBody
{
    public delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;
    public float* A, B, C;
    public int TransA, TransB, M, N, K, Lda, Ldb, Ldc, Chunk;
    public bool Columns;
    public float Alpha, Beta;

    /// <inheritdoc />
    public readonly void Invoke(int index)
    {
        int start = index * Chunk, length = Math.Min(Chunk, (Columns ? N : M) - start);
        if (length <= 0) return;
        const int rowMajor = OpenBlasGemm.CblasRowMajor, noTrans = OpenBlasGemm.CblasNoTrans;
        if (Columns)
        {
            float* b = TransB == noTrans ? B + start : B + (long)start * Ldb;
            Sgemm(rowMajor, TransA, TransB, M, length, K, Alpha, A, Lda, b, Ldb, Beta, C + start, Ldc);
            return;
        }
        float* a = TransA == noTrans ? A + (long)start * Lda : A + start;
        Sgemm(rowMajor, TransA, TransB, length, N, K, Alpha, a, Lda, B, Ldb, Beta, C + (long)start * Ldc, Ldc);
    }
}
