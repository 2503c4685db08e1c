// Tests of ClassPositionEmbedding: hand-computed outputs and gradients, derivatives against finite
// differences and the adjoint identity, CLIP names, shape validation and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class ClassPositionEmbeddingTests
{
    private static ClassPositionEmbedding Make(int patches, int dim, ulong seed = 5)
    {
        var layer = new ClassPositionEmbedding("vision_model.embeddings", patches, dim);
        layer.Initialize(new Rng(seed), 1f);
        return layer;
    }

    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    [Fact]
    public void Forward_HandComputed_PrependsClassTokenAndAddsPositions()
    {
        var layer = new ClassPositionEmbedding("emb", 2, 2);
        new float[] { 10, 20 }.CopyTo(layer.ClassEmbedding.Value.Span);
        new float[] { 1, 2, 3, 4, 5, 6 }.CopyTo(layer.PositionEmbedding.Value.Span);
        var y = layer.Forward(new Tensor(new float[] { 0.5f, -1, 2, 0, 7, 8, 9, 10 }, 2, 2, 2));
        y.Shape.ToArray().ShouldBe([2, 3, 2]);
        y.Span.ToArray().ShouldBe([11, 22, 3.5f, 3, 7, 6, 11, 22, 10, 12, 14, 16]);
    }

    [Fact]
    public void Backward_HandComputed_SumsOverBatch()
    {
        var layer = new ClassPositionEmbedding("emb", 1, 1);
        layer.Forward(new Tensor(3, 1, 1));
        var gx = layer.Backward(new Tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2, 1));
        layer.ClassEmbedding.Grad.Span.ToArray().ShouldBe([9f]);
        layer.PositionEmbedding.Grad.Span.ToArray().ShouldBe([9f, 12f]);
        gx.Span.ToArray().ShouldBe([2f, 4f, 6f]);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(Probe.ForLayer(Make(4, 5), Input(1, 3, 4, 5)));
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(Make(4, 5), Input(2, 3, 4, 5)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(Make(9, 6), Input(3, 2, 9, 6)));
    }

    [Fact]
    public void Parameters_FollowClipNames()
    {
        var layer = new ClassPositionEmbedding("vision_model.embeddings", 49, 768);
        layer.Parameters.Select(p => p.Name).ShouldBe(["vision_model.embeddings.class_embedding", "vision_model.embeddings.position_embedding.weight"]);
        layer.PositionEmbedding.Value.Shape.ToArray().ShouldBe([50, 768]);
    }

    [Fact]
    public void Forward_WrongShape_ThrowsNamingLayer()
    {
        Should.Throw<ArgumentException>(() => Make(4, 5).Forward(new Tensor(2, 5, 5))).Message.ShouldContain("vision_model.embeddings");
    }

    [Fact]
    public void Backward_WrongShape_ThrowsNamingLayer()
    {
        var layer = Make(4, 5);
        layer.Forward(new Tensor(2, 4, 5));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(2, 4, 5))).Message.ShouldContain("vision_model.embeddings");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = Make(4, 8);
        layer.ClassEmbedding.Tangent = new Tensor(8);
        layer.PositionEmbedding.Tangent = new Tensor(5, 8);
        var x = Input(4, 3, 4, 8);
        var g = new Tensor(3, 5, 8);
        void Step()
        {
            layer.Forward(x);
            layer.Backward(g);
            layer.Jvp(x, x);
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    [Fact]
    public void PerSampleGradient_ClassEmbedding_IsEachSamplesClassTokenGradient()
    {
        var layer = Make(3, 4);
        layer.Forward(Input(1, 2, 3, 4));
        layer.ClassEmbedding.ZeroGrad();
        var gy = Input(2, 2, 4, 4);
        layer.Backward(gy);
        layer.PerSampleParameters.ShouldBe([layer.ClassEmbedding]);
        var perSample = new float[2 * 4];
        layer.PerSampleGradient(layer.ClassEmbedding, perSample);
        for (int b = 0; b < 2; b++)
            for (int d = 0; d < 4; d++) perSample[b * 4 + d].ShouldBe(gy[b, 0, d]);
        for (int d = 0; d < 4; d++) layer.ClassEmbedding.Grad[d].ShouldBe(perSample[d] + perSample[4 + d], 1e-6f);
        Should.Throw<ArgumentException>(() => layer.PerSampleGradient(layer.PositionEmbedding, new float[8]));
        Should.Throw<ArgumentException>(() => layer.PerSampleGradient(layer.ClassEmbedding, new float[4]));
    }
}
