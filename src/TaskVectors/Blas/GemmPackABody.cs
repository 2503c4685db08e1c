// GemmPackABody: one parallel pass packing the block of op(A) with rows ic0..ic0+mc and columns
// pc..pc+kc into Mr-row panels (panel q at packed + q·Mr·kc), shared by every compute item after it.
// Iteration i packs panels [i·APanelsPerItem, (i+1)·APanelsPerItem).
using System.Runtime.CompilerServices;
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body packing op(A) panels; every iteration writes its own panels.</summary>
internal unsafe struct GemmPackABody : ILoopBody
{
    public float* A, PackedA;
    public int Lda, Pc, Kc, Ic0, Mc, Mr;
    public bool TransA;

    /// <summary>Number of iterations that cover the block.</summary>
    public readonly int Items => GemmBlocking.CeilDiv(GemmBlocking.CeilDiv(Mc, Mr), GemmBlocking.APanelsPerItem);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Invoke(int index)
    {
        int first = index * GemmBlocking.APanelsPerItem;
        int end = Math.Min(first + GemmBlocking.APanelsPerItem, GemmBlocking.CeilDiv(Mc, Mr));
        for (int q = first; q < end; q++)
        {
            int i = q * Mr;
            GemmPacking.APanel(A, Lda, TransA, Ic0 + i, Math.Min(Mr, Mc - i), Pc, Kc, PackedA + (long)q * Kc * Mr, Mr);
        }
    }
}
