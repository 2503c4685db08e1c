// Tests of LayerNormKernels: forward, backward and tangent against their double-precision twins for
// widths with and without a vector tail, absent tangents, and rows far from zero mean; the Vector512 and
// Vector256 lane widths against each other.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class LayerNormKernelsTests
{
    private static float[] Random(int n, ulong seed, float mean = 0f, float std = 1f)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x, mean, std);
        return x;
    }

    private static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string what) =>
        ArrayAssert.Close(actual, expected, tolerance, tolerance, what);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(8, 50)]
    [InlineData(33, 4)]
    [InlineData(192, 50)]
    public void GammaGradient_MatchesReferenceTwin_AndBackwardsGammaGradient(int cols, int rows)
    {
        var x = Random(rows * cols, 11, 0.3f, 2f);
        var gamma = Random(cols, 12, 1f, 0.5f);
        var (y, mean, rstd) = (new float[rows * cols], new float[rows], new float[rows]);
        LayerNormKernels.Forward(x, gamma, new float[cols], y, mean, rstd, rows, cols, 1e-5f);
        var gy = Random(rows * cols, 13);
        var start = Random(cols, 14);
        var (dg, dgR) = (start.ToArray(), start.ToArray());
        LayerNormKernels.GammaGradient(x, mean, rstd, gy, dg, rows, cols);
        LayerNormKernels.GammaGradientReference(x, mean, rstd, gy, dgR, rows, cols);
        Close(dg, dgR, 1e-5 * Math.Sqrt(rows), "gradGamma");

        // The same sum as Backward's γ gradient.
        var (backward, beta) = (start.ToArray(), new float[cols]);
        LayerNormKernels.Backward(x, gamma, mean, rstd, gy, new float[rows * cols], backward, beta, rows, cols);
        Close(dg, backward, 1e-5 * Math.Sqrt(rows), "gradGamma vs Backward");
        Should.Throw<ArgumentException>(() => LayerNormKernels.GammaGradient(x, mean, rstd, gy.AsSpan(1), dg, rows, cols));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(33)]
    [InlineData(192)]
    public void ForwardBackwardTangent_MatchReferenceTwins(int cols)
    {
        const int rows = 5;
        var x = Random(rows * cols, 1, 0.3f, 2f);
        var gamma = Random(cols, 2, 1f, 0.5f);
        var beta = Random(cols, 3);
        var (y, mean, rstd) = (new float[rows * cols], new float[rows], new float[rows]);
        var (yr, meanR, rstdR) = (new float[rows * cols], new float[rows], new float[rows]);
        LayerNormKernels.Forward(x, gamma, beta, y, mean, rstd, rows, cols, 1e-5f);
        LayerNormKernels.ForwardReference(x, gamma, beta, yr, meanR, rstdR, rows, cols, 1e-5f);
        Close(y, yr, 2e-6, "y");
        Close(mean, meanR, 1e-6, "mean");
        Close(rstd, rstdR, 1e-6, "rstd");

        var gy = Random(rows * cols, 4);
        var (gx, dg, db) = (new float[rows * cols], Random(cols, 5), Random(cols, 6));
        var (gxR, dgR, dbR) = (new float[rows * cols], dg.ToArray(), db.ToArray());
        LayerNormKernels.Backward(x, gamma, mean, rstd, gy, gx, dg, db, rows, cols);
        LayerNormKernels.BackwardReference(x, gamma, mean, rstd, gy, gxR, dgR, dbR, rows, cols);
        Close(gx, gxR, 1e-5, "gx");
        Close(dg, dgR, 1e-5, "gradGamma");
        Close(db, dbR, 1e-5, "gradBeta");

        var tx = Random(rows * cols, 7);
        var tg = Random(cols, 8);
        var tb = Random(cols, 9);
        var (ty, tyR) = (new float[rows * cols], new float[rows * cols]);
        LayerNormKernels.Tangent(x, tx, gamma, tg, tb, mean, rstd, ty, rows, cols);
        LayerNormKernels.TangentReference(x, tx, gamma, tg, tb, mean, rstd, tyR, rows, cols);
        Close(ty, tyR, 1e-5, "ty");
        // Each absent tangent is a zero tangent.
        LayerNormKernels.Tangent(x, default, gamma, tg, default, mean, rstd, ty, rows, cols);
        LayerNormKernels.TangentReference(x, new float[rows * cols], gamma, tg, new float[cols], mean, rstd, tyR, rows, cols);
        Close(ty, tyR, 1e-5, "ty without input and beta tangents");
        LayerNormKernels.Tangent(x, tx, gamma, default, default, mean, rstd, ty, rows, cols);
        LayerNormKernels.TangentReference(x, tx, gamma, new float[cols], new float[cols], mean, rstd, tyR, rows, cols);
        Close(ty, tyR, 1e-5, "ty without parameter tangents");
    }

    // Both lane widths (Vector512 runs emulated where it is not accelerated) against the twins and against each
    // other. Element-wise steps round alike; only the row sums' order differs (16 lanes folded to 8 vs 8 lanes), so
    // the widths agree to float rounding of those sums: within 2e-6 relative (plus 2e-6 absolute for values near 0).
    [Theory]
    [InlineData(16)]
    [InlineData(31)] // 16 + 8 + 7: every loop of a row
    [InlineData(384)] // MiniLM
    [InlineData(768)] // ViT-B
    public void EachLaneWidth_MatchesTwinsAndTheOtherWidth(int cols)
    {
        const int rows = 6;
        var x = Random(rows * cols, 21, 0.3f, 2f);
        var gamma = Random(cols, 22, 1f, 0.5f);
        var beta = Random(cols, 23);
        var gy = Random(rows * cols, 24);
        var tx = Random(rows * cols, 25);
        var tg = Random(cols, 26);
        var tb = Random(cols, 27);
        var results = new float[2][][];
        foreach (bool wide in new[] { false, true })
        {
            var (y, mean, rstd) = (new float[rows * cols], new float[rows], new float[rows]);
            var (yr, meanR, rstdR) = (new float[rows * cols], new float[rows], new float[rows]);
            LayerNormKernels.Forward(x, gamma, beta, y, mean, rstd, rows, cols, 1e-12f, wide);
            LayerNormKernels.ForwardReference(x, gamma, beta, yr, meanR, rstdR, rows, cols, 1e-12f);
            Close(y, yr, 2e-6, $"y (wide={wide})");
            Close(rstd, rstdR, 1e-6, $"rstd (wide={wide})");

            // The backward and the tangent from the reference statistics, so both widths see the same μ and ρ.
            var (gx, dg, db) = (new float[rows * cols], new float[cols], new float[cols]);
            var (gxR, dgR, dbR) = (new float[rows * cols], new float[cols], new float[cols]);
            LayerNormKernels.Backward(x, gamma, meanR, rstdR, gy, gx, dg, db, rows, cols, wide);
            LayerNormKernels.BackwardReference(x, gamma, meanR, rstdR, gy, gxR, dgR, dbR, rows, cols);
            Close(gx, gxR, 1e-5, $"gx (wide={wide})");
            Close(dg, dgR, 1e-5, $"gradGamma (wide={wide})");

            var (ty, tyR) = (new float[rows * cols], new float[rows * cols]);
            LayerNormKernels.Tangent(x, tx, gamma, tg, tb, meanR, rstdR, ty, rows, cols, wide);
            LayerNormKernels.TangentReference(x, tx, gamma, tg, tb, meanR, rstdR, tyR, rows, cols);
            Close(ty, tyR, 1e-5, $"ty (wide={wide})");
            results[wide ? 1 : 0] = [y, mean, rstd, gx, dg, db, ty];
        }
        string[] names = ["y", "mean", "rstd", "gx", "gradGamma", "gradBeta", "ty"];
        for (int i = 0; i < names.Length; i++)
            ArrayAssert.Close(results[1][i], results[0][i], 2e-6, 2e-6, $"{names[i]}: Vector512 vs Vector256 lanes, C = {cols}");
        // γ/β gradients and element-wise outputs that involve no row sum are the same bits at either width.
        ArrayAssert.BitIdentical(results[1][5], results[0][5], "gradBeta");
    }

    [Fact]
    public void Forward_RowsFarFromZeroMean_KeepStatisticsAccurate()
    {
        // A one-pass E[x²] − E[x]² would cancel here (mean 300, spread 0.1); the two-pass variance does not.
        const int rows = 4, cols = 192;
        var x = Random(rows * cols, 10, 300f, 0.1f);
        var gamma = Random(cols, 11, 1f, 0.1f);
        var beta = new float[cols];
        var (y, mean, rstd) = (new float[rows * cols], new float[rows], new float[rows]);
        var (yr, meanR, rstdR) = (new float[rows * cols], new float[rows], new float[rows]);
        LayerNormKernels.Forward(x, gamma, beta, y, mean, rstd, rows, cols, 1e-12f);
        LayerNormKernels.ForwardReference(x, gamma, beta, yr, meanR, rstdR, rows, cols, 1e-12f);
        for (int r = 0; r < rows; r++) rstd[r].ShouldBe(rstdR[r], 1e-6 * rstdR[r]);
        // The float mean itself is off by up to half an ulp of 300 (1.5e-5), i.e. 1.5e-4 standard deviations.
        Close(y, yr, 1e-3, "y");
    }

    [Fact]
    public void Forward_HandComputed()
    {
        // x = [1, 2, 3, 4]: μ = 2.5, σ² = 1.25, x̂ = (x − 2.5)/√1.25.
        var y = new float[4];
        var mean = new float[1];
        var rstd = new float[1];
        LayerNormKernels.Forward([1, 2, 3, 4], [1, 2, 1, 1], [0, 0, 0, 1], y, mean, rstd, 1, 4, 0f);
        mean[0].ShouldBe(2.5f);
        rstd[0].ShouldBe((float)(1 / Math.Sqrt(1.25)), 1e-7);
        double s = 1 / Math.Sqrt(1.25);
        y.ShouldBe([(float)(-1.5 * s), (float)(-0.5 * s * 2), (float)(0.5 * s), (float)(1.5 * s + 1)], tolerance: 1e-6f);
    }

    [Fact]
    public void WrongLengths_Throw()
    {
        Should.Throw<ArgumentException>(() => LayerNormKernels.Forward(new float[6], new float[3], new float[3], new float[6], new float[2], new float[1], 2, 3, 1e-5f));
        Should.Throw<ArgumentException>(() => LayerNormKernels.Tangent(new float[6], new float[5], new float[3], default, default, new float[2], new float[2], new float[6], 2, 3));
    }
}
