// Tests of ActivationKernels: every fast kernel against its double-precision twin (lengths that
// exercise the padded tail), published values, the σ rewrite of the tanh form against the literal
// formula, a dense sweep of the exact GELU over [−16, 16], saturation without NaN at extreme inputs, the chunked
// parallel driver, and the Vector512 lanes
// equal to the Vector256 lanes bit for bit.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class ActivationKernelsTests
{
    private delegate void Map(ReadOnlySpan<float> x, Span<float> y);

    private delegate void MapDerivative(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination);

    private static float[] Inputs(int n, ulong seed)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x, 0f, 3f);
        // Pin some extreme points into longer inputs: saturated tails and exact zero.
        float[] pins = [0f, -0f, 12f, -12f, 30f, -30f, 1e-20f, -1e-20f];
        for (int i = 0; i < pins.Length && i < n / 4; i++) x[i * 3] = pins[i];
        return x;
    }

    // Relative tolerance per element: the erf form is computed in double (≈ 2e-7 overall); the tanh and
    // quick forms evaluate their exponent argument a in float, whose rounding costs about |a|·1e-7.
    private static double Tolerance(string kernel, float x) => kernel switch
    {
        "erf" => 3e-7,
        "tanh" => 3e-7 * (1 + Math.Abs(1.5957691 * x * (1 + 0.044715 * x * x))),
        _ => 3e-7 * (1 + Math.Abs(1.702 * x)),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string kernel in new[] { "erf", "tanh", "quick" })
            foreach (int n in new[] { 1, 7, 8, 33, 1000 })
                data.Add(kernel, n);
        return data;
    }

    private static (Map Fast, Map Reference, MapDerivative FastDerivative, MapDerivative ReferenceDerivative) Kernels(string kernel) => kernel switch
    {
        "erf" => (ActivationKernels.GeluErf, ActivationKernels.GeluErfReference, ActivationKernels.GeluErfDerivative, ActivationKernels.GeluErfDerivativeReference),
        "tanh" => (ActivationKernels.GeluTanh, ActivationKernels.GeluTanhReference, ActivationKernels.GeluTanhDerivative, ActivationKernels.GeluTanhDerivativeReference),
        _ => (ActivationKernels.QuickGelu, ActivationKernels.QuickGeluReference, ActivationKernels.QuickGeluDerivative, ActivationKernels.QuickGeluDerivativeReference),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_MatchesReferenceTwin(string kernel, int n)
    {
        var (fast, reference, _, _) = Kernels(kernel);
        var x = Inputs(n, 1);
        var y = new float[n];
        var r = new float[n];
        fast(x, y);
        reference(x, r);
        for (int i = 0; i < n; i++)
            Math.Abs((double)y[i] - r[i]).ShouldBeLessThanOrEqualTo(Tolerance(kernel, x[i]) * Math.Abs(r[i]) + 1e-37, $"{kernel}({x[i]:R}): {y[i]:R} vs {r[i]:R}");
    }

    [Theory]
    [InlineData("erf")]
    [InlineData("tanh")]
    [InlineData("quick")]
    public void Vector512Lanes_EqualVector256Lanes_BitForBit(string kernel)
    {
        // Spans of 16 run through Vector512 where it is accelerated; their halves, 8 long, through Vector256.
        var (fast, _, fastDerivative, _) = Kernels(kernel);
        var x = Inputs(64, 4);
        var g = new float[64];
        new Rng(5).FillNormal(g);
        for (int at = 0; at < x.Length; at += 16)
        {
            var wide = new float[16];
            var wideSlope = new float[16];
            fast(x.AsSpan(at, 16), wide);
            fastDerivative(x.AsSpan(at, 16), g.AsSpan(at, 16), wideSlope);
            for (int half = 0; half < 16; half += 8)
            {
                var narrow = new float[8];
                var narrowSlope = new float[8];
                fast(x.AsSpan(at + half, 8), narrow);
                fastDerivative(x.AsSpan(at + half, 8), g.AsSpan(at + half, 8), narrowSlope);
                wide.AsSpan(half, 8).SequenceEqual(narrow).ShouldBeTrue($"{kernel} values at {at + half}");
                wideSlope.AsSpan(half, 8).SequenceEqual(narrowSlope).ShouldBeTrue($"{kernel} slopes at {at + half}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Derivative_MatchesReferenceTwin(string kernel, int n)
    {
        var (_, _, fast, reference) = Kernels(kernel);
        var x = Inputs(n, 2);
        var g = new float[n];
        new Rng(3).FillNormal(g);
        var d = new float[n];
        var r = new float[n];
        fast(x, g, d);
        reference(x, g, r);
        // The slope crosses zero (near x = −0.75), so the error is measured against |g| as well as |result|.
        for (int i = 0; i < n; i++)
            Math.Abs((double)d[i] - r[i]).ShouldBeLessThanOrEqualTo(Tolerance(kernel, x[i]) * (Math.Abs(r[i]) + Math.Abs(g[i])) + 1e-37, $"{kernel}'({x[i]:R})·{g[i]:R}: {d[i]:R} vs {r[i]:R}");
    }

    [Fact]
    public void GeluErf_DenseSweepOfTheWholeRange_WithinToleranceOfDoubleTwins()
    {
        // Steps of 1/512 over [−16, 16] (tails included: the value reaches 1e-57 at −16, the 1e-37 floor near −13)
        // plus 20k random points, through the fast kernels in one call (Vector512 where accelerated).
        var xs = new List<float>();
        for (float x = -16f; x <= 16f; x += 1f / 512) xs.Add(x);
        var rng = new Rng(12);
        for (int i = 0; i < 20000; i++) xs.Add(-16f + 32f * rng.NextSingle());
        float[] x0 = [.. xs];
        var g = new float[x0.Length];
        g.AsSpan().Fill(1f);
        var (y, r, d, rd) = (new float[x0.Length], new float[x0.Length], new float[x0.Length], new float[x0.Length]);
        ActivationKernels.GeluErf(x0, y);
        ActivationKernels.GeluErfReference(x0, r);
        ActivationKernels.GeluErfDerivative(x0, g, d);
        ActivationKernels.GeluErfDerivativeReference(x0, g, rd);
        ArrayAssert.Within(y, r, (i, expected) => 3e-7 * Math.Abs(expected) + 1e-37, "GELU(erf) values");
        ArrayAssert.Within(d, rd, (i, expected) => 3e-7 * (Math.Abs(expected) + 1) + 1e-37, "GELU(erf) slopes");
    }

    [Theory]
    [InlineData(1f, 0.8413447460685429, 0.8411919906082768, 0.8457957659328212)]
    [InlineData(-1f, -0.15865525393145707, -0.15880800939172324, -0.1542042340671787)]
    [InlineData(2f, 1.9544997361036416, 1.954597694087775, 1.9356586231442083)]
    [InlineData(-3f, -0.004049694094890287, -0.0036373920817729943, -0.01807130970778597)]
    [InlineData(0.5f, 0.34573123063700656, 0.34571400982514394, 0.35038843660638014)]
    public void Forward_MatchesPublishedValues(float x, double erf, double tanh, double quick)
    {
        // Expected values from PyTorch's definitions evaluated in double precision (Python math).
        float[] y = new float[1];
        ActivationKernels.GeluErf([x], y);
        y[0].ShouldBe((float)erf, 2e-7 * Math.Abs(erf));
        ActivationKernels.GeluTanh([x], y);
        y[0].ShouldBe((float)tanh, 4e-7 * Math.Abs(tanh));
        ActivationKernels.QuickGelu([x], y);
        y[0].ShouldBe((float)quick, 4e-7 * Math.Abs(quick));
    }

    [Fact]
    public void GeluTanh_SigmoidForm_EqualsLiteralTanhFormula()
    {
        var x = new float[2001];
        for (int i = 0; i < x.Length; i++) x[i] = -5f + i * 0.005f;
        var y = new float[x.Length];
        ActivationKernels.GeluTanh(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double literal = 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            ((double)y[i]).ShouldBe(literal, 3e-6 * Math.Abs(literal) + 1e-12, $"x = {v}");
        }
    }

    [Fact]
    public void ExtremeInputs_SaturateWithoutNaN()
    {
        float[] x = [1e30f, -1e30f, float.PositiveInfinity, float.NegativeInfinity, 60f, -60f, 1e-30f, 0f];
        float[] g = [1, 1, 1, 1, 1, 1, 1, 1];
        var d = new float[x.Length];
        foreach (MapDerivative derivative in new MapDerivative[] { ActivationKernels.GeluErfDerivative, ActivationKernels.GeluTanhDerivative, ActivationKernels.QuickGeluDerivative })
        {
            derivative(x, g, d);
            // Far left the true slope is a negative number below 1e-35 in magnitude, far right 1 − (the same).
            d[0].ShouldBe(1f);
            d[1].ShouldBe(0f, 1e-30);
            d[2].ShouldBe(1f);
            d[3].ShouldBe(0f, 1e-30);
            d[4].ShouldBe(1f);
            d[5].ShouldBe(0f, 1e-30);
            d[6].ShouldBe(0.5f);
            d[7].ShouldBe(0.5f);
        }
        var y = new float[x.Length];
        foreach (Map map in new Map[] { ActivationKernels.GeluErf, ActivationKernels.GeluTanh, ActivationKernels.QuickGelu })
        {
            map(x, y);
            y[0].ShouldBe(1e30f);
            y[1].ShouldBe(0f);
            y[2].ShouldBe(float.PositiveInfinity);
            y[4].ShouldBe(60f);
            y[5].ShouldBe(0f, 1e-30);
            y[7].ShouldBe(0f);
        }
    }

    [Fact]
    public void NaN_Propagates()
    {
        float[] x = [float.NaN, 1f];
        var y = new float[2];
        ActivationKernels.GeluErf(x, y);
        float.IsNaN(y[0]).ShouldBeTrue();
        ActivationKernels.GeluTanhDerivative(x, [1f, 1f], y);
        float.IsNaN(y[0]).ShouldBeTrue();
        ActivationKernels.QuickGelu(x, y);
        float.IsNaN(y[0]).ShouldBeTrue();
    }

    [Fact]
    public void LengthMismatch_Throws()
    {
        Should.Throw<ArgumentException>(() => ActivationKernels.GeluErf(new float[4], new float[3]));
        Should.Throw<ArgumentException>(() => ActivationKernels.QuickGeluDerivative(new float[4], new float[4], new float[5]));
    }

    [Theory]
    [InlineData("erf")]
    [InlineData("tanh")]
    [InlineData("quick")]
    public void Driver_ChunkedParallel_EqualsOneSerialCall(string kernel)
    {
        var function = kernel switch
        {
            "erf" => ActivationFunction.GeluErf,
            "tanh" => ActivationFunction.GeluTanh,
            _ => ActivationFunction.QuickGelu,
        };
        int n = 3 * ActivationDriver.ChunkLength + 13;
        var x = new Tensor(n);
        new Rng(4).FillNormal(x.Span, 0f, 2f);
        var g = new Tensor(n);
        new Rng(5).FillNormal(g.Span);
        var y = new Tensor(n);
        var d = new Tensor(n);
        ActivationDriver.Forward(function, x, y);
        ActivationDriver.Derivative(function, x, g, d);
        var (fast, _, fastDerivative, _) = Kernels(kernel);
        var ys = new float[n];
        var ds = new float[n];
        fast(x.Span, ys);
        fastDerivative(x.Span, g.Span, ds);
        ArrayAssert.Equal(y.Span, ys);
        ArrayAssert.Equal(d.Span, ds);
    }
}
