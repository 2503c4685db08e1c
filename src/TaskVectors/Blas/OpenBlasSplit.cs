// OpenBlasSplit: how OpenBlasGemm spreads one product over ParallelLoop's threads, OpenBLAS itself running
// single-threaded inside each part. GEMM: C's rows, or its columns when that balances the parts better, in
// parts of a multiple of 16, each part at least MinWork multiply-adds, k never split. SYRK: the lower triangle in 1, 2 or 4 horizontal bands of equal
// area (the count depends on the shape only), each band a GEMM for its rectangle left of the diagonal and
// a SYRK for its diagonal triangle.
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>The partitioning rules of <see cref="OpenBlasGemm"/>.</summary>
internal static class OpenBlasSplit
{
    /// <summary>Part boundaries fall on multiples of this many rows or columns.</summary>
    public const int Align = 16;

    /// <summary>
    /// Fewest multiply-adds (m·n·k) in one GEMM part: twice the size below which OpenBLAS switches to its small-matrix
    /// kernels (10⁶ on x86-64), so every part runs the same kernels as the whole product would and each C element is
    /// computed with the same arithmetic whatever the number of parts (tests check this bit for bit; a survey of
    /// 10,000 random shapes found no exception on 16-aligned parts of this size or more).
    /// </summary>
    public const long MinWork = 2L << 20;

    /// <summary>
    /// How to split an m×n×k GEMM: <paramref name="parts"/> pieces of <paramref name="chunk"/> rows of C (or columns when
    /// <paramref name="columns"/>), the last one shorter; one part (chunk = m) when the product is too small, one thread
    /// is all there is, or a loop is already running. Of rows and columns, the split whose largest part is closest to
    /// an even share wins; rows on a tie.
    /// </summary>
    public static void Gemm(int m, int n, int k, out int parts, out int chunk, out bool columns)
    {
        (parts, chunk, columns) = (1, m, false);
        int threads = ParallelLoop.Threads;
        if (threads < 2 || ParallelLoop.Busy) return;
        long work = (long)m * n * k;
        int byWork = (int)Math.Min(threads, work / MinWork);
        if (byWork < 2) return;
        var (rowParts, rowChunk, rowShare) = Along(m, byWork);
        var (colParts, colChunk, colShare) = Along(n, byWork);
        if (rowParts < 2 && colParts < 2) return;
        if (colShare > rowShare) (parts, chunk, columns) = (colParts, colChunk, true);
        else (parts, chunk, columns) = (rowParts, rowChunk, false);
    }

    // Up to `want` parts of a multiple of Align along a dimension of `length`: (parts, chunk, even share / largest part).
    private static (int Parts, int Chunk, double Share) Along(int length, int want)
    {
        int parts = Math.Min(want, length / Align);
        if (parts < 2) return (1, length, 0);
        int chunk = ((length + parts - 1) / parts + Align - 1) / Align * Align;
        parts = (length + chunk - 1) / chunk;
        return parts < 2 ? (1, length, 0) : (parts, chunk, (double)length / parts / chunk);
    }

    /// <summary>
    /// Bands of the SYRK lower triangle of an n×n result with inner dimension k: 4 when each band keeps 64 rows and
    /// enough work, 2 when it keeps 32, else 1. The count never depends on the thread count, so results do not either.
    /// </summary>
    public static int Bands(int n, int k)
    {
        long triangle = (long)n * n / 2 * k;
        if (n >= 4 * 64 && triangle >= 4 * MinWork) return 4;
        if (n >= 2 * 32 && triangle >= 2 * MinWork) return 2;
        return 1;
    }

    /// <summary>First row of band <paramref name="band"/> of <paramref name="bands"/>: n·√(band/bands), on a multiple of 32.</summary>
    public static int BandStart(int n, int bands, int band) =>
        band >= bands ? n : (int)Math.Round(n * Math.Sqrt((double)band / bands) / 32) * 32;
}
