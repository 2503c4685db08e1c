// Tests of CosineHead: normalized class rows and scaled cosine logits by hand, the frozen weight
// (no Parameters, no gradient), derivatives against finite differences and the adjoint identity,
// errors and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class CosineHeadTests
{
    private static Tensor Random(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    [Fact]
    public void Forward_HandComputed_ScaledCosines()
    {
        var head = new CosineHead("heads.mnist", new Tensor(new float[] { 3, 4, 2, 0 }, 2, 2), logitScale: 100f);
        head.Weight.Value.Span.ToArray().ShouldBe([0.6f, 0.8f, 1f, 0f], tolerance: 1e-7f);
        head.Weight.Name.ShouldBe("heads.mnist.weight");
        var logits = head.Forward(new Tensor(new float[] { 0.6f, 0.8f, 0f, 1f }, 2, 2));
        logits.Span.ToArray().ShouldBe([100f, 60f, 80f, 0f], tolerance: 1e-4f);
    }

    [Fact]
    public void Weight_IsFrozen_NotListedAndNeverGetsGradients()
    {
        var head = new CosineHead("head", Random(1, 5, 8));
        head.Parameters.ShouldBeEmpty();
        head.Forward(Random(2, 3, 8));
        head.Backward(Random(3, 3, 5));
        head.Weight.Grad.Span.ToArray().ShouldAllBe(v => v == 0f);
    }

    [Fact]
    public void SetClassEmbeddings_CopiesAndNormalizesRows()
    {
        var head = new CosineHead("head", Random(1, 3, 4));
        var source = Random(4, 3, 4);
        var copy = source.Span.ToArray();
        head.SetClassEmbeddings(source);
        ArrayAssert.Equal(source.Span, copy);
        for (int k = 0; k < 3; k++)
        {
            double n = 0;
            for (int j = 0; j < 4; j++) n += (double)head.Weight.Value[k, j] * head.Weight.Value[k, j];
            Math.Sqrt(n).ShouldBe(1.0, 1e-6);
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(Probe.ForLayer(new CosineHead("head", Random(1, 6, 9), 10f), Random(2, 4, 9)));
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(new CosineHead("head", Random(3, 6, 9), 10f), Random(4, 2, 3, 9)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(new CosineHead("head", Random(5, 10, 32)), Random(6, 7, 32)));
    }

    [Fact]
    public void Errors_NameTheHeadAndShapes()
    {
        var head = new CosineHead("heads.svhn", Random(1, 10, 8));
        Should.Throw<InvalidOperationException>(() => head.Backward(new Tensor(2, 10))).Message.ShouldContain("heads.svhn");
        var e = Should.Throw<ArgumentException>(() => head.Forward(new Tensor(2, 9)));
        e.Message.ShouldContain("heads.svhn");
        e.Message.ShouldContain("[2, 9]");
        head.Forward(new Tensor(2, 8));
        Should.Throw<ArgumentException>(() => head.Backward(new Tensor(2, 9))).Message.ShouldContain("heads.svhn");
        Should.Throw<ArgumentException>(() => head.SetClassEmbeddings(new Tensor(9, 8))).Message.ShouldContain("heads.svhn");
        Should.Throw<ArgumentException>(() => new CosineHead("heads.bad", new Tensor(8))).Message.ShouldContain("heads.bad");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var head = new CosineHead("head", Random(7, 10, 64));
        var f = Random(8, 32, 64);
        var g = Random(9, 32, 10);
        void Step()
        {
            head.Forward(f);
            head.Backward(g);
            head.Jvp(f, f);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
