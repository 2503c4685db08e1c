// GemmComputeBody: one parallel pass of micro-kernel calls over packed blocks. Iteration `index`
// owns the C block of rows [Ic0 + r·RowBlock, +RowBlock) and columns [Jc + q·ColBlock, +ColBlock)
// (r = index mod RowBlocks, q = index / RowBlocks) and adds α·A_blk·B_blk to it; blocks are
// multiples of the Mr×Nr tile, so the tile grid, and with it every rounding, is split-independent.
using System.Runtime.CompilerServices;
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body running the macro-kernel on one (row block, column block) of C.</summary>
internal unsafe struct GemmComputeBody : ILoopBody
{
    public delegate*<int, float*, float*, float*, int, int, int, float, float, void> Kernel;
    public float* PackedA, PackedB, C;
    public int Ldc, Kc, Ic0, Mc, Jc, Nc, RowBlock, ColBlock, RowBlocks;
    public float Alpha, Beta;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Invoke(int index)
    {
        const int Mr = GemmMicroKernel.Mr, Nr = GemmMicroKernel.Nr;
        int i0 = index % RowBlocks * RowBlock, j0 = index / RowBlocks * ColBlock;
        int rows = Math.Min(RowBlock, Mc - i0), cols = Math.Min(ColBlock, Nc - j0);
        // B micro-panel outer, A micro-panels inner: the 16 KiB B panel stays in L1 while the
        // A block streams from L2.
        for (int jr = 0; jr < cols; jr += Nr)
        {
            float* bp = PackedB + (long)(j0 + jr) * Kc;
            int width = Math.Min(Nr, cols - jr);
            float* cColumn = C + (long)(Ic0 + i0) * Ldc + Jc + j0 + jr;
            for (int ir = 0; ir < rows; ir += Mr)
            {
                float* ap = PackedA + (long)(i0 + ir) * Kc;
                Kernel(Kc, ap, bp, cColumn + (long)ir * Ldc, Ldc, Math.Min(Mr, rows - ir), width, Alpha, Beta);
            }
        }
    }
}
