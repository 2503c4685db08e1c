// Tests of ClsPooling: token-0 selection, derivatives against finite differences and the adjoint
// identity, errors naming the layer and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class ClsPoolingTests
{
    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    [Fact]
    public void Forward_TakesTokenZero_BackwardScattersIntoIt()
    {
        var layer = new ClsPooling();
        var x = new Tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, 2, 3, 2);
        layer.Forward(x).Span.ToArray().ShouldBe([1f, 2f, 7f, 8f]);
        layer.Backward(new Tensor(new float[] { 1, 2, 3, 4 }, 2, 2)).Span.ToArray().ShouldBe([1f, 2f, 0, 0, 0, 0, 3f, 4f, 0, 0, 0, 0]);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(Probe.ForLayer(new ClsPooling(), Input(1, 2, 4, 5)), coordinates: 40);
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(new ClsPooling(), Input(2, 3, 2, 7)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(new ClsPooling(), Input(3, 3, 5, 8)));
    }

    [Fact]
    public void Errors_NameTheLayerAndShapes()
    {
        var layer = new ClsPooling("vision.pool");
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(2, 3))).Message.ShouldContain("vision.pool");
        var e = Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 3)));
        e.Message.ShouldContain("vision.pool");
        e.Message.ShouldContain("[2, 3]");
        layer.Forward(new Tensor(2, 3, 4));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(2, 3))).Message.ShouldContain("vision.pool");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = new ClsPooling();
        var x = Input(4, 8, 50, 64);
        var g = Input(5, 8, 64);
        void Step()
        {
            layer.Forward(x);
            layer.Backward(g);
            layer.Jvp(x, x);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
