// Tests of GramKernels: the panelled float32-GEMM Gram update against its float64 naive twin, across
// panel boundaries, with and without the appended ones column, strided rows, and repeated accumulation.
using TaskVectors.Curvature;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

public sealed class GramKernelsTests
{
    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(7, 5, true)]
    [InlineData(37, 127, false)]
    [InlineData(37, 128, true)]
    [InlineData(3, 129, false)]
    [InlineData(64, 300, true)]
    public void AddGramLower_ThenSymmetrize_MatchesReference(int rows, int n, bool augment)
    {
        var x = new float[rows * n];
        new Rng((ulong)(rows * 1000 + n)).FillNormal(x);
        int side = augment ? n + 1 : n;
        var fast = new double[side * side];
        var scratch = new float[n * n + n];
        for (int repeat = 0; repeat < 2; repeat++)
        {
            if (augment) GramKernels.AddAugmentedGramLower(x, rows, n, 0.25, fast, scratch);
            else GramKernels.AddGramLower(x, rows, n, n, 0.25, fast, n, scratch);
        }
        GramKernels.Symmetrize(fast, side);
        var reference = new double[side * side];
        GramKernels.AddGramReference(x, rows, n, augment, 0.5, reference);
        Dense.ShouldBeClose(fast, reference, side, 1e-5, "Gram");
        fast[(side - 1) * side + side - 1].ShouldBe(reference[(side - 1) * side + side - 1], 1e-4 * rows);
    }

    [Fact]
    public void AddGramLower_StridedRows_ReadsOnlyTheFirstNColumns()
    {
        const int Rows = 9, N = 6, Ld = 10;
        var x = new float[Rows * Ld];
        new Rng(3).FillNormal(x);
        var packed = new float[Rows * N];
        for (int r = 0; r < Rows; r++) x.AsSpan(r * Ld, N).CopyTo(packed.AsSpan(r * N));
        var strided = new double[N * N];
        GramKernels.AddGramLower(x, Rows, N, Ld, 1.0, strided, N, new float[N * N]);
        GramKernels.Symmetrize(strided, N);
        var reference = new double[N * N];
        GramKernels.AddGramReference(packed, Rows, N, augment: false, 1.0, reference);
        Dense.ShouldBeClose(strided, reference, N, 1e-6, "strided Gram");
    }

    [Fact]
    public void AddGramLower_LeavesUpperTriangleUntouched()
    {
        var x = new float[4 * 3];
        new Rng(4).FillNormal(x);
        var sum = new double[9];
        sum[1] = 42; // (0, 1): upper triangle
        GramKernels.AddGramLower(x, 4, 3, 3, 1.0, sum, 3, new float[9]);
        sum[1].ShouldBe(42);
        sum[3].ShouldNotBe(0);
    }
}
