// Tests of ResidualAdd: the sum, derivatives of both inputs against finite differences and the adjoint
// identity (through a probe over one tensor holding a and b), the documented shared gradient, errors
// and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class ResidualAddTests
{
    // a and b are the two halves (views) of one (2, …) input, so the checks perturb both.
    private static Probe MakeProbe(ResidualAdd layer, Tensor both)
    {
        var a = both.Rows(0, 1);
        var b = both.Rows(1, 1);
        return new Probe
        {
            Forward = () => layer.Forward(a, b),
            Backward = g =>
            {
                var shared = layer.Backward(g);
                var full = new Tensor(both.Shape);
                full.Rows(0, 1).CopyFrom(shared);
                full.Rows(1, 1).CopyFrom(shared);
                return full;
            },
            Jvp = tan => layer.Jvp(a, tan?.Rows(0, 1), b, tan?.Rows(1, 1)),
            Input = both,
            Parameters = layer.Parameters,
        };
    }

    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    [Fact]
    public void Forward_AddsElementwise_AndBackwardReturnsTheOutputGradientItself()
    {
        var layer = new ResidualAdd();
        var y = layer.Forward(new Tensor(new float[] { 1, 2, 3 }, 3), new Tensor(new float[] { 10, 20, 30 }, 3));
        y.Span.ToArray().ShouldBe([11f, 22f, 33f]);
        var g = new Tensor(new float[] { 1, -1, 2 }, 3);
        layer.Backward(g).ShouldBeSameAs(g);
        layer.Parameters.ShouldBeEmpty();
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(MakeProbe(new ResidualAdd(), Input(1, 2, 3, 5)));
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(MakeProbe(new ResidualAdd(), Input(2, 2, 4, 3)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(MakeProbe(new ResidualAdd(), Input(3, 2, 7)));
    }

    [Fact]
    public void Jvp_OneOrNoTangent_UsesZeroForTheMissing()
    {
        var layer = new ResidualAdd();
        var a = Input(4, 5);
        var b = Input(5, 5);
        var ta = Input(6, 5);
        ArrayAssert.Equal(layer.Jvp(a, ta, b, null).Tangent.Span, ta.Span);
        ArrayAssert.Equal(layer.Jvp(a, null, b, ta).Tangent.Span, ta.Span);
        layer.Jvp(a, null, b, null).Tangent.Span.ToArray().ShouldAllBe(v => v == 0f);
    }

    [Fact]
    public void Errors_NameTheLayerAndShapes()
    {
        var layer = new ResidualAdd("layers.0.residual1");
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(3))).Message.ShouldContain("layers.0.residual1");
        var e = Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 3), new Tensor(3, 2)));
        e.Message.ShouldContain("layers.0.residual1");
        e.Message.ShouldContain("[3, 2]");
        layer.Forward(new Tensor(2, 3), new Tensor(2, 3));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(6))).Message.ShouldContain("layers.0.residual1");
        Should.Throw<ArgumentException>(() => layer.Jvp(new Tensor(2, 3), new Tensor(3), new Tensor(2, 3), null)).Message.ShouldContain("layers.0.residual1");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = new ResidualAdd();
        var a = Input(7, 64, 192);
        var b = Input(8, 64, 192);
        void Step()
        {
            var y = layer.Forward(a, b);
            layer.Backward(y);
            layer.Jvp(a, b, b, null);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
