// GemmComputeBody: one parallel pass of the macro-kernel. Iteration `index` owns the C block of
// columns [j0, j0 + ColBlock) (j0 = (index mod ColBlocks)·ColBlock) and rows [r0, r0 + RowPart)
// (r0 = (index / ColBlocks)·RowPart) of the current row chunk. For each k block of the pass in order
// (columns pc + b·KcMax onwards, depth kc ≤ KcMax) it packs its op(B) rows into its own thread's buffer,
// where they stay in L2, then adds α·A_blk·B_blk to C tile by tile; the C block stays in cache across the
// k blocks. Blocks are multiples of the Mr×Nr tile and k blocks never depend on the split, so the tile
// grid, and with it every rounding, is the same however the work is split. With a bias (first pass only),
// the first k block's tiles read it in place of C (β = 1, row stride 0): C = α·A_blk·B_blk + bias, the
// arithmetic of a broadcast bias then β = 1, without the pass over C. With Lower
// set (a SYRK), tiles whose rows all lie above their first column (wholly above the diagonal of C) are
// skipped, and so is an item with no tile on or below the diagonal. With RowsKernel set (a kernel that reads op(A) in
// place), nothing was packed and tiles read A directly: row i, step p at A + i·lda + p, or A + p·lda + i transposed.
using System.Runtime.CompilerServices;
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Loop body running the macro-kernel on one (row part, column block) of C with an Mr×Nr kernel.</summary>
internal unsafe struct GemmComputeBody : ILoopBody
{
    public delegate*<int, float*, float*, float*, int, float*, int, int, int, float, float, void> Kernel;
    public delegate*<int, float*, long, long, float*, float*, int, float*, int, int, int, float, float, void> RowsKernel;
    public float* A, B, PackedA, C, Bias;
    public long BlockFloats;
    public int Lda, Ldb, Ldc, Pc, K, KcMax, Ic0, Mc, N, ColBlock, ColBlocks, RowPart, Mr, Nr;
    public bool TransA, TransB, Lower, First;
    public float Alpha, Beta;

    /// <summary>Number of iterations that cover the row chunk.</summary>
    public readonly int Items => ColBlocks * GemmBlocking.CeilDiv(Mc, RowPart);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Invoke(int index)
    {
        int j0 = index % ColBlocks * ColBlock, r0 = index / ColBlocks * RowPart;
        int cols = Math.Min(ColBlock, N - j0), rowEnd = Math.Min(r0 + RowPart, Mc);
        if (Lower && Ic0 + rowEnd <= j0) return; // every row of the item is above the block's first column

        // The executing thread's buffer: a worker running this item uses its own, never the caller's.
        var workspace = GemmWorkspace.Current;
        float* packedB = workspace.EnsureB((long)ColBlock * KcMax);
        int rowBlock = GemmBlocking.Split(rowEnd - r0, GemmBlocking.Mc, Mr);
        // In place, op(A)[i, p] is A[i·lda + p], or A[p·lda + i] when transposed.
        long aRowStride = TransA ? 1 : Lda, aStepStride = TransA ? Lda : 1;
        for (int p0 = 0, block = 0; p0 < K; p0 += KcMax, block++)
        {
            int kc = Math.Min(KcMax, K - p0);
            for (int jr = 0; jr < cols; jr += Nr)
                GemmPacking.BPanel(B, Ldb, TransB, Pc + p0, kc, j0 + jr, Math.Min(Nr, cols - jr), packedB + (long)jr * kc, Nr);
            float* packedA = PackedA + block * BlockFloats;
            bool first = First && p0 == 0;
            float beta = p0 == 0 ? Beta : 1f;

            // Rows in L2-sized blocks; within one, each Nr-column B micro-panel stays in L1 while the
            // kernel walks down the block's A micro-panels.
            for (int i0 = r0; i0 < rowEnd; i0 += rowBlock)
            {
                int rows = Math.Min(rowBlock, rowEnd - i0);
                for (int jr = 0; jr < cols; jr += Nr)
                {
                    float* bp = packedB + (long)jr * kc;
                    int width = Math.Min(Nr, cols - jr);
                    float* cColumn = C + (long)(Ic0 + i0) * Ldc + j0 + jr;
                    // The first k block of a biased product reads the bias row (stride 0, β = 1) in place of C.
                    float* bias = first && Bias != null ? Bias + j0 + jr : null;
                    int lds = bias != null ? 0 : Ldc;
                    float tileBeta = bias != null ? 1f : beta;
                    // In a SYRK, start at the first tile that reaches row j0 + jr (the diagonal of this micro-panel).
                    int firstTile = Lower ? (Math.Max(0, j0 + jr - Ic0 - i0 + 1 - Mr) + Mr - 1) / Mr * Mr : 0;
                    for (int ir = firstTile; ir < rows; ir += Mr)
                    {
                        float* c = cColumn + (long)ir * Ldc;
                        float* s = bias != null ? bias : c;
                        int tileRows = Math.Min(Mr, rows - ir);
                        if (RowsKernel != null)
                        {
                            float* a = A + (Ic0 + i0 + ir) * aRowStride + (Pc + p0) * aStepStride;
                            RowsKernel(kc, a, aRowStride, aStepStride, bp, c, Ldc, s, lds, tileRows, width, Alpha, tileBeta);
                        }
                        else
                            Kernel(kc, packedA + (long)(i0 + ir) * kc, bp, c, Ldc, s, lds, tileRows, width, Alpha, tileBeta);
                    }
                }
            }
        }
    }
}
