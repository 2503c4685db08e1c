// GemmBlocking: the cache-blocking sizes of ManagedGemm and the balanced splits built from them.
// With a 6×16 tile and Kc = 256: a B micro-panel (Kc×16 floats = 16 KiB) stays in L1 while the
// kernel walks down an A block of up to Mc rows (Mc×Kc floats ≈ 144 KiB) held in L2, and a work
// item's B columns (Kc×Nb floats = 256 KiB) also fit in L2. None of them depend on the thread count,
// so every C element is summed over k in the same order however the work is split.
namespace TaskVectors.Blas;

/// <summary>Block sizes (in elements) and the balanced splitting rule of the managed GEMM.</summary>
internal static class GemmBlocking
{
    /// <summary>Largest k block: the depth of one packed micro-panel and of one register-tile sum.</summary>
    public const int Kc = 256;

    /// <summary>Largest row block of one work item (a multiple of Mr).</summary>
    public const int Mc = 144;

    /// <summary>Largest column block of one work item (a multiple of Nr).</summary>
    public const int Nb = 256;

    /// <summary>Rows of op(A) packed at once (a multiple of Mr); bounds the A buffer.</summary>
    public const int McOuter = 3072;

    /// <summary>Columns of op(B) packed at once (a multiple of Nr); bounds the B buffer.</summary>
    public const int Nc = 4096;

    /// <summary>Multiply-adds (m·n·k) below which a GEMM runs on the calling thread only.</summary>
    public const long ParallelThreshold = 1L << 20;

    /// <summary>A panels packed by one packing work item, and B panels likewise.</summary>
    public const int APanelsPerItem = 8, BPanelsPerItem = 4;

    /// <summary>
    /// Splits <paramref name="length"/> into the fewest near-equal parts of at most
    /// <paramref name="max"/>, each rounded up to a multiple of <paramref name="quantum"/>.
    /// Returns the part size; the part count is ceil(length / size).
    /// </summary>
    public static int Split(int length, int max, int quantum)
    {
        int parts = (length + max - 1) / max;
        int size = (length + parts - 1) / parts;
        return (size + quantum - 1) / quantum * quantum;
    }

    /// <summary>ceil(a / b) for positive b.</summary>
    public static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
