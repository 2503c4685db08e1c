// OpenBlasSplit: how OpenBlasGemm cuts one product into parts that ParallelLoop's threads share, OpenBLAS itself
// running single-threaded inside each part. The partition is a function of the shape (m, n, k) alone, never of the
// thread count or of whether a loop is already running: the same OpenBLAS calls with the same arguments happen
// whatever the threads, one thread running them in sequence, so results are bit-identical for any thread count under
// any OpenBLAS kernel (a part need not compute its elements as the whole call would: some kernels do not).
// GEMM: C's rows, or its columns when they fill the wanted parts better, in up to MaxParts parts of a multiple of 16
// and at least MinLength, each at least MinWork multiply-adds, k never split. SYRK: the lower triangle in 1, 2 or 4
// horizontal bands of equal area, each band a GEMM for its rectangle left of the diagonal and a SYRK for its
// diagonal triangle.
using System.Numerics;

namespace TaskVectors.Blas;

/// <summary>The partitioning rules of <see cref="OpenBlasGemm"/>: functions of the shape only.</summary>
internal static class OpenBlasSplit
{
    /// <summary>Part boundaries fall on multiples of this many rows or columns.</summary>
    public const int Align = 16;

    /// <summary>Fewest rows (or columns) in a part but the last: each part repacks all of the other operand, which
    /// costs about 1/length of its multiply-adds.</summary>
    public const int MinLength = 64;

    /// <summary>
    /// Most parts of one GEMM, a power of two: enough to keep 16 threads busy and to share evenly among 2, 4, 8 or 16
    /// (ParallelLoop hands parts out one at a time, so other counts balance too, a little less evenly).
    /// </summary>
    public const int MaxParts = 16;

    /// <summary>Fewest multiply-adds (m·n·k) in one GEMM part: below that a part's call overhead starts to show.</summary>
    public const long MinWork = 2L << 20;

    /// <summary>
    /// How to split an m×n×k GEMM: <paramref name="parts"/> pieces of <paramref name="chunk"/> rows of C (or columns when
    /// <paramref name="columns"/>), the last one shorter; one part (chunk = m) when the product is too small. Along each
    /// dimension the count is the largest power of two ≤ min(<see cref="MaxParts"/>, m·n·k / <see cref="MinWork"/>,
    /// length / <see cref="MinLength"/>); the dimension whose parts would best fill the wanted count of threads wins, rows on
    /// a tie.
    /// </summary>
    public static void Gemm(int m, int n, int k, out int parts, out int chunk, out bool columns)
    {
        (parts, chunk, columns) = (1, m, false);
        int want = (int)Math.Min(MaxParts, (long)m * n * k / MinWork);
        var (rowParts, rowChunk, rowShare) = Along(m, want);
        var (colParts, colChunk, colShare) = Along(n, want);
        if (rowParts < 2 && colParts < 2) return;
        if (colShare > rowShare) (parts, chunk, columns) = (colParts, colChunk, true);
        else (parts, chunk, columns) = (rowParts, rowChunk, false);
    }

    // Splits a dimension of `length` for up to `want` parts: p = the largest power of two ≤ min(want, length / MinLength),
    // chunks of ⌈length / p⌉ rounded up to Align (so maybe fewer than p parts). Returns (parts, chunk,
    // length / (want·chunk)): how fully the parts would fill `want` threads, each with one part.
    private static (int Parts, int Chunk, double Share) Along(int length, int want)
    {
        int most = Math.Min(want, length / MinLength);
        if (most < 2) return (1, length, 0);
        int p = 1 << (31 - BitOperations.LeadingZeroCount((uint)most));
        int chunk = ((length + p - 1) / p + Align - 1) / Align * Align;
        int parts = (length + chunk - 1) / chunk;
        return parts < 2 ? (1, length, 0) : (parts, chunk, (double)length / ((long)want * chunk));
    }

    /// <summary>
    /// Bands of the SYRK lower triangle of an n×n result with inner dimension k: 4 when each band keeps 64 rows and
    /// enough work, 2 when it keeps 32, else 1. The count depends on the shape only, so results do not depend on the
    /// thread count.
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
