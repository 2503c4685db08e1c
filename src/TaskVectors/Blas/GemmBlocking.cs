// GemmBlocking: the cache-blocking sizes of ManagedGemm and the balanced splits built from them.
// With Kc = 256: a B micro-panel (Kc×16 floats = 16 KiB for the 6×16 tile, Kc×32 = 32 KiB for the 12×32
// tile, within Zen 5's 48 KiB L1D) stays in L1 while the kernel walks down an A block of up to Mc rows
// (Mc×Kc floats ≈ 144 KiB), and a work item's packed B columns (Kc×Nb floats = 256 KiB) stay in L2 beside
// it (1 MiB per core on Zen 5). Kc is the same for both tiles, which keeps them bit-identical. Kc, Mr and Nr never depend on the thread
// count, so every C element is summed over k in the same order however the work is split.
namespace TaskVectors.Blas;

/// <summary>Block sizes (in elements) and the balanced splitting rule of the managed GEMM.</summary>
internal static class GemmBlocking
{
    /// <summary>Largest k block: the depth of one packed micro-panel and of one register-tile sum.</summary>
    public const int Kc = 256;

    /// <summary>Largest row block the kernel walks with one B micro-panel (a multiple of Mr).</summary>
    public const int Mc = 144;

    /// <summary>Largest column block of one work item (a multiple of Nr).</summary>
    public const int Nb = 256;

    /// <summary>Rows of op(A) packed at once (a multiple of Mr); bounds the shared A buffer.</summary>
    public const int McOuter = 3072;

    /// <summary>
    /// Floats of packed op(A) one pass may hold (16 MiB): the k blocks of a pass share one packing loop and one compute
    /// loop, so a budget that covers every k block of the usual widths (m ≤ 3072 rows × k ≤ 1365, or m = 2048 × 2048)
    /// leaves two parallel loops per GEMM. Only the pass structure depends on it, never the rounding.
    /// </summary>
    public const long PackedABudget = 1L << 22;

    /// <summary>Work items per thread a parallel pass aims for, so uneven items still balance.</summary>
    public const int ItemsPerThread = 4;

    /// <summary>Multiply-adds (m·n·k) below which a GEMM runs on the calling thread only.</summary>
    public const long ParallelThreshold = 1L << 20;

    /// <summary>A panels packed by one packing work item.</summary>
    public const int APanelsPerItem = 8;

    /// <summary>
    /// Splits <paramref name="length"/> into near-equal blocks, each a multiple of
    /// <paramref name="quantum"/> and at most <paramref name="max"/>: the fewest such blocks, but at
    /// least <paramref name="minBlocks"/> when the length allows. Returns the block size; the block
    /// count is ceil(length / size).
    /// </summary>
    public static int Split(int length, int max, int quantum, int minBlocks = 1)
    {
        int blocks = Math.Max(CeilDiv(length, max), Math.Min(minBlocks, CeilDiv(length, quantum)));
        return CeilDiv(CeilDiv(length, blocks), quantum) * quantum;
    }

    /// <summary>ceil(a / b) for non-negative a and positive b.</summary>
    public static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
