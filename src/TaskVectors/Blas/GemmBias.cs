// GemmBias: the row broadcast of a GEMM with bias, C (m×n, ldc) ← 1·bias (n) in every row, spread over
// ParallelLoop in row chunks (a plain copy: the result does not depend on the split). Providers without
// a fused epilogue run it before a β = 1 product.
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>Parallel broadcast of a bias row into C, and the default <see cref="IGemm.SgemmBias"/>.</summary>
internal static unsafe class GemmBias
{
    /// <summary>Rows per parallel chunk: about 256 KiB of C at width 384, enough to amortize a hand-off.</summary>
    private const int ChunkElements = 1 << 16;

    /// <summary>C[i, j] ← bias[j] for 0 ≤ i &lt; m, 0 ≤ j &lt; n (C row stride ldc ≥ n).</summary>
    public static void Broadcast(ReadOnlySpan<float> bias, int m, int n, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (bias.Length != n) throw new ArgumentException($"Bias of {bias.Length} elements does not match n = {n}.", nameof(bias));
        if (c.Length < (long)(m - 1) * ldc + n) throw new ArgumentException($"C of {c.Length} elements does not hold {m}×{n} with ldc = {ldc}.", nameof(c));
        int rowsPerChunk = Math.Max(1, ChunkElements / n);
        fixed (float* pb = bias)
        fixed (float* pc = c)
            ParallelLoop.For((m + rowsPerChunk - 1) / rowsPerChunk, new BroadcastBody { Bias = pb, C = pc, M = m, N = n, Ldc = ldc, Rows = rowsPerChunk });
    }

    /// <summary>The default <see cref="IGemm.SgemmBias"/>: broadcast, then C = α·op(A)·op(B) + 1·C.</summary>
    public static void Unfused(IGemm gemm, Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        Broadcast(bias, m, n, c, ldc);
        gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, 1f, c, ldc);
    }

    private struct BroadcastBody : ILoopBody
    {
        public float* Bias, C;
        public int M, N, Ldc, Rows;

        public readonly void Invoke(int index)
        {
            var row = new ReadOnlySpan<float>(Bias, N);
            for (int i = index * Rows, end = Math.Min(M, i + Rows); i < end; i++)
                row.CopyTo(new Span<float>(C + (long)i * Ldc, N));
        }
    }
}
