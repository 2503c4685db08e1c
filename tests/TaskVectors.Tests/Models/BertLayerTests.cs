// Tests of BertLayer: Hugging Face names, agreement with the naive post-LN block, derivatives
// against finite differences and the adjoint identity (with a padding mask), gradient
// accumulation, and the reference's own erfc.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;

namespace TaskVectors.Tests.Models;

public class BertLayerTests
{
    private static BertLayer Make(ulong seed = 21)
    {
        var layer = new BertLayer("encoder.layer.3", 8, 2, 16);
        BertReference.Randomize(layer, seed);
        return layer;
    }

    private static Tensor Input(ulong seed)
    {
        var x = new Tensor(2, 7, 8);
        new Rng(seed).FillNormal(x.Span);
        return x;
    }

    private static Tensor Mask() => BertReference.Batch().AttentionMask;

    private static Probe ProbeOf(BertLayer layer, Tensor x, Tensor? mask) => new()
    {
        Forward = () => layer.Forward(x, mask),
        Backward = layer.Backward,
        Jvp = tan => layer.Jvp(x, tan, mask),
        Input = x,
        Parameters = layer.Parameters,
    };

    [Fact]
    public void Parameters_HaveHuggingFaceNamesShapesAndOrder()
    {
        new BertLayer("encoder.layer.3", 8, 2, 16).Parameters.Select(p => p.ToString()).ShouldBe(
        [
            "encoder.layer.3.attention.self.query.weight [8, 8]",
            "encoder.layer.3.attention.self.query.bias [8]",
            "encoder.layer.3.attention.self.key.weight [8, 8]",
            "encoder.layer.3.attention.self.key.bias [8]",
            "encoder.layer.3.attention.self.value.weight [8, 8]",
            "encoder.layer.3.attention.self.value.bias [8]",
            "encoder.layer.3.attention.output.dense.weight [8, 8]",
            "encoder.layer.3.attention.output.dense.bias [8]",
            "encoder.layer.3.attention.output.LayerNorm.weight [8]",
            "encoder.layer.3.attention.output.LayerNorm.bias [8]",
            "encoder.layer.3.intermediate.dense.weight [16, 8]",
            "encoder.layer.3.intermediate.dense.bias [16]",
            "encoder.layer.3.output.dense.weight [8, 16]",
            "encoder.layer.3.output.dense.bias [8]",
            "encoder.layer.3.output.LayerNorm.weight [8]",
            "encoder.layer.3.output.LayerNorm.bias [8]",
        ]);
    }

    [Fact]
    public void Linears_AreInForwardOrder()
    {
        Make().Linears.Select(l => l.Name).ShouldBe(
        [
            "encoder.layer.3.attention.self.query", "encoder.layer.3.attention.self.key", "encoder.layer.3.attention.self.value",
            "encoder.layer.3.attention.output.dense", "encoder.layer.3.intermediate.dense", "encoder.layer.3.output.dense",
        ]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Forward_MatchesNaivePostLayerNormBlock(bool masked)
    {
        var layer = Make();
        var x = Input(1);
        var mask = masked ? Mask() : null;
        var y = layer.Forward(x, mask);
        var expected = BertReference.Layer(layer, x.Span.ToArray().Select(v => (double)v).ToArray(), 2, 7, mask);
        y.Shape.ToArray().ShouldBe([2, 7, 8]);
        for (int i = 0; i < y.Length; i++) y[i].ShouldBe((float)expected[i], 2e-5 * (1 + Math.Abs(expected[i])), $"y[{i}]");
    }

    [Fact]
    public void Backward_WithMask_MatchesFiniteDifferences() => DerivativeChecks.Backward(ProbeOf(Make(22), Input(2), Mask()));

    [Fact]
    public void Backward_WithoutMask_MatchesFiniteDifferences() => DerivativeChecks.Backward(Probe.ForLayer(Make(23), Input(3)));

    [Fact]
    public void Jvp_WithMask_MatchesFiniteDifferences() => DerivativeChecks.Jvp(ProbeOf(Make(24), Input(4), Mask()));

    [Fact]
    public void JvpAndBackward_WithMask_SatisfyAdjointIdentity() => DerivativeChecks.Adjoint(ProbeOf(Make(25), Input(5), Mask()));

    [Fact]
    public void Backward_CalledTwice_AccumulatesParameterGradients()
    {
        var layer = Make();
        var x = Input(6);
        var g = Input(7);
        layer.Forward(x, Mask());
        foreach (var p in layer.Parameters) p.ZeroGrad();
        var gx = layer.Backward(g).Clone();
        var once = layer.Parameters.Select(p => p.Grad.Clone()).ToList();
        ArrayAssert.Equal(layer.Backward(g).Span, gx.Span);
        foreach (var (p, first) in layer.Parameters.Zip(once))
            for (int i = 0; i < first.Length; i++) p.Grad[i].ShouldBe(2 * first[i], 1e-6f * (1 + Math.Abs(first[i])), p.Name);
    }

    [Fact]
    public void Forward_WithMask_PaddedTokensDoNotChangeRealTokens()
    {
        var layer = Make();
        var x = Input(8);
        var y = layer.Forward(x, Mask()).Clone();
        foreach (int n in BertReference.PaddedPositions)
            for (int c = 0; c < 8; c++) x[n * 8 + c] += 5f;
        var changed = layer.Forward(x, Mask());
        for (int n = 0; n < 14; n++)
        {
            bool padded = BertReference.PaddedPositions.Contains(n);
            for (int c = 0; c < 8; c++)
                if (!padded) changed[n * 8 + c].ShouldBe(y[n * 8 + c]);
            if (padded) Enumerable.Range(0, 8).Any(c => changed[n * 8 + c] != y[n * 8 + c]).ShouldBeTrue();
        }
    }

    [Fact]
    public void Training_DropsInBothBranches_AndEvaluationIsRestored()
    {
        var layer = Make();
        var x = Input(9);
        var eval = layer.Forward(x, Mask()).Clone();
        layer.Training = true;
        layer.AttentionDropout.Training.ShouldBeTrue();
        layer.OutputDropout.Training.ShouldBeTrue();
        var train = layer.Forward(x, Mask()).Clone();
        train.Span.SequenceEqual(eval.Span).ShouldBeFalse();
        layer.Training = false;
        ArrayAssert.Equal(layer.Forward(x, Mask()).Span, eval.Span);
    }

    [Fact]
    public void Initialize_FollowsHuggingFace()
    {
        var layer = Make();
        layer.Initialize(new Rng(4), 0.02f);
        foreach (var l in layer.Linears) l.Bias!.Value.Span.ToArray().ShouldAllBe(v => v == 0f);
        foreach (var norm in new[] { layer.AttentionNorm, layer.OutputNorm })
        {
            norm.Weight.Value.Span.ToArray().ShouldAllBe(v => v == 1f);
            norm.Bias.Value.Span.ToArray().ShouldAllBe(v => v == 0f);
        }
        var w = layer.Intermediate.Weight.Value.Span.ToArray();
        Math.Sqrt(w.Average(v => (double)v * v)).ShouldBe(0.02, 0.004);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(-1.0, 1.8427007929497148)]
    [InlineData(2.5, 4.069520174449590e-4)]
    [InlineData(3.5, 7.430983723414128e-7)]
    [InlineData(-4.0, 1.9999999845827421)]
    public void Reference_Erfc_MatchesTabulatedValues(double z, double expected) =>
        BertReference.Erfc(z).ShouldBe(expected, 1e-13 + 1e-11 * Math.Abs(expected));

    [Fact]
    public void Forward_WrongWidth_Throws()
    {
        Should.Throw<ArgumentException>(() => Make().Forward(new Tensor(2, 7, 6), null));
    }

    [Fact]
    public void Backward_BeforeForward_Throws()
    {
        Should.Throw<InvalidOperationException>(() => new BertLayer("encoder.layer.0", 8, 2, 16).Backward(new Tensor(2, 7, 8)));
    }
}
