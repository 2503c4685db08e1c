// Tests of OptimizerKernels: the SIMD AdamW and SGD updates equal their scalar twins bit-for-bit (whole spans
// and spans split at ragged offsets), one AdamW element agrees with double-precision math, the sum of
// squares matches its naive double twin, and mismatched lengths throw.
using TaskVectors.Tensors;
using TaskVectors.Training.Kernels;

namespace TaskVectors.Tests.Training;

public class OptimizerKernelsTests
{
    private static float[] Normal(int n, ulong seed, float std = 1f)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x, 0f, std);
        return x;
    }

    private static void ShouldBeBitIdentical(float[] actual, float[] expected, string what) => ArrayAssert.BitIdentical(actual, expected, what);

    // Constants of AdamW step t = 3 with lr = 1e-3, λ = 0.1 and the default betas.
    private const float Decay = (float)(1 - 1e-3 * 0.1);
    private static readonly float Correction2 = (float)Math.Sqrt(1 - Math.Pow(0.999, 3));
    private static readonly float NegativeStep = (float)(-1e-3 / (1 - Math.Pow(0.9, 3)));

    private static void Adam(bool reference, float[] theta, float[] g, float[] m, float[] v, int start, int count)
    {
        var ts = theta.AsSpan(start, count);
        var gs = g.AsSpan(start, count);
        var ms = m.AsSpan(start, count);
        var vs = v.AsSpan(start, count);
        if (reference) OptimizerKernels.AdamWUpdateReference(ts, gs, ms, vs, Decay, 0.9f, 0.1f, 0.999f, 0.001f, Correction2, 1e-8f, NegativeStep);
        else OptimizerKernels.AdamWUpdate(ts, gs, ms, vs, Decay, 0.9f, 0.1f, 0.999f, 0.001f, Correction2, 1e-8f, NegativeStep);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(31)]
    [InlineData(47)] // Vector512 lanes (where accelerated), then one Vector256 step, then a scalar tail
    [InlineData(1000)]
    public void AdamWUpdate_MatchesScalarTwinBitForBit(int n)
    {
        var theta = Normal(n, 1);
        var g = Normal(n, 2, 0.01f);
        var m = Normal(n, 3, 0.01f);
        var v = Normal(n, 4, 1e-4f).Select(x => x * x).ToArray();
        if (n > 0) g[0] = 0f; // with m = v = 0 the denominator is ε alone
        if (n > 0) { m[0] = 0f; v[0] = 0f; }
        float[] t2 = (float[])theta.Clone(), m2 = (float[])m.Clone(), v2 = (float[])v.Clone();
        Adam(false, theta, g, m, v, 0, n);
        Adam(true, t2, g, m2, v2, 0, n);
        ShouldBeBitIdentical(theta, t2, "θ");
        ShouldBeBitIdentical(m, m2, "m");
        ShouldBeBitIdentical(v, v2, "v");
    }

    [Fact]
    public void AdamWUpdate_SplitAtRaggedOffsets_EqualsOneCall()
    {
        const int n = 203;
        var theta = Normal(n, 5);
        var g = Normal(n, 6);
        var m = new float[n];
        var v = new float[n];
        float[] t2 = (float[])theta.Clone(), m2 = new float[n], v2 = new float[n];
        Adam(false, theta, g, m, v, 0, n);
        Adam(false, t2, g, m2, v2, 0, 13);
        Adam(false, t2, g, m2, v2, 13, 100);
        Adam(false, t2, g, m2, v2, 113, 90);
        ShouldBeBitIdentical(t2, theta, "θ");
        ShouldBeBitIdentical(v2, v, "v");
    }

    [Fact]
    public void AdamWUpdate_OneElement_AgreesWithDoublePrecision()
    {
        float[] theta = [0.7f], g = [-0.03f], m = [0.002f], v = [4e-6f];
        Adam(false, theta, g, m, v, 0, 1);
        double mm = 0.9 * 0.002f + 0.1 * -0.03f, vv = 0.999 * 4e-6f + 0.001 * 0.03f * 0.03f;
        double expected = 0.7f * (1 - 1e-4) - 1e-3 * (mm / (1 - Math.Pow(0.9, 3))) / (Math.Sqrt(vv / (1 - Math.Pow(0.999, 3))) + 1e-8);
        ((double)m[0]).ShouldBe(mm, 1e-9);
        ((double)v[0]).ShouldBe(vv, 1e-12);
        ((double)theta[0]).ShouldBe(expected, 1e-7);
    }

    [Theory]
    [InlineData(false, false, 0f, 0.9f)]
    [InlineData(true, false, 0f, 0.9f)]
    [InlineData(false, true, 0.01f, 0.9f)]
    [InlineData(true, true, 0.01f, 0.9f)]
    [InlineData(false, false, 0.01f, 0f)]
    public void SgdUpdate_MatchesScalarTwinBitForBit(bool nesterov, bool firstStep, float weightDecay, float momentum)
    {
        foreach (int n in new[] { 1, 8, 9, 37 })
        {
            var theta = Normal(n, 1);
            var g = Normal(n, 2);
            float[] b = momentum == 0 ? [] : Normal(n, 3);
            float[] t2 = (float[])theta.Clone(), b2 = (float[])b.Clone();
            OptimizerKernels.SgdUpdate(theta, g, b, weightDecay, momentum, 0.75f, nesterov, firstStep, -0.05f);
            OptimizerKernels.SgdUpdateReference(t2, g, b2, weightDecay, momentum, 0.75f, nesterov, firstStep, -0.05f);
            ShouldBeBitIdentical(theta, t2, $"θ (n = {n})");
            ShouldBeBitIdentical(b, b2, $"b (n = {n})");
            theta.SequenceEqual(Normal(n, 1)).ShouldBeFalse("the step moved θ");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1000)]
    [InlineData(100_003)]
    public void SumOfSquares_MatchesNaiveDoubleSum(int n)
    {
        var x = Normal(n, 9, 3f);
        double expected = OptimizerKernels.SumOfSquaresReference(x);
        double sum = 0;
        foreach (float e in x) sum += (double)e * e;
        expected.ShouldBe(sum);
        OptimizerKernels.SumOfSquares(x).ShouldBe(expected, 1e-12 * expected);
        if (n == 0) OptimizerKernels.SumOfSquares(x).ShouldBe(0);
    }

    [Fact]
    public void Kernels_LengthMismatch_Throw()
    {
        Should.Throw<ArgumentException>(() => OptimizerKernels.AdamWUpdate(new float[4], new float[4], new float[3], new float[4], 1, 0.9f, 0.1f, 0.999f, 0.001f, 1, 1e-8f, -1e-3f));
        Should.Throw<ArgumentException>(() => OptimizerKernels.AdamWUpdateReference(new float[4], new float[5], new float[4], new float[4], 1, 0.9f, 0.1f, 0.999f, 0.001f, 1, 1e-8f, -1e-3f));
        Should.Throw<ArgumentException>(() => OptimizerKernels.SgdUpdate(new float[4], new float[4], new float[2], 0, 0.9f, 1, false, false, -0.1f));
        Should.Throw<ArgumentException>(() => OptimizerKernels.SgdUpdate(new float[4], new float[3], [], 0, 0, 1, false, false, -0.1f));
        Should.Throw<ArgumentException>(() => OptimizerKernels.SgdUpdateReference(new float[4], new float[4], new float[5], 0, 0.9f, 1, false, false, -0.1f));
    }
}
