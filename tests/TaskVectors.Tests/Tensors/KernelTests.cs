// Tests of the span kernels (TensorMath, Softmax) against scalar loops in double precision.
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Tensors;

public class KernelTests
{
    private static float[] Random(int n, ulong seed)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x);
        return x;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(1000)]
    public void Elementwise_MatchScalarLoops(int n)
    {
        var x = Random(n, 1);
        var y = Random(n, 2);
        var d = new float[n];
        TensorMath.Add(x, y, d);
        for (int i = 0; i < n; i++) d[i].ShouldBe(x[i] + y[i]);
        TensorMath.Multiply(x, y, d);
        for (int i = 0; i < n; i++) d[i].ShouldBe(x[i] * y[i]);
        var z = (float[])y.Clone();
        TensorMath.AddScaled(x, 0.5f, z);
        for (int i = 0; i < n; i++) z[i].ShouldBe(y[i] + 0.5f * x[i], 1e-6);
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double)x[i] * y[i];
        TensorMath.Dot(x, y).ShouldBe((float)dot, 1e-4 * Math.Sqrt(n));
        TensorMath.SumOfSquaresDouble(x).ShouldBe(x.Sum(v => (double)v * v), 1e-9 * n);
        TensorMath.ArgMax(x).ShouldBe(Array.IndexOf(x, x.Max()));
    }

    [Fact]
    public void Elementwise_LengthMismatch_Throws()
    {
        Should.Throw<ArgumentException>(() => TensorMath.Add(new float[3], new float[4], new float[3]));
    }

    [Fact]
    public void AddColumnSums_AndAddRowVector_MatchLoops()
    {
        var x = Random(5 * 3, 3);
        var sums = new float[3];
        TensorMath.AddColumnSums(x, 5, 3, sums);
        for (int j = 0; j < 3; j++) sums[j].ShouldBe(Enumerable.Range(0, 5).Sum(r => x[r * 3 + j]), 1e-5);
        var y = (float[])x.Clone();
        TensorMath.AddRowVector(y, new float[] { 1, 2, 3 });
        for (int i = 0; i < 15; i++) y[i].ShouldBe(x[i] + (i % 3) + 1, 1e-6);
    }

    [Theory]
    [InlineData(0, 40)]
    [InlineData(1, 1)]
    [InlineData(50, 7)]
    [InlineData(3, 8)]
    [InlineData(17, 31)]
    [InlineData(17, 32)]
    [InlineData(9, 33)]
    [InlineData(64, 72)]
    [InlineData(200, 192)]
    public void AddColumnSums_AnyWidth_MatchesDoubleSums(int rows, int cols)
    {
        var x = Random(rows * cols, 7);
        var sums = Random(cols, 8);
        var start = sums.ToArray();
        TensorMath.AddColumnSums(x, rows, cols, sums);
        for (int j = 0; j < cols; j++)
        {
            double expected = start[j];
            for (int r = 0; r < rows; r++) expected += x[r * cols + j];
            sums[j].ShouldBe((float)expected, 1e-5 * (1 + Math.Sqrt(rows)), $"column {j}");
        }
        Should.Throw<ArgumentException>(() => TensorMath.AddColumnSums(x, rows, cols, new float[cols + 1]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1001)]
    public void DoubleKernels_MatchScalarDoubleLoops(int n)
    {
        var x = Random(n, 9);
        var y = Random(n, 10);
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double)x[i] * y[i];
        TensorMath.DotDouble(x, y).ShouldBe(dot, 1e-12 * (1 + Math.Abs(dot)) * Math.Max(1, n));
        var sum = new double[n];
        for (int i = 0; i < n; i++) sum[i] = i * 0.25;
        var expected = sum.ToArray();
        TensorMath.AddScaledWidened(x, 1.0 / 3.0, sum);
        // Each entry is one fused multiply-add in float64, so the loop's fused form matches it bit for bit.
        for (int i = 0; i < n; i++) sum[i].ShouldBe(Math.FusedMultiplyAdd(x[i], 1.0 / 3.0, expected[i]));
        Should.Throw<ArgumentException>(() => TensorMath.AddScaledWidened(x, 1.0, new double[n + 1]));
        Should.Throw<ArgumentException>(() => TensorMath.DotDouble(x, new float[n + 1]));
    }

    [Fact]
    public void SoftmaxRows_MatchesDefinition_AndLogSoftmaxIsItsLog()
    {
        var x = Random(4 * 9, 5);
        x[3] = 200f; // beyond exp's float range (~88): the max shift must keep exp finite
        var y = new float[x.Length];
        var ly = new float[x.Length];
        Softmax.Rows(x, y, 4, 9);
        Softmax.LogRows(x, ly, 4, 9);
        for (int r = 0; r < 4; r++)
        {
            double m = x.Skip(r * 9).Take(9).Max();
            double z = x.Skip(r * 9).Take(9).Sum(v => Math.Exp(v - m));
            for (int j = 0; j < 9; j++)
            {
                y[r * 9 + j].ShouldBe((float)(Math.Exp(x[r * 9 + j] - m) / z), 1e-6);
                ly[r * 9 + j].ShouldBe((float)(x[r * 9 + j] - m - Math.Log(z)), 1e-5);
            }
        }
    }

    [Fact]
    public void SoftmaxBackwardRows_MatchesFiniteDifferences()
    {
        const int cols = 6;
        var x = Random(cols, 6);
        var gy = Random(cols, 7);
        var y = new float[cols];
        Softmax.Rows(x, y, 1, cols);
        var gx = new float[cols];
        Softmax.BackwardRows(y, gy, gx, 1, cols);
        double Loss(double[] xs)
        {
            double m = xs.Max(), z = xs.Sum(v => Math.Exp(v - m));
            return xs.Select((v, j) => Math.Exp(v - m) / z * gy[j]).Sum();
        }
        for (int j = 0; j < cols; j++)
        {
            double[] p = x.Select(v => (double)v).ToArray(), q = (double[])p.Clone();
            p[j] += 1e-5;
            q[j] -= 1e-5;
            gx[j].ShouldBe((float)((Loss(p) - Loss(q)) / 2e-5), 1e-5);
        }
    }
}
