// GemmArguments: validation shared by every IGemm provider: sizes, leading dimensions and the
// span lengths they imply, so no provider reads or writes outside the caller's buffers.
namespace TaskVectors.Blas;

/// <summary>Checks of the GEMM contract shared by all providers.</summary>
internal static class GemmArguments
{
    /// <summary>Smallest span length that holds a rows×cols matrix with row stride ld.</summary>
    public static long Required(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;

    /// <summary>Throws <see cref="ArgumentException"/> naming the argument that breaks the GEMM contract.</summary>
    public static void Validate(Transpose transA, Transpose transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be non-negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative.");
        int aRows = transA == Transpose.None ? m : k, aCols = transA == Transpose.None ? k : m;
        int bRows = transB == Transpose.None ? k : n, bCols = transB == Transpose.None ? n : k;
        if (lda < Math.Max(1, aCols)) throw new ArgumentOutOfRangeException(nameof(lda), lda, $"lda must be at least {Math.Max(1, aCols)}.");
        if (ldb < Math.Max(1, bCols)) throw new ArgumentOutOfRangeException(nameof(ldb), ldb, $"ldb must be at least {Math.Max(1, bCols)}.");
        if (ldc < Math.Max(1, n)) throw new ArgumentOutOfRangeException(nameof(ldc), ldc, $"ldc must be at least {Math.Max(1, n)}.");
        if (aLength < Required(aRows, aCols, lda)) throw new ArgumentException($"A holds {aLength} elements; a {aRows}×{aCols} matrix with lda={lda} needs {Required(aRows, aCols, lda)}.", "a");
        if (bLength < Required(bRows, bCols, ldb)) throw new ArgumentException($"B holds {bLength} elements; a {bRows}×{bCols} matrix with ldb={ldb} needs {Required(bRows, bCols, ldb)}.", "b");
        if (cLength < Required(m, n, ldc)) throw new ArgumentException($"C holds {cLength} elements; a {m}×{n} matrix with ldc={ldc} needs {Required(m, n, ldc)}.", "c");
    }
}
