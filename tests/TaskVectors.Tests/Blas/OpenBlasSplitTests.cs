// Tests of how OpenBlasGemm cuts products into parts: the partition depends on the shape only (the same on one thread,
// on all and inside a running loop), and its rules hold (aligned parts of at least MinLength and MinWork, at most
// MaxParts, the better-filled dimension; SYRK bands fixed by the shape and of equal area). That results are then
// bit-identical for any thread count, under every kernel, is GemmDeterminismTests' job.
using TaskVectors.Blas;
using TaskVectors.Threading;

namespace TaskVectors.Tests.Blas;

[Collection(nameof(ThreadLimitCollection))]
public class OpenBlasSplitTests
{
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (3200, 576, 192), (400, 2304, 768), (3072, 768, 400), (100, 100, 100), (15, 4096, 4096), (40, 4096, 4096),
        (1030, 1030, 64), (1088, 64, 64), (421, 257, 203), (97, 769, 769), (1300, 150, 200), (200, 1200, 96),
    ];

    private struct InsideLoop(int[][] splits) : ILoopBody
    {
        public readonly void Invoke(int index)
        {
            var (m, n, k) = Shapes[index];
            splits[index] = Split(m, n, k);
        }
    }

    private static int[] Split(int m, int n, int k)
    {
        OpenBlasSplit.Gemm(m, n, k, out int parts, out int chunk, out bool columns);
        return [parts, chunk, columns ? 1 : 0];
    }

    [Fact]
    public void Gemm_SameSplitForAnyThreadCountAndInsideALoop()
    {
        var all = Shapes.Select(s => Split(s.M, s.N, s.K)).ToArray();
        ParallelLoop.ThreadLimit = 1;
        try
        {
            for (int i = 0; i < Shapes.Length; i++) Split(Shapes[i].M, Shapes[i].N, Shapes[i].K).ShouldBe(all[i], $"{Shapes[i]} on one thread");
        }
        finally
        {
            ParallelLoop.ThreadLimit = int.MaxValue;
        }
        var inside = new int[Shapes.Length][];
        ParallelLoop.For(Shapes.Length, new InsideLoop(inside));
        for (int i = 0; i < Shapes.Length; i++) inside[i].ShouldBe(all[i], $"{Shapes[i]} inside a loop");
    }

    [Fact]
    public void Gemm_AlignedEnoughWorkPowerOfTwoBalanced()
    {
        foreach (var (m, n, k) in Shapes)
        {
            OpenBlasSplit.Gemm(m, n, k, out int parts, out int chunk, out bool columns);
            int length = columns ? n : m;
            if (parts < 2)
            {
                (chunk, columns).ShouldBe((m, false));
                continue;
            }
            parts.ShouldBeLessThanOrEqualTo(OpenBlasSplit.MaxParts);
            (chunk % OpenBlasSplit.Align).ShouldBe(0);
            chunk.ShouldBeGreaterThanOrEqualTo(OpenBlasSplit.MinLength);
            ((long)(parts - 1) * chunk).ShouldBeLessThan(length, "no part is empty");
            ((long)parts * chunk).ShouldBeGreaterThanOrEqualTo(length, "the parts cover C");
            ((long)length / parts * (columns ? m : n) * k).ShouldBeGreaterThanOrEqualTo(OpenBlasSplit.MinWork);
        }
        // 354M multiply-adds want 16 parts: 3200 rows give 16 of 208; 576 columns only 8 of 80.
        Split(3200, 576, 192).ShouldBe([16, 208, 0]);
        // 39M want 16: 1300 rows give 14 parts of 96 (the last 52), better than 2 of 80 columns.
        Split(1300, 150, 200).ShouldBe([14, 96, 0]);
        // 2304 columns split evenly into 16 parts of 144; 400 rows allow only 4 parts.
        Split(400, 2304, 768).ShouldBe([16, 144, 1]);
        // 4.5M multiply-adds: 2 parts of 544 rows (64 columns are too few to split).
        Split(1088, 64, 64).ShouldBe([2, 544, 0]);
        Split(15, 15, 1 << 20)[0].ShouldBe(1, "fewer rows and columns than two parts of MinLength");
        Split(100, 100, 100)[0].ShouldBe(1, "too little work to split");
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
