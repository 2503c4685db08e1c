// GemmComputeBody: the one parallel pass of the managed GEMM. Iteration `index` owns the C block of columns
// [j0, j0 + ColBlock) (j0 = (index mod ColBlocks)·ColBlock) and rows [r0, r0 + RowPart)
// (r0 = (index / ColBlocks)·RowPart) for the whole depth k: for each k block in turn it packs its op(B)
// columns (Kc×ColBlock, kept in L2) into its own thread's buffer, then, row block by row block (Mc rows),
// packs those op(A) rows (Mc×Kc, in L2) and adds α·A_blk·B_blk to C tile by tile. Items share nothing, so
// the pass needs no barrier between k blocks (each op(A) block is packed once per column block: a copy per
// ColBlock·2 multiply-adds). Blocks are multiples of the Mr×Nr tile and the k blocks are fixed by k alone,
// so the tile grid, and with it every rounding, is the same however the work is split. With Lower set (a
// SYRK), tiles whose rows all lie above their first column (wholly above the diagonal of C) are skipped, and
// so are row blocks and items with no tile on or below the diagonal.
using System.Runtime.CompilerServices;
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body running the macro-kernel on one (row part, column block) of C with an Mr×Nr kernel.</summary>
internal unsafe struct GemmComputeBody : ILoopBody
{
    public delegate*<int, float*, float*, float*, int, int, int, float, float, void> Kernel;
    public float* A, B, C;
    public int Lda, Ldb, Ldc, M, N, K, KcMax, ColBlock, ColBlocks, RowPart, Mr, Nr;
    public bool TransA, TransB, Lower;
    public float Alpha, Beta;

    /// <summary>Number of iterations that cover C.</summary>
    public readonly int Items => ColBlocks * GemmBlocking.CeilDiv(M, RowPart);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Invoke(int index)
    {
        int j0 = index % ColBlocks * ColBlock, r0 = index / ColBlocks * RowPart;
        int cols = Math.Min(ColBlock, N - j0), rowEnd = Math.Min(r0 + RowPart, M);
        if (Lower && rowEnd <= j0) return; // every row of the item is above the block's first column

        // The executing thread's buffers: a worker running this item uses its own, never the caller's.
        var workspace = GemmWorkspace.Current;
        int rowBlock = GemmBlocking.Split(rowEnd - r0, GemmBlocking.Mc, Mr);
        float* packedB = workspace.EnsureB((long)ColBlock * KcMax);
        float* packedA = workspace.EnsureA((long)rowBlock * KcMax);
        for (int p0 = 0; p0 < K; p0 += KcMax)
        {
            int kc = Math.Min(KcMax, K - p0);
            float beta = p0 == 0 ? Beta : 1f; // later k blocks add to the partial sums
            for (int jr = 0; jr < cols; jr += Nr)
                GemmPacking.BPanel(B, Ldb, TransB, p0, kc, j0 + jr, Math.Min(Nr, cols - jr), packedB + (long)jr * kc, Nr);

            // Rows in L2-sized blocks; within one, each Nr-column B micro-panel stays in L1 while the
            // kernel walks down the block's A micro-panels.
            for (int i0 = r0; i0 < rowEnd; i0 += rowBlock)
            {
                int rows = Math.Min(rowBlock, rowEnd - i0);
                if (Lower && FirstTile(i0, j0) >= rows) continue; // the whole row block is above the diagonal
                for (int ir = 0; ir < rows; ir += Mr)
                    GemmPacking.APanel(A, Lda, TransA, i0 + ir, Math.Min(Mr, rows - ir), p0, kc, packedA + (long)ir * kc, Mr);
                for (int jr = 0; jr < cols; jr += Nr)
                {
                    float* bp = packedB + (long)jr * kc;
                    int width = Math.Min(Nr, cols - jr);
                    float* cColumn = C + (long)i0 * Ldc + j0 + jr;
                    for (int ir = Lower ? FirstTile(i0, j0 + jr) : 0; ir < rows; ir += Mr)
                        Kernel(kc, packedA + (long)ir * kc, bp, cColumn + (long)ir * Ldc, Ldc, Math.Min(Mr, rows - ir), width, Alpha, beta);
                }
            }
        }
    }

    // In a SYRK, the offset (from row i0) of the first tile that reaches row `column`, the diagonal of the
    // micro-panel starting there: tiles before it lie wholly above the diagonal.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int FirstTile(int i0, int column) => (Math.Max(0, column - i0 + 1 - Mr) + Mr - 1) / Mr * Mr;
}
