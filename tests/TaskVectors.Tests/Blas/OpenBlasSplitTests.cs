// Tests of how OpenBlasGemm spreads products over threads: a split GEMM (by rows or columns) or SYRK gives the very
// bits of one thread (odd sizes, every transpose, α ≠ 1, β ∈ {0, 1, 0.5}, padded leading dimensions), agrees with the
// reference, and the partition rules hold (aligned parts with enough work, the better-balanced dimension; one part
// inside a running loop; bands fixed by the shape and of equal area).
using TaskVectors.Blas;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Tests.Blas;

[Collection(nameof(ThreadLimitCollection))]
public class OpenBlasSplitTests
{
    private static OpenBlasGemm Load() => OpenBlasGemm.TryLoad(out var gemm, out string why) ? gemm! : throw new InvalidOperationException(why);

    public static TheoryData<int, int, int, Transpose, Transpose> LargeShapes()
    {
        var data = new TheoryData<int, int, int, Transpose, Transpose>();
        foreach (var (m, n, k) in new[] { (421, 257, 203), (3200, 576, 192), (576, 193, 576), (1000, 17, 1031), (97, 769, 769), (400, 2304, 768), (192, 193, 192), (97, 130, 400) })
            foreach (var ta in GemmCheck.Transposes)
                foreach (var tb in GemmCheck.Transposes)
                    data.Add(m, n, k, ta, tb);
        return data;
    }

    [OpenBlasTheory]
    [MemberData(nameof(LargeShapes))]
    public void Sgemm_SplitOverThreads_BitIdenticalToOneThreadAndCorrect(int m, int n, int k, Transpose transA, Transpose transB)
    {
        var gemm = Load();
        OpenBlasSplit.Gemm(m, n, k, out int parts, out _, out _);
        if (ParallelLoop.Threads > 1) parts.ShouldBeGreaterThan(1, "the shape is split");
        var p = new GemmProblem(m, n, k, transA, transB, pad: 3, seed: (ulong)(m + n + k));
        foreach (var (alpha, beta) in new[] { (1f, 0f), (0.7f, 1f), (GemmCheck.Alpha, 0.5f) })
        {
            var split = p.FreshC(beta);
            gemm.Sgemm(transA, transB, m, n, k, alpha, p.A, p.Lda, p.B, p.Ldb, beta, split, p.Ldc);
            var one = p.FreshC(beta);
            ParallelLoop.ThreadLimit = 1;
            try
            {
                gemm.Sgemm(transA, transB, m, n, k, alpha, p.A, p.Lda, p.B, p.Ldb, beta, one, p.Ldc);
            }
            finally
            {
                ParallelLoop.ThreadLimit = int.MaxValue;
            }
            split.ShouldBe(one, $"α = {alpha}, β = {beta}");
            if (alpha != GemmCheck.Alpha) continue;
            var expected = p.FreshC(beta);
            ReferenceGemm.Instance.Sgemm(transA, transB, m, n, k, alpha, p.A, p.Lda, p.B, p.Ldb, beta, expected, p.Ldc);
            p.Compare(expected, split, beta, "split OpenBLAS");
        }
    }

    [OpenBlasTheory]
    [InlineData(180, 1100)]
    [InlineData(517, 300)]
    [InlineData(768, 3200)]
    public void SsyrkLower_Bands_SameBitsForAnyThreadCount(int n, int k)
    {
        var gemm = Load();
        OpenBlasSplit.Bands(n, k).ShouldBeGreaterThan(1);
        var a = new float[k * (n + 1)];
        new Rng(9).FillNormal(a);
        var many = new float[n * n];
        var one = new float[n * n];
        gemm.SsyrkLower(n, k, 1f, a, n + 1, 0f, many, n);
        ParallelLoop.ThreadLimit = 1;
        try
        {
            gemm.SsyrkLower(n, k, 1f, a, n + 1, 0f, one, n);
        }
        finally
        {
            ParallelLoop.ThreadLimit = int.MaxValue;
        }
        for (int i = 0; i < n; i++) one.AsSpan(i * n, i + 1).SequenceEqual(many.AsSpan(i * n, i + 1)).ShouldBeTrue($"row {i}");
    }

    private struct InsideLoop(int[] parts) : ILoopBody
    {
        public void Invoke(int index)
        {
            OpenBlasSplit.Gemm(3200, 576, 192, out int count, out _, out _);
            parts[index] = count;
        }
    }

    [Fact]
    public void Gemm_AlignedEnoughWorkBalancedAndWholeInsideALoop()
    {
        foreach (var (m, n, k) in new[] { (3200, 576, 192), (400, 2304, 768), (3072, 768, 400), (100, 100, 100), (15, 4096, 4096), (40, 4096, 4096) })
        {
            OpenBlasSplit.Gemm(m, n, k, out int parts, out int chunk, out bool columns);
            int length = columns ? n : m;
            if (parts < 2)
            {
                chunk.ShouldBe(m);
                continue;
            }
            parts.ShouldBeLessThanOrEqualTo(ParallelLoop.Threads);
            (chunk % OpenBlasSplit.Align).ShouldBe(0);
            ((long)(parts - 1) * chunk).ShouldBeLessThan(length, "no part is empty");
            ((long)parts * chunk).ShouldBeGreaterThanOrEqualTo(length, "the parts cover C");
            ((long)length / parts * (columns ? m : n) * k).ShouldBeGreaterThanOrEqualTo(OpenBlasSplit.MinWork);
        }
        if (ParallelLoop.Threads > 1)
        {
            // 400 rows split 208 + 192; 2304 columns split evenly: the columns win.
            OpenBlasSplit.Gemm(400, 2304, 768, out _, out int c, out bool byColumns);
            (byColumns, c).ShouldBe((true, 1152));
            OpenBlasSplit.Gemm(3200, 576, 192, out _, out c, out byColumns);
            (byColumns, c).ShouldBe((false, 1600));
        }
        OpenBlasSplit.Gemm(15, 15, 1 << 20, out int few, out _, out _);
        few.ShouldBe(1, "fewer rows and columns than two aligned parts");
        OpenBlasSplit.Gemm(100, 100, 100, out few, out _, out _);
        few.ShouldBe(1, "too little work to split");
        var inside = new int[4];
        ParallelLoop.For(4, new InsideLoop(inside));
        inside.ShouldAllBe(p => p == 1);
    }

    [Fact]
    public void Bands_FixedByShape_EqualAreaOnAlignedRows()
    {
        OpenBlasSplit.Bands(192, 3200).ShouldBe(2);
        OpenBlasSplit.Bands(768, 3200).ShouldBe(4);
        OpenBlasSplit.Bands(40, 100_000).ShouldBe(1);
        OpenBlasSplit.Bands(768, 10).ShouldBe(1);
        foreach (var (n, bands) in new[] { (192, 2), (576, 4), (769, 4) })
        {
            OpenBlasSplit.BandStart(n, bands, 0).ShouldBe(0);
            OpenBlasSplit.BandStart(n, bands, bands).ShouldBe(n);
            for (int b = 1; b < bands; b++)
            {
                int start = OpenBlasSplit.BandStart(n, bands, b);
                (start % OpenBlasSplit.Align).ShouldBe(0);
                start.ShouldBeGreaterThan(OpenBlasSplit.BandStart(n, bands, b - 1));
                // The triangle above row `start` holds about b/bands of the whole.
                ((double)start * start / ((double)n * n)).ShouldBe((double)b / bands, 0.1);
            }
        }
    }
}
