// Parameter.RequiresGrad: with it off, Backward leaves Grad exactly as it was (a sentinel survives) and
// returns the same input gradient bit for bit, for every layer that owns parameters; per-sample gradients
// (KFAC's dense blocks) do not depend on it; whole models skip every parameter gradient.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Models;

namespace TaskVectors.Tests.Layers;

public sealed class RequiresGradTests
{
    private const float Sentinel = 1234.5f;

    // Runs Forward/Backward twice, with gradients on and off, and checks the input gradients agree and the grads held.
    private static void Check(ILayer layer, Tensor input, ulong seed)
    {
        var output = layer.Forward(input);
        var gradOutput = TestTensors.Normal(seed, output.Shape.ToArray());
        foreach (var p in layer.Parameters) p.ZeroGrad();
        var on = layer.Backward(gradOutput).Span.ToArray();
        var computed = layer.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        computed.ShouldAllBe(g => g.Any(v => v != 0f), "the layer does compute parameter gradients when asked");

        foreach (var p in layer.Parameters)
        {
            p.RequiresGrad = false;
            p.Grad.Fill(Sentinel);
        }
        layer.Forward(input);
        var off = layer.Backward(gradOutput).Span.ToArray();
        ArrayAssert.Equal(off, on, "the input gradient does not depend on RequiresGrad");
        foreach (var p in layer.Parameters) p.Grad.Span.ToArray().ShouldAllBe(v => v == Sentinel, p.Name);
    }

    private static void Randomize(IEnumerable<Parameter> parameters, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var p in parameters) rng.FillNormal(p.Value.Span, 0f, 0.5f);
    }

    [Fact]
    public void Linear_Off_SkipsWeightAndBias()
    {
        var layer = new Linear("fc", 5, 4);
        Randomize(layer.Parameters, 1);
        Check(layer, TestTensors.Normal(2, 3, 2, 5), 3);
    }

    [Fact]
    public void Linear_BiasOnly_AccumulatesBiasAlone()
    {
        var layer = new Linear("fc", 5, 4);
        Randomize(layer.Parameters, 1);
        var x = TestTensors.Normal(2, 6, 5);
        var gy = TestTensors.Normal(3, 6, 4);
        layer.Weight.RequiresGrad = false;
        layer.Weight.Grad.Fill(Sentinel);
        layer.Forward(x);
        layer.Backward(gy);
        layer.Weight.Grad.Span.ToArray().ShouldAllBe(v => v == Sentinel);
        for (int o = 0; o < 4; o++)
            layer.Bias!.Grad[o].ShouldBe(Enumerable.Range(0, 6).Sum(n => gy[n, o]), 1e-5f);
    }

    [Fact]
    public void LayerNorm_Off_SkipsGammaAndBetaButKeepsPerSampleGradients()
    {
        var layer = new LayerNorm("ln", 6);
        Randomize(layer.Parameters, 4);
        var x = TestTensors.Normal(5, 2, 3, 6);
        layer.Forward(x);
        layer.Backward(TestTensors.Normal(6, 2, 3, 6));
        var before = new float[2 * 6];
        layer.PerSampleGradient(layer.Weight, before);
        Check(layer, x, 6);
        var after = new float[2 * 6];
        layer.PerSampleGradient(layer.Weight, after);
        after.ShouldBe(before);
    }

    [Fact]
    public void PatchEmbedding_Off_SkipsWeightAndBias()
    {
        var layer = new PatchEmbedding("patch", 3, 8, 4, 5, bias: true);
        Randomize(layer.Parameters, 7);
        Check(layer, TestTensors.Normal(8, 2, 3, 8, 8), 9);
    }

    [Fact]
    public void ClassPositionEmbedding_Off_SkipsBoth()
    {
        var layer = new ClassPositionEmbedding("emb", 4, 5);
        Randomize(layer.Parameters, 10);
        Check(layer, TestTensors.Normal(11, 2, 4, 5), 12);
    }

    [Fact]
    public void TokenEmbedding_Off_SkipsTheTable()
    {
        var layer = new TokenEmbedding("words", 7, 3);
        Randomize(layer.Parameters, 13);
        int[] ids = [1, 4, 4, 0, 6, 2];
        layer.Forward(ids, 2, 3);
        layer.Weight.RequiresGrad = false;
        layer.Weight.Grad.Fill(Sentinel);
        layer.Backward(TestTensors.Normal(14, 2, 3, 3));
        layer.Weight.Grad.Span.ToArray().ShouldAllBe(v => v == Sentinel);
    }

    [Fact]
    public void Models_AllOff_LeaveEveryGradientAlone()
    {
        var vit = new VisionTransformer(new VisionTransformerConfig { ImageSize = 8, PatchSize = 4, Channels = 3, Width = 8, Layers = 1, Heads = 2, MlpWidth = 16, ProjectionDim = 4 });
        vit.Initialize(new Rng(15));
        var bert = new TextTransformer(BertReference.Tiny, TextPooling.Cls);
        BertReference.Randomize(bert, 16);
        var mask = new Tensor(2, 4);
        mask.Fill(1f);
        var batch = new TextBatch(2, 4, [1, 5, 7, 2, 1, 9, 3, 2], new int[8], mask);
        foreach (var (model, run) in new (IParameterized, Action<Tensor?>)[]
        {
            (vit, g => { var f = vit.Forward(TestTensors.Normal(17, 2, 3, 8, 8)); vit.Backward(g ?? TestTensors.Normal(18, f.Shape.ToArray())); }),
            (bert, g => { var f = bert.Forward(batch); bert.Backward(g ?? TestTensors.Normal(19, f.Shape.ToArray())); }),
        })
        {
            foreach (var p in model.Parameters)
            {
                p.RequiresGrad = false;
                p.Grad.Fill(Sentinel);
            }
            run(null);
            foreach (var p in model.Parameters) p.Grad.Span.ToArray().ShouldAllBe(v => v == Sentinel, p.Name);
        }
    }
}
