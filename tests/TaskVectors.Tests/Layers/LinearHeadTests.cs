// Tests of LinearHead: names and a hand case, derivatives (with bias) against finite differences and
// the adjoint identity, errors naming the head and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class LinearHeadTests
{
    private static LinearHead Make(int features, int classes)
    {
        var head = new LinearHead("classifier", features, classes);
        head.Initialize(new Rng(1), 0.5f);
        new Rng(2).FillNormal(head.Bias!.Value.Span);
        return head;
    }

    private static Tensor Random(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    [Fact]
    public void Forward_HandComputed_AndNames()
    {
        var head = new LinearHead("classifier", 2, 2);
        new float[] { 1, 2, 3, 4 }.CopyTo(head.Weight.Value.Span);
        new float[] { 0.5f, -1 }.CopyTo(head.Bias!.Value.Span);
        head.Forward(new Tensor(new float[] { 1, 1 }, 1, 2)).Span.ToArray().ShouldBe([3.5f, 6f]);
        head.Parameters.Select(p => p.Name).ShouldBe(["classifier.weight", "classifier.bias"]);
        (head.Features, head.Classes).ShouldBe((2, 2));
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(Probe.ForLayer(Make(9, 4), Random(3, 5, 9)));
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(Make(9, 4), Random(4, 5, 9)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(Make(16, 10), Random(5, 6, 16)));
    }

    [Fact]
    public void Forward_WrongWidth_ThrowsNamingHead()
    {
        Should.Throw<ArgumentException>(() => Make(4, 3).Forward(new Tensor(2, 5))).Message.ShouldContain("classifier");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var head = Make(64, 10);
        var x = Random(6, 32, 64);
        var g = Random(7, 32, 10);
        void Step()
        {
            head.Forward(x);
            head.Backward(g);
            head.Jvp(x, x);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
