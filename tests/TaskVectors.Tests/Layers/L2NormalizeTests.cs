// Tests of L2Normalize: unit norms and a hand case, derivatives against finite differences and the
// adjoint identity, the ε floor for a zero vector, errors and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class L2NormalizeTests
{
    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    [Fact]
    public void Forward_HandComputed_UnitRows()
    {
        var y = new L2Normalize().Forward(new Tensor(new float[] { 3, 4, 0, -2 }, 2, 2));
        y.Span.ToArray().ShouldBe([0.6f, 0.8f, 0f, -1f], tolerance: 1e-7f);
    }

    [Fact]
    public void ZeroVector_UsesEpsFloor_LikeTorchNormalize()
    {
        var layer = new L2Normalize(eps: 0.5f);
        var x = new Tensor(new float[] { 0.1f, 0.2f, 3, 4 }, 2, 2);
        var y = layer.Forward(x);
        // ‖(0.1, 0.2)‖ ≈ 0.22 < ε: divided by ε; ‖(3, 4)‖ = 5 > ε: divided by the norm.
        y.Span.ToArray().ShouldBe([0.2f, 0.4f, 0.6f, 0.8f], tolerance: 1e-6f);
        var gx = layer.Backward(new Tensor(new float[] { 1, 1, 0, 0 }, 2, 2));
        gx[0].ShouldBe(2f, 1e-6);
        gx[1].ShouldBe(2f, 1e-6);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(Probe.ForLayer(new L2Normalize(), Input(1, 2, 3, 9)));
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(Probe.ForLayer(new L2Normalize(), Input(2, 4, 17)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(new L2Normalize(), Input(3, 6, 64)));
    }

    [Fact]
    public void Jvp_IsOrthogonalToTheOutput()
    {
        // ‖y‖ = 1 is constant, so ⟨y, ẏ⟩ = 0 for every tangent.
        var layer = new L2Normalize();
        var dual = layer.Jvp(Input(4, 1, 32), Input(5, 1, 32));
        double dot = 0;
        for (int i = 0; i < 32; i++) dot += (double)dual.Primal[i] * dual.Tangent[i];
        dot.ShouldBe(0, 1e-6);
    }

    [Fact]
    public void Errors_NameTheLayer()
    {
        var layer = new L2Normalize(name: "embed.norm");
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(2, 3))).Message.ShouldContain("embed.norm");
        layer.Forward(new Tensor(2, 3));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(3, 2))).Message.ShouldContain("embed.norm");
        Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 0))).Message.ShouldContain("embed.norm");
        Should.Throw<ArgumentOutOfRangeException>(() => new L2Normalize(0f, "embed.norm")).Message.ShouldContain("embed.norm");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = new L2Normalize();
        var x = Input(6, 128, 512);
        var g = Input(7, 128, 512);
        void Step()
        {
            layer.Forward(x);
            layer.Backward(g);
            layer.Jvp(x, g);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
