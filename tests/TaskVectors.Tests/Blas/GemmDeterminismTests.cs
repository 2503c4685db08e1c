// Tests of the determinism promise of every GEMM provider (OpenBLAS under whichever kernel it runs — .ci/run repeats
// this class under Haswell, Zen, SkylakeX, Cooperlake and the auto-detected one — and the managed GEMM): a product or a
// SYRK gives the very same bits on 1 thread, on 2 threads, on all threads and from inside a running parallel loop
// (odd sizes large enough to be split, every transpose, α ≠ 1, β ∈ {0, 1, 0.5}, padded leading dimensions), and agrees
// with the reference within rounding. Nothing here assumes that a part of a product is computed as the whole would be.
using TaskVectors.Blas;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Tests.Blas;

[Collection(nameof(ThreadLimitCollection))]
public class GemmDeterminismTests
{
    private static readonly (float Alpha, float Beta)[] Scalars = [(1f, 0f), (0.7f, 1f), (GemmCheck.Alpha, 0.5f)];

    public static TheoryData<int, int, int, bool, bool> SplitShapes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        // Split by rows or by columns, into 2 to 16 parts, the last one short; small enough to run under every kernel.
        foreach (var (m, n, k) in new[] { (421, 257, 203), (1300, 150, 200), (576, 193, 576), (1000, 17, 1031), (97, 769, 769), (200, 1200, 96), (192, 193, 192), (97, 130, 400) })
            foreach (var ta in GemmCheck.TransposeFlags)
                foreach (var tb in GemmCheck.TransposeFlags)
                    data.Add(m, n, k, ta, tb);
        return data;
    }

    [OpenBlasTheory]
    [MemberData(nameof(SplitShapes))]
    public void OpenBlasSgemm_OneTwoAllThreads_BitIdenticalAndCorrect(int m, int n, int k, bool transA, bool transB) =>
        SgemmAnyThreads_BitIdenticalAndCorrect(Gemm.Select("openblas"), m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB));

    [Theory]
    [MemberData(nameof(SplitShapes))]
    public void ManagedSgemm_OneTwoAllThreads_BitIdenticalAndCorrect(int m, int n, int k, bool transA, bool transB) =>
        SgemmAnyThreads_BitIdenticalAndCorrect(ManagedGemm.Instance, m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB));

    [OpenBlasTheory]
    [InlineData(180, 1100)]
    [InlineData(517, 300)]
    [InlineData(600, 500)]
    [InlineData(300, 400)]
    public void OpenBlasSsyrk_OneTwoAllThreads_BitIdenticalAndCorrect(int n, int k) =>
        SsyrkAnyThreads_BitIdenticalAndCorrect(Gemm.Select("openblas"), n, k);

    [Theory]
    [InlineData(180, 1100)]
    [InlineData(517, 300)]
    [InlineData(300, 400)]
    public void ManagedSsyrk_OneTwoAllThreads_BitIdenticalAndCorrect(int n, int k) =>
        SsyrkAnyThreads_BitIdenticalAndCorrect(ManagedGemm.Instance, n, k);

    [OpenBlasFact]
    public void OpenBlasSgemm_InsideRunningLoop_SameBitsAsOutside() => InsideLoop_SameBitsAsOutside(Gemm.Select("openblas"));

    [Fact]
    public void ManagedSgemm_InsideRunningLoop_SameBitsAsOutside() => InsideLoop_SameBitsAsOutside(ManagedGemm.Instance);

    // Runs `call` with ParallelLoop capped at `threads` (int.MaxValue: all of them).
    private static void WithThreads(int threads, Action call)
    {
        ParallelLoop.ThreadLimit = threads;
        try
        {
            call();
        }
        finally
        {
            ParallelLoop.ThreadLimit = int.MaxValue;
        }
    }

    // The thread caps compared: 1, 2 and (when the machine has more) all.
    private static int[] Caps() => ParallelLoop.Threads > 2 ? [1, 2, int.MaxValue] : [1, 2];

    private static void SgemmAnyThreads_BitIdenticalAndCorrect(IGemm gemm, int m, int n, int k, Transpose transA, Transpose transB)
    {
        var p = new GemmProblem(m, n, k, transA, transB, pad: 3, seed: (ulong)(m + n + k));
        foreach (var (alpha, beta) in Scalars)
        {
            float[]? first = null;
            foreach (int threads in Caps())
            {
                var c = p.FreshC(beta);
                WithThreads(threads, () => gemm.Sgemm(transA, transB, m, n, k, alpha, p.A, p.Lda, p.B, p.Ldb, beta, c, p.Ldc));
                if (first is null) first = c;
                else ArrayAssert.BitIdentical(p.Logical(c), p.Logical(first), $"{gemm.Description}: {threads} threads vs 1, α = {alpha}, β = {beta}", [m, n]);
            }
            if (alpha != GemmCheck.Alpha) continue;
            var expected = p.FreshC(beta);
            ReferenceGemm.Instance.Sgemm(transA, transB, m, n, k, alpha, p.A, p.Lda, p.B, p.Ldb, beta, expected, p.Ldc);
            p.Compare(expected, first!, beta, $"{gemm.Description} vs reference");
        }
    }

    private static void SsyrkAnyThreads_BitIdenticalAndCorrect(IGemm gemm, int n, int k)
    {
        int lda = n + 1;
        var a = new float[k * lda];
        new Rng(9).FillNormal(a);
        var c0 = new float[n * n];
        new Rng(10).FillNormal(c0);
        var expected = (float[])c0.Clone();
        GemmSyrk.Reference(n, k, 0.75f, a, lda, 0.5f, expected, n);
        float[]? first = null;
        foreach (int threads in Caps())
        {
            var c = (float[])c0.Clone();
            WithThreads(threads, () => gemm.SsyrkLower(n, k, 0.75f, a, lda, 0.5f, c, n));
            var lower = LowerTriangle(c, n);
            if (first is null) first = lower;
            else ArrayAssert.BitIdentical(lower, first, $"{gemm.Description}: SYRK lower triangle, {threads} threads vs 1");
        }
        ArrayAssert.Close(first, LowerTriangle(expected, n), 1e-4, 1e-4, $"{gemm.Description}: SYRK vs naive twin");
    }

    // Row after row, C[i, 0..i].
    private static float[] LowerTriangle(float[] c, int n)
    {
        var lower = new float[n * (n + 1) / 2];
        for (int i = 0, at = 0; i < n; at += ++i) c.AsSpan(i * n, i + 1).CopyTo(lower.AsSpan(at));
        return lower;
    }

    private readonly struct LoopGemm(IGemm gemm, GemmProblem problem, int m, int n, int k, float[][] results) : ILoopBody
    {
        public void Invoke(int index) =>
            gemm.Sgemm(Transpose.None, Transpose.Transpose, m, n, k, GemmCheck.Alpha, problem.A, problem.Lda, problem.B, problem.Ldb, 0.5f, results[index], problem.Ldc);
    }

    private static void InsideLoop_SameBitsAsOutside(IGemm gemm)
    {
        const int m = 1000, n = 520, k = 300; // split into several parts outside a loop
        var p = new GemmProblem(m, n, k, Transpose.None, Transpose.Transpose, pad: 2, seed: 21);
        var outside = p.FreshC(0.5f);
        gemm.Sgemm(Transpose.None, Transpose.Transpose, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 0.5f, outside, p.Ldc);
        var inside = Enumerable.Range(0, 3).Select(_ => p.FreshC(0.5f)).ToArray();
        ParallelLoop.For(inside.Length, new LoopGemm(gemm, p, m, n, k, inside));
        foreach (var c in inside) ArrayAssert.BitIdentical(p.Logical(c), p.Logical(outside), $"{gemm.Description}: inside a loop vs outside", [m, n]);
    }
}
