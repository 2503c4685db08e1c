// Tests of Gelu (both forms): published values, derivatives against finite differences and the
// adjoint identity, errors naming the layer, and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class GeluTests
{
    private static Tensor Input(ulong seed, params int[] shape)
    {
        var x = new Tensor(shape);
        new Rng(seed).FillNormal(x.Span, 0f, 2f);
        return x;
    }

    [Theory]
    [InlineData(GeluApproximation.None, 0.8413447460685429, -0.004049694094890287)]
    [InlineData(GeluApproximation.Tanh, 0.8411919906082768, -0.0036373920817729943)]
    public void Forward_MatchesPublishedValues(GeluApproximation approximation, double atOne, double atMinusThree)
    {
        var layer = new Gelu(approximation);
        var y = layer.Forward(new Tensor(new float[] { 1f, -3f, 0f }, 3));
        y[0].ShouldBe((float)atOne, 4e-7);
        y[1].ShouldBe((float)atMinusThree, 4e-7 * Math.Abs(atMinusThree));
        y[2].ShouldBe(0f);
        layer.Parameters.ShouldBeEmpty();
        layer.Approximation.ShouldBe(approximation);
    }

    [Theory]
    [InlineData(GeluApproximation.None)]
    [InlineData(GeluApproximation.Tanh)]
    public void Backward_MatchesFiniteDifferences(GeluApproximation approximation)
    {
        DerivativeChecks.Backward(Probe.ForLayer(new Gelu(approximation), Input(1, 3, 4, 9)), coordinates: 108);
    }

    [Theory]
    [InlineData(GeluApproximation.None)]
    [InlineData(GeluApproximation.Tanh)]
    public void Jvp_MatchesFiniteDifferences(GeluApproximation approximation)
    {
        DerivativeChecks.Jvp(Probe.ForLayer(new Gelu(approximation), Input(2, 5, 13)));
    }

    [Theory]
    [InlineData(GeluApproximation.None)]
    [InlineData(GeluApproximation.Tanh)]
    public void JvpAndBackward_SatisfyAdjointIdentity(GeluApproximation approximation)
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(new Gelu(approximation), Input(3, 7, 33)));
    }

    [Fact]
    public void Jvp_NullTangent_IsZero()
    {
        var dual = new Gelu().Jvp(Input(4, 10), null);
        dual.Tangent.Span.ToArray().ShouldAllBe(v => v == 0f);
    }

    [Fact]
    public void Errors_NameTheLayer()
    {
        var layer = new Gelu(name: "mlp.act");
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(2))).Message.ShouldContain("mlp.act");
        layer.Forward(new Tensor(2, 3));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(3, 2))).Message.ShouldContain("mlp.act");
        Should.Throw<ArgumentException>(() => layer.Jvp(new Tensor(2, 3), new Tensor(6))).Message.ShouldContain("mlp.act");
        Should.Throw<ArgumentOutOfRangeException>(() => new Gelu((GeluApproximation)7));
    }

    [Theory]
    [InlineData(GeluApproximation.None)]
    [InlineData(GeluApproximation.Tanh)]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing(GeluApproximation approximation)
    {
        var layer = new Gelu(approximation);
        var x = Input(5, 4, 50, 192); // 38 400 elements: the parallel chunked path
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
