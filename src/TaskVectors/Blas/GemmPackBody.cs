// GemmPackBody: one parallel pass that packs a block of op(A) (rows ic0..ic0+mc, columns pc..pc+kc)
// into Mr-row panels and, when asked, a block of op(B) (rows pc..pc+kc, columns jc..jc+nc) into
// Nr-column panels. Iteration i < AItems packs a group of A panels, the rest groups of B panels.
using System.Runtime.CompilerServices;
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body packing GEMM operand panels; every iteration writes its own panels.</summary>
internal unsafe struct GemmPackBody : ILoopBody
{
    public float* A, B, PackedA, PackedB;
    public int Lda, Ldb, Pc, Kc, Ic0, Mc, Jc, Nc, AItems;
    public bool TransA, TransB;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Invoke(int index)
    {
        const int Mr = GemmMicroKernel.Mr, Nr = GemmMicroKernel.Nr;
        if (index < AItems)
        {
            int first = index * GemmBlocking.APanelsPerItem;
            int end = Math.Min(first + GemmBlocking.APanelsPerItem, GemmBlocking.CeilDiv(Mc, Mr));
            for (int q = first; q < end; q++)
            {
                int i = q * Mr;
                GemmPacking.APanel(A, Lda, TransA, Ic0 + i, Math.Min(Mr, Mc - i), Pc, Kc, PackedA + (long)q * Kc * Mr);
            }
            return;
        }
        int firstB = (index - AItems) * GemmBlocking.BPanelsPerItem;
        int endB = Math.Min(firstB + GemmBlocking.BPanelsPerItem, GemmBlocking.CeilDiv(Nc, Nr));
        for (int q = firstB; q < endB; q++)
        {
            int j = q * Nr;
            GemmPacking.BPanel(B, Ldb, TransB, Pc, Kc, Jc + j, Math.Min(Nr, Nc - j), PackedB + (long)q * Kc * Nr);
        }
    }
}
