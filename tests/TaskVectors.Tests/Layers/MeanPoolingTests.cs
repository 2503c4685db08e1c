// Tests of MeanPooling: plain and masked means by hand, derivatives (with and without a mask) against
// finite differences and the adjoint identity, errors naming the layer and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class MeanPoolingTests
{
    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    // Sequence 0 keeps tokens 0 and 2, sequence 1 keeps all, sequence 2 keeps none (pools to zero).
    private static Tensor Mask() => new(new float[] { 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0 }, 3, 4);

    private static Probe MaskedProbe(MeanPooling layer, Tensor input, Tensor mask) => new()
    {
        Forward = () => layer.Forward(input, mask),
        Backward = layer.Backward,
        Jvp = tan => layer.Jvp(input, tan, mask),
        Input = input,
        Parameters = layer.Parameters,
    };

    [Fact]
    public void Forward_HandComputed_PlainAndMasked()
    {
        var layer = new MeanPooling();
        var x = new Tensor(new float[] { 1, 10, 2, 20, 6, 60, 3, 30, 5, 50, 7, 70 }, 2, 3, 2);
        layer.Forward(x).Span.ToArray().ShouldBe([3f, 30f, 5f, 50f], tolerance: 1e-6f);
        var mask = new Tensor(new float[] { 1, 1, 0, 0, 0, 1 }, 2, 3);
        layer.Forward(x, mask).Span.ToArray().ShouldBe([1.5f, 15f, 7f, 70f], tolerance: 1e-6f);
        layer.Backward(new Tensor(new float[] { 2, 4, 6, 8 }, 2, 2)).Span.ToArray()
            .ShouldBe([1f, 2f, 1f, 2f, 0, 0, 0, 0, 0, 0, 6f, 8f], tolerance: 1e-6f);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(Probe.ForLayer(new MeanPooling(), Input(1, 3, 4, 5)));
        DerivativeChecks.Backward(MaskedProbe(new MeanPooling(), Input(2, 3, 4, 5), Mask()), coordinates: 60);
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(new MeanPooling(), Input(3, 2, 3, 7)));
        DerivativeChecks.Jvp(MaskedProbe(new MeanPooling(), Input(4, 3, 4, 7), Mask()));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(new MeanPooling(), Input(5, 3, 6, 8)));
        DerivativeChecks.Adjoint(MaskedProbe(new MeanPooling(), Input(6, 3, 4, 8), Mask()));
    }

    [Fact]
    public void Errors_NameTheLayerAndShapes()
    {
        var layer = new MeanPooling("text.pool");
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(2, 3))).Message.ShouldContain("text.pool");
        Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(6))).Message.ShouldContain("text.pool");
        var e = Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 3, 4), new Tensor(2, 4)));
        e.Message.ShouldContain("text.pool");
        e.Message.ShouldContain("[2, 4]");
        layer.Forward(new Tensor(2, 3, 4));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(2, 5))).Message.ShouldContain("text.pool");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = new MeanPooling();
        var x = Input(7, 8, 32, 64);
        var g = Input(8, 8, 64);
        var mask = new Tensor(8, 32);
        mask.Fill(1f);
        mask[3] = 0f;
        void Step()
        {
            layer.Forward(x, mask);
            layer.Backward(g);
            layer.Jvp(x, x, mask);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
