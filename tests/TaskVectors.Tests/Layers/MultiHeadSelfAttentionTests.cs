// Tests of MultiHeadSelfAttention: a hand-computed one-head case, agreement with a naive full
// implementation (with and without a padding mask), derivatives against finite differences and the
// adjoint identity, mask semantics and validation, Hugging Face names, and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class MultiHeadSelfAttentionTests
{
    private static MultiHeadSelfAttention Make(int dim, int heads, ulong seed = 5, float std = 0.4f)
    {
        var layer = new MultiHeadSelfAttention("vision_model.encoder.layers.0.self_attn", dim, heads);
        var rng = new Rng(seed);
        foreach (var p in layer.Parameters)
            rng.FillNormal(p.Value.Span, 0f, p.Value.Rank == 1 ? 0.2f : std);
        return layer;
    }

    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    // (B, T) = (2, 5): batch 0 attends to tokens 0, 2, 3; batch 1 to all but the last.
    private static Tensor PaddingMask() => new(new float[] { 1, 0, 1, 1, 0, 1, 1, 1, 1, 0 }, 2, 5);

    private static Probe MaskedProbe(MultiHeadSelfAttention layer, Tensor x, Tensor mask) => new()
    {
        Forward = () => layer.Forward(x, mask),
        Backward = layer.Backward,
        Jvp = tan => layer.Jvp(x, tan, mask),
        Input = x,
        Parameters = layer.Parameters,
    };

    // The whole block from its definition, one element at a time in double precision: projections,
    // per-head scores with Hugging Face's float.MinValue additive mask, softmax, merge, output projection.
    private static double[] Naive(MultiHeadSelfAttention layer, Tensor x, Tensor? mask)
    {
        int b = x.Dim(0), t = x.Dim(1), c = layer.Dim, h = layer.Heads, d = layer.HeadDim;
        double[] Project(Linear l, Func<int, int, double> input)
        {
            var y = new double[b * t * c];
            for (int n = 0; n < b * t; n++)
                for (int o = 0; o < c; o++)
                {
                    double s = l.Bias!.Value[o];
                    for (int i = 0; i < c; i++) s += l.Weight.Value[o, i] * input(n, i);
                    y[n * c + o] = s;
                }
            return y;
        }
        var q = Project(layer.Query, (n, i) => x[n * c + i]);
        var k = Project(layer.Key, (n, i) => x[n * c + i]);
        var v = Project(layer.Value, (n, i) => x[n * c + i]);
        var o = new double[b * t * c];
        for (int bb = 0; bb < b; bb++)
            for (int hh = 0; hh < h; hh++)
                for (int i = 0; i < t; i++)
                {
                    var s = new double[t];
                    for (int j = 0; j < t; j++)
                    {
                        for (int e = 0; e < d; e++) s[j] += q[(bb * t + i) * c + hh * d + e] * k[(bb * t + j) * c + hh * d + e];
                        s[j] = s[j] / Math.Sqrt(d) + (mask is null || mask[bb, j] == 1f ? 0 : float.MinValue);
                    }
                    double m = s.Max(), z = s.Sum(sj => Math.Exp(sj - m));
                    for (int j = 0; j < t; j++)
                        for (int e = 0; e < d; e++)
                            o[(bb * t + i) * c + hh * d + e] += Math.Exp(s[j] - m) / z * v[(bb * t + j) * c + hh * d + e];
                }
        return Project(layer.Output, (n, i) => o[n * c + i]);
    }

    [Fact]
    public void Forward_OneHeadTwoTokensIdentityProjections_MatchesHandComputation()
    {
        var layer = new MultiHeadSelfAttention("attn", 2, 1);
        foreach (var l in new[] { layer.Query, layer.Key, layer.Value, layer.Output })
        {
            l.Weight.Value[0, 0] = 1;
            l.Weight.Value[1, 1] = 1;
        }
        // Q = K = V = x = [[1, 0], [0, 2]]: S = x xᵀ/√2 = [[1/√2, 0], [0, 4/√2]].
        var y = layer.Forward(new Tensor(new float[] { 1, 0, 0, 2 }, 1, 2, 2));
        double a = 1 / Math.Sqrt(2), p00 = Math.Exp(a) / (Math.Exp(a) + 1), p11 = Math.Exp(4 * a) / (Math.Exp(4 * a) + 1);
        // y = P V: row 0 = p00·[1, 0] + (1 − p00)·[0, 2]; row 1 = (1 − p11)·[1, 0] + p11·[0, 2].
        double[] expected = [p00, 2 * (1 - p00), 1 - p11, 2 * p11];
        for (int i = 0; i < 4; i++) y[i].ShouldBe((float)expected[i], 1e-6);
        layer.LastProbabilities!.Span.ToArray().ShouldBe([(float)p00, (float)(1 - p00), (float)(1 - p11), (float)p11], 1e-6f);
    }

    [Theory]
    [InlineData(6, 3, false)]
    [InlineData(8, 2, true)]
    [InlineData(12, 3, true)]
    public void Forward_MatchesNaiveDefinition(int dim, int heads, bool masked)
    {
        var layer = Make(dim, heads);
        var x = Input(1, 2, 5, dim);
        var mask = masked ? PaddingMask() : null;
        var y = layer.Forward(x, mask);
        var expected = Naive(layer, x, mask);
        y.Shape.ToArray().ShouldBe([2, 5, dim]);
        for (int i = 0; i < y.Length; i++) y[i].ShouldBe((float)expected[i], 1e-5 * (1 + Math.Abs(expected[i])), $"y[{i}]");
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(8, 2)]
    public void Backward_MatchesFiniteDifferences(int dim, int heads)
    {
        DerivativeChecks.Backward(Probe.ForLayer(Make(dim, heads), Input(2, 2, 5, dim)));
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(8, 2)]
    public void Backward_WithMask_MatchesFiniteDifferences(int dim, int heads)
    {
        DerivativeChecks.Backward(MaskedProbe(Make(dim, heads), Input(3, 2, 5, dim), PaddingMask()));
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(8, 2)]
    public void Jvp_MatchesFiniteDifferences(int dim, int heads)
    {
        DerivativeChecks.Jvp(Probe.ForLayer(Make(dim, heads), Input(4, 2, 5, dim)));
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(8, 2)]
    public void Jvp_WithMask_MatchesFiniteDifferences(int dim, int heads)
    {
        DerivativeChecks.Jvp(MaskedProbe(Make(dim, heads), Input(5, 2, 5, dim), PaddingMask()));
    }

    [Theory]
    [InlineData(6, 3, false)]
    [InlineData(12, 2, true)]
    public void JvpAndBackward_SatisfyAdjointIdentity(int dim, int heads, bool masked)
    {
        var layer = Make(dim, heads);
        var x = Input(6, 2, 5, dim);
        DerivativeChecks.Adjoint(masked ? MaskedProbe(layer, x, PaddingMask()) : Probe.ForLayer(layer, x));
    }

    [Fact]
    public void Jvp_PrimalAndBackwardAfterJvp_EqualForwardAndBackward()
    {
        var layer = Make(6, 3);
        var x = Input(7, 2, 5, 6);
        var g = Input(8, 2, 5, 6);
        var mask = PaddingMask();
        var y = layer.Forward(x, mask).Clone();
        foreach (var p in layer.Parameters) p.ZeroGrad();
        var gx = layer.Backward(g).Clone();
        var gw = layer.Query.Weight.Grad.Clone();
        var dual = layer.Jvp(x, Input(9, 2, 5, 6), mask);
        ArrayAssert.Equal(dual.Primal.Span, y.Span);
        foreach (var p in layer.Parameters) p.ZeroGrad();
        ArrayAssert.Equal(layer.Backward(g).Span, gx.Span);
        ArrayAssert.Equal(layer.Query.Weight.Grad.Span, gw.Span);
    }

    [Fact]
    public void Forward_WithMask_MaskedKeysGetZeroProbabilityAndDoNotAffectOtherTokens()
    {
        var layer = Make(6, 3);
        var mask = PaddingMask();
        var x = Input(10, 2, 5, 6);
        var y = layer.Forward(x, mask).Clone();
        var p = layer.LastProbabilities!;
        for (int h = 0; h < 3; h++)
            for (int i = 0; i < 5; i++)
            {
                p[((0 * 3 + h) * 5 + i) * 5 + 1].ShouldBe(0f);
                p[((0 * 3 + h) * 5 + i) * 5 + 4].ShouldBe(0f);
                p[((1 * 3 + h) * 5 + i) * 5 + 4].ShouldBe(0f);
            }
        // Changing a padded token changes only that token's own output row.
        for (int c = 0; c < 6; c++) x[(0 * 5 + 1) * 6 + c] += 3f;
        var changed = layer.Forward(x, mask);
        for (int n = 0; n < 10; n++)
            for (int c = 0; c < 6; c++)
                if (n != 1) changed[n * 6 + c].ShouldBe(y[n * 6 + c]);
        Enumerable.Range(0, 6).Any(c => changed[6 + c] != y[6 + c]).ShouldBeTrue();
    }

    [Fact]
    public void Forward_AllOnesMask_EqualsNoMask()
    {
        var layer = Make(8, 2);
        var x = Input(11, 2, 5, 8);
        var plain = layer.Forward(x).Clone();
        var ones = new Tensor(2, 5);
        ones.Fill(1f);
        ArrayAssert.Equal(layer.Forward(x, ones).Span, plain.Span);
    }

    [Fact]
    public void Forward_MaskRowAllZero_ThrowsNamingLayerAndRow()
    {
        var layer = Make(6, 3);
        var mask = new Tensor(new float[] { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0 }, 2, 5);
        var e = Should.Throw<ArgumentException>(() => layer.Forward(Input(12, 2, 5, 6), mask));
        e.Message.ShouldContain("vision_model.encoder.layers.0.self_attn");
        e.Message.ShouldContain("row 1");
    }

    [Fact]
    public void Forward_MaskNotBinary_Throws()
    {
        var layer = Make(6, 3);
        var mask = new Tensor(new float[] { 1, 1, 0.5f, 1, 1, 1, 1, 1, 1, 1 }, 2, 5);
        Should.Throw<ArgumentException>(() => layer.Forward(Input(12, 2, 5, 6), mask)).Message.ShouldContain("[0, 2]");
    }

    [Fact]
    public void Forward_MaskWrongShape_Throws()
    {
        var layer = Make(6, 3);
        Should.Throw<ArgumentException>(() => layer.Forward(Input(12, 2, 5, 6), new Tensor(2, 4))).Message.ShouldContain("self_attn");
    }

    [Fact]
    public void Forward_WrongWidth_ThrowsNamingLayer()
    {
        var layer = Make(6, 3);
        Should.Throw<ArgumentException>(() => layer.Forward(Input(13, 2, 5, 8))).Message.ShouldContain("self_attn");
        Should.Throw<ArgumentException>(() => layer.Forward(Input(13, 10, 6))).Message.ShouldContain("self_attn");
    }

    [Fact]
    public void Backward_BeforeForward_ThrowsNamingLayer()
    {
        var layer = Make(6, 3);
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(2, 5, 6))).Message.ShouldContain("self_attn");
    }

    [Fact]
    public void Constructor_DimNotDivisibleByHeads_Throws()
    {
        Should.Throw<ArgumentException>(() => new MultiHeadSelfAttention("attn", 10, 3)).Message.ShouldContain("attn");
    }

    [Fact]
    public void Parameters_ClipAndBertNames_FollowHuggingFace()
    {
        new MultiHeadSelfAttention("vision_model.encoder.layers.3.self_attn", 4, 2).Parameters.Select(p => p.Name).ShouldBe([
            "vision_model.encoder.layers.3.self_attn.q_proj.weight", "vision_model.encoder.layers.3.self_attn.q_proj.bias",
            "vision_model.encoder.layers.3.self_attn.k_proj.weight", "vision_model.encoder.layers.3.self_attn.k_proj.bias",
            "vision_model.encoder.layers.3.self_attn.v_proj.weight", "vision_model.encoder.layers.3.self_attn.v_proj.bias",
            "vision_model.encoder.layers.3.self_attn.out_proj.weight", "vision_model.encoder.layers.3.self_attn.out_proj.bias",
        ]);
        var bert = new MultiHeadSelfAttention(AttentionNames.Bert("bert.encoder.layer.0.attention"), 4, 2);
        bert.Parameters.Select(p => p.Name).ShouldBe([
            "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.query.bias",
            "bert.encoder.layer.0.attention.self.key.weight", "bert.encoder.layer.0.attention.self.key.bias",
            "bert.encoder.layer.0.attention.self.value.weight", "bert.encoder.layer.0.attention.self.value.bias",
            "bert.encoder.layer.0.attention.output.dense.weight", "bert.encoder.layer.0.attention.output.dense.bias",
        ]);
        bert.Name.ShouldBe("bert.encoder.layer.0.attention");
        bert.Parameters.ShouldAllBe(p => p.Value.Length == (p.Value.Rank == 2 ? 16 : 4));
    }

    [Fact]
    public void Backward_ExposesProjectionOutputGradients_ForKfac()
    {
        var layer = Make(6, 3);
        var x = Input(14, 2, 5, 6);
        layer.Forward(x);
        layer.Backward(Input(15, 2, 5, 6));
        layer.Query.LastInput.ShouldBeSameAs(x);
        layer.Key.LastInput.ShouldBeSameAs(x);
        // ∂L/∂W_q = (∂L/∂Q)ᵀ x, so the exposed ∂L/∂Q reproduces the accumulated query weight gradient.
        var gq = layer.LastQueryGradient!;
        for (int o = 0; o < 6; o++)
            for (int i = 0; i < 6; i++)
            {
                double s = 0;
                for (int n = 0; n < 10; n++) s += gq[n * 6 + o] * x[n * 6 + i];
                layer.Query.Weight.Grad[o, i].ShouldBe((float)s, 1e-5 * (1 + Math.Abs(s)));
            }
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = Make(12, 3);
        foreach (var p in layer.Parameters) p.Tangent = new Tensor(p.Value.Shape);
        var x = Input(16, 4, 7, 12);
        var g = Input(17, 4, 7, 12);
        var mask = new Tensor(4, 7);
        mask.Fill(1f);
        mask[0, 6] = 0f;
        void Step()
        {
            layer.Forward(x, mask);
            layer.Backward(g);
            layer.Jvp(x, x, mask);
            layer.Backward(g);
            layer.Forward(x);
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
