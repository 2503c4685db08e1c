// Tests of Linear: hand-computed outputs, derivatives against finite differences and the adjoint
// identity, gradient accumulation, shape errors and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class LinearTests
{
    private static Linear Make(int input, int output, bool bias, ulong seed = 5)
    {
        var layer = new Linear("encoder.fc", input, output, bias);
        var rng = new Rng(seed);
        rng.FillNormal(layer.Weight.Value.Span, 0f, 0.5f);
        if (layer.Bias is not null) rng.FillNormal(layer.Bias.Value.Span);
        return layer;
    }

    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    [Fact]
    public void Forward_HandComputed_MatchesDefinition()
    {
        var layer = new Linear("fc", 2, 3);
        new float[] { 1, 2, 3, 4, 5, 6 }.CopyTo(layer.Weight.Value.Span);
        new float[] { 0.5f, -1, 2 }.CopyTo(layer.Bias!.Value.Span);
        var y = layer.Forward(new Tensor(new float[] { 1, -1, 2, 0.5f }, 2, 2));
        y.Shape.ToArray().ShouldBe([2, 3]);
        y.Span.ToArray().ShouldBe([1 - 2 + 0.5f, 3 - 4 - 1, 5 - 6 + 2, 2 + 1 + 0.5f, 6 + 2 - 1, 10 + 3 + 2]);
        layer.Parameters.Select(p => p.Name).ShouldBe(["fc.weight", "fc.bias"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Backward_MatchesFiniteDifferences(bool bias)
    {
        DerivativeChecks.Backward(Probe.ForLayer(Make(7, 5, bias), Input(1, 2, 3, 7)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Jvp_MatchesFiniteDifferences(bool bias)
    {
        DerivativeChecks.Jvp(Probe.ForLayer(Make(7, 5, bias), Input(2, 4, 7)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void JvpAndBackward_SatisfyAdjointIdentity(bool bias)
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(Make(33, 17, bias), Input(3, 3, 5, 33)));
    }

    [Fact]
    public void Backward_Twice_AccumulatesParameterGradients()
    {
        var layer = Make(4, 3, true);
        var x = Input(4, 5, 4);
        var g = Input(5, 5, 3);
        layer.Forward(x);
        layer.Backward(g);
        var once = layer.Weight.Grad.Span.ToArray();
        layer.Backward(g);
        for (int i = 0; i < once.Length; i++) layer.Weight.Grad[i].ShouldBe(2 * once[i], 1e-5);
    }

    [Fact]
    public void Forward_WrongWidth_ThrowsNamingLayer()
    {
        var layer = Make(4, 3, true);
        Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 5))).Message.ShouldContain("encoder.fc");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = Make(64, 32, true);
        layer.Weight.Tangent = Input(6, 32, 64);
        var x = Input(7, 16, 64);
        var g = Input(8, 16, 32);
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
    public void Backward_LastGradOutput_IsTheTensorPassedIn()
    {
        var layer = Make(3, 2, bias: true);
        layer.LastGradOutput.ShouldBeNull();
        layer.Forward(Input(1, 4, 3));
        var gy = Input(2, 4, 2);
        layer.Backward(gy);
        layer.LastGradOutput.ShouldBeSameAs(gy);
    }
}
