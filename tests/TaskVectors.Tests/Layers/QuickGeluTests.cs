// Tests of QuickGelu: published values, derivatives against finite differences and the adjoint
// identity, errors naming the layer, and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class QuickGeluTests
{
    private static Tensor Input(ulong seed, params int[] shape)
    {
        var x = new Tensor(shape);
        new Rng(seed).FillNormal(x.Span, 0f, 2f);
        return x;
    }

    [Fact]
    public void Forward_MatchesDefinition()
    {
        var y = new QuickGelu().Forward(new Tensor(new float[] { 1f, -1f, 2f, 0f }, 4));
        y.Span.ToArray().ShouldBe([0.8457957659328212f, -0.1542042340671787f, 1.9356586231442083f, 0f], tolerance: 4e-7f);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(Probe.ForLayer(new QuickGelu(), Input(1, 3, 4, 9)), coordinates: 108);
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(new QuickGelu(), Input(2, 5, 13)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(new QuickGelu(), Input(3, 7, 33)));
    }

    [Fact]
    public void Errors_NameTheLayer()
    {
        var layer = new QuickGelu("clip.mlp.act");
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(2))).Message.ShouldContain("clip.mlp.act");
        layer.Forward(new Tensor(2, 3));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(2, 4))).Message.ShouldContain("clip.mlp.act");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = new QuickGelu();
        var x = Input(5, 4, 50, 192);
        var g = Input(6, 4, 50, 192);
        void Step()
        {
            layer.Forward(x);
            layer.Backward(g);
            layer.Jvp(x, g);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
