// Tests of LayerNorm: a hand-computed case, derivatives against finite differences and the adjoint
// identity, agreement of the chunked parallel passes with one serial kernel call, gradient
// accumulation, errors naming the layer, and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class LayerNormTests
{
    private static LayerNorm Make(int features, float eps = 1e-5f, ulong seed = 5)
    {
        var layer = new LayerNorm("encoder.ln", features, eps);
        var rng = new Rng(seed);
        rng.FillNormal(layer.Weight.Value.Span, 1f, 0.3f);
        rng.FillNormal(layer.Bias.Value.Span, 0f, 0.5f);
        return layer;
    }

    private static Tensor Input(ulong seed, params int[] shape)
    {
        var x = new Tensor(shape);
        new Rng(seed).FillNormal(x.Span, 0.2f, 1.5f);
        return x;
    }

    [Fact]
    public void Forward_HandComputed_MatchesDefinition()
    {
        var layer = new LayerNorm("ln", 4, eps: 0f);
        new float[] { 1, 2, 1, 1 }.CopyTo(layer.Weight.Value.Span);
        new float[] { 0, 0, 0, 1 }.CopyTo(layer.Bias.Value.Span);
        var y = layer.Forward(new Tensor(new float[] { 1, 2, 3, 4, 2, 2, 2, 6 }, 2, 4));
        double s = 1 / Math.Sqrt(1.25), t = 1 / Math.Sqrt(3.0); // row 2: μ = 3, σ² = 3
        y.Span.ToArray().ShouldBe([(float)(-1.5 * s), (float)(-1 * s), (float)(0.5 * s), (float)(1.5 * s + 1),
            (float)(-t), (float)(-2 * t), (float)(-t), (float)(3 * t + 1)], tolerance: 2e-6f);
        layer.Parameters.Select(p => p.Name).ShouldBe(["ln.weight", "ln.bias"]);
        new LayerNorm("fresh", 3).Weight.Value.Span.ToArray().ShouldBe([1f, 1f, 1f]);
    }

    [Theory]
    [InlineData(1e-5f)]
    [InlineData(1e-12f)]
    public void Backward_MatchesFiniteDifferences(float eps)
    {
        DerivativeChecks.Backward(Probe.ForLayer(Make(19, eps), Input(1, 2, 3, 19)));
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(Make(19), Input(2, 4, 19)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(Make(40), Input(3, 3, 5, 40)));
    }

    [Fact]
    public void Jvp_WithoutAnyTangent_IsZero()
    {
        var layer = Make(8);
        var x = Input(4, 3, 8);
        var dual = layer.Jvp(x, null);
        dual.Tangent.Span.ToArray().ShouldAllBe(v => v == 0f);
        ArrayAssert.Equal(dual.Primal.Span, layer.Forward(x).Span);
    }

    [Fact]
    public void ParallelPasses_ManyRows_MatchOneSerialKernelCall()
    {
        // 300 rows of 192 span several chunks; rows are independent, so outputs agree bit for bit, and the
        // chunk-ordered γ/β sums agree with one serial sum to rounding.
        const int rows = 300, cols = 192;
        var layer = Make(cols);
        var x = Input(5, rows, cols);
        var gy = Input(6, rows, cols);
        var y = layer.Forward(x).Clone();
        var gx = layer.Backward(gy).Clone();
        var (ys, mean, rstd) = (new float[rows * cols], new float[rows], new float[rows]);
        LayerNormKernels.Forward(x.Span, layer.Weight.Value.Span, layer.Bias.Value.Span, ys, mean, rstd, rows, cols, layer.Epsilon);
        ArrayAssert.Equal(y.Span, ys);
        var (gxs, dg, db) = (new float[rows * cols], new float[cols], new float[cols]);
        LayerNormKernels.Backward(x.Span, layer.Weight.Value.Span, mean, rstd, gy.Span, gxs, dg, db, rows, cols);
        ArrayAssert.Equal(gx.Span, gxs);
        for (int j = 0; j < cols; j++)
        {
            layer.Weight.Grad[j].ShouldBe(dg[j], 1e-4 * (1 + Math.Abs(dg[j])));
            layer.Bias.Grad[j].ShouldBe(db[j], 1e-4 * (1 + Math.Abs(db[j])));
        }
        // Repeating the pass reproduces the parameter gradients exactly (fixed chunk order).
        var first = layer.Weight.Grad.Span.ToArray();
        layer.Weight.ZeroGrad();
        layer.Bias.ZeroGrad();
        layer.Forward(x);
        layer.Backward(gy);
        ArrayAssert.Equal(layer.Weight.Grad.Span, first);
    }

    [Fact]
    public void Backward_Twice_AccumulatesParameterGradients()
    {
        var layer = Make(6);
        layer.Forward(Input(7, 4, 6));
        var g = Input(8, 4, 6);
        layer.Backward(g);
        var once = layer.Weight.Grad.Span.ToArray();
        var onceBias = layer.Bias.Grad.Span.ToArray();
        layer.Backward(g);
        for (int i = 0; i < once.Length; i++)
        {
            layer.Weight.Grad[i].ShouldBe(2 * once[i], 1e-5);
            layer.Bias.Grad[i].ShouldBe(2 * onceBias[i], 1e-5);
        }
    }

    [Fact]
    public void Errors_NameTheLayerAndShapes()
    {
        var layer = Make(4);
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(2, 4))).Message.ShouldContain("encoder.ln");
        Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 5))).Message.ShouldContain("encoder.ln");
        layer.Forward(new Tensor(2, 4));
        var e = Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(3, 4)));
        e.Message.ShouldContain("encoder.ln");
        e.Message.ShouldContain("[3, 4]");
        Should.Throw<ArgumentException>(() => layer.Jvp(new Tensor(2, 4), new Tensor(2, 3))).Message.ShouldContain("encoder.ln");
        Should.Throw<ArgumentOutOfRangeException>(() => new LayerNorm("bad", 4, -1f)).Message.ShouldContain("bad");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = Make(192);
        layer.Weight.Tangent = Input(9, 192);
        var x = Input(10, 2, 50, 192);
        var g = Input(11, 2, 50, 192);
        void Step()
        {
            layer.Forward(x);
            layer.Backward(g);
            layer.Jvp(x, g);
        }
        SteadyStateAllocations.AssertNone(Step);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(5, 1)]
    public void PerSampleGradient_EqualsGradientOfEachSampleAlone(int samples, int tokens)
    {
        const int C = 5;
        var layer = Make(C);
        var x = Input(3, samples, tokens, C);
        var gy = Input(4, samples, tokens, C);
        layer.Forward(x);
        layer.Weight.ZeroGrad();
        layer.Bias.ZeroGrad();
        layer.Backward(gy);
        layer.PerSampleParameters.ShouldBe([layer.Weight, layer.Bias]);
        var gamma = new float[samples * C];
        var beta = new float[samples * C];
        layer.PerSampleGradient(layer.Weight, gamma);
        layer.PerSampleGradient(layer.Bias, beta);
        for (int n = 0; n < samples; n++)
        {
            var single = Make(C);
            single.Forward(x.Rows(n, 1));
            single.Backward(gy.Rows(n, 1));
            ArrayAssert.Close(gamma.AsSpan(n * C, C), single.Weight.Grad.Span, 1e-5, 0, $"γ gradient of sample {n}");
            ArrayAssert.Close(beta.AsSpan(n * C, C), single.Bias.Grad.Span, 1e-5, 0, $"β gradient of sample {n}");
        }
    }

    [Fact]
    public void PerSampleGradient_BeforeBackwardOrForeignParameterOrWrongLength_Throws()
    {
        var layer = Make(3);
        layer.Forward(Input(1, 2, 3));
        Should.Throw<InvalidOperationException>(() => layer.PerSampleGradient(layer.Weight, new float[6]));
        layer.Backward(Input(2, 2, 3));
        Should.Throw<ArgumentException>(() => layer.PerSampleGradient(new Parameter("other", new Tensor(3)), new float[6]));
        Should.Throw<ArgumentException>(() => layer.PerSampleGradient(layer.Bias, new float[5]));
    }
}
