// GemmPackABody: one parallel pass packing the block of op(A) with rows ic0..ic0+mc and columns
// pc..pc+k into Mr-row panels, one set per k block of at most KcMax columns: block b (columns
// pc + b·KcMax onwards, depth kc) starts at packed + b·BlockFloats, its panel q at that + q·Mr·kc.
// Iteration i packs panels [g·APanelsPerItem, (g+1)·APanelsPerItem) of k block b, (b, g) = divmod(i, groups).
using System.Runtime.CompilerServices;
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body packing op(A) panels; every iteration writes its own panels.</summary>
internal unsafe struct GemmPackABody : ILoopBody
{
    public float* A, PackedA;
    public long BlockFloats;
    public int Lda, Pc, K, KcMax, Ic0, Mc, Mr;
    public bool TransA;

    private readonly int Groups => GemmBlocking.CeilDiv(GemmBlocking.CeilDiv(Mc, Mr), GemmBlocking.APanelsPerItem);

    /// <summary>Number of iterations that cover the block.</summary>
    public readonly int Items => Groups * GemmBlocking.CeilDiv(K, KcMax);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Invoke(int index)
    {
        int groups = Groups, block = index / groups, group = index - block * groups;
        int p0 = block * KcMax, kc = Math.Min(KcMax, K - p0);
        float* packed = PackedA + block * BlockFloats;
        int first = group * GemmBlocking.APanelsPerItem;
        int end = Math.Min(first + GemmBlocking.APanelsPerItem, GemmBlocking.CeilDiv(Mc, Mr));
        for (int q = first; q < end; q++)
        {
            int i = q * Mr;
            GemmPacking.APanel(A, Lda, TransA, Ic0 + i, Math.Min(Mr, Mc - i), Pc + p0, kc, packed + (long)q * kc * Mr, Mr);
        }
    }
}
