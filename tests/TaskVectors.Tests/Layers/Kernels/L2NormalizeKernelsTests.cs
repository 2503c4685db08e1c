// Tests of L2NormalizeKernels: forward and Jacobian product against their double twins, unit norms,
// and the ε branch for a zero row.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class L2NormalizeKernelsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(512)]
    public void ForwardAndJacobianProduct_MatchReferenceTwins(int cols)
    {
        const int rows = 4;
        var x = new float[rows * cols];
        new Rng(1).FillNormal(x);
        var v = new float[rows * cols];
        new Rng(2).FillNormal(v);
        var (y, n, yr, nr) = (new float[x.Length], new float[rows], new float[x.Length], new float[rows]);
        L2NormalizeKernels.Forward(x, y, n, rows, cols, 1e-12f);
        L2NormalizeKernels.ForwardReference(x, yr, nr, rows, cols, 1e-12f);
        for (int i = 0; i < x.Length; i++) y[i].ShouldBe(yr[i], 1e-6);
        for (int r = 0; r < rows; r++)
        {
            n[r].ShouldBe(nr[r], 1e-5 * nr[r]);
            Math.Sqrt(y.AsSpan(r * cols, cols).ToArray().Sum(a => (double)a * a)).ShouldBe(1.0, 1e-6);
        }
        var (d, dr) = (new float[x.Length], new float[x.Length]);
        L2NormalizeKernels.JacobianProduct(y, n, v, d, rows, cols, 1e-12f);
        L2NormalizeKernels.JacobianProductReference(y, n, v, dr, rows, cols, 1e-12f);
        for (int i = 0; i < x.Length; i++) d[i].ShouldBe(dr[i], 1e-5 * (1 + Math.Abs(dr[i])));
    }

    [Fact]
    public void ZeroRow_StaysZero_AndJacobianIsIdentityOverEps()
    {
        var y = new float[3];
        var n = new float[1];
        L2NormalizeKernels.Forward([0, 0, 0], y, n, 1, 3, 0.5f);
        y.ShouldBe([0f, 0f, 0f]);
        n[0].ShouldBe(0f);
        var d = new float[3];
        L2NormalizeKernels.JacobianProduct(y, n, [1, -2, 3], d, 1, 3, 0.5f);
        d.ShouldBe([2f, -4f, 6f]);
    }
}
