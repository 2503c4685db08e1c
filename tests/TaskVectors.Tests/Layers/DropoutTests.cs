// Tests of Dropout: evaluation is the identity (same tensors back), training masks are seeded and
// fresh per call, Backward and Jvp reuse the mask of their call, derivatives (with the mask held
// fixed through Reset) against finite differences and the adjoint identity, errors and allocations.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class DropoutTests
{
    private static Tensor Input(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    // Each pass restarts the stream, so every Forward and Jvp of a check sees the same mask.
    private static Probe FixedMaskProbe(Dropout layer, Tensor input) => new()
    {
        Forward = () =>
        {
            layer.Reset();
            return layer.Forward(input);
        },
        Backward = layer.Backward,
        Jvp = tan =>
        {
            layer.Reset();
            return layer.Jvp(input, tan);
        },
        Input = input,
        Parameters = layer.Parameters,
    };

    [Fact]
    public void Evaluation_IsIdentity_ReturningTheSameTensors()
    {
        var layer = new Dropout(0.5f, seed: 1);
        layer.Training.ShouldBeFalse();
        var x = Input(1, 4, 6);
        var g = Input(2, 4, 6);
        layer.Forward(x).ShouldBeSameAs(x);
        layer.Backward(g).ShouldBeSameAs(g);
        var dual = layer.Jvp(x, g);
        dual.Primal.ShouldBeSameAs(x);
        dual.Tangent.ShouldBeSameAs(g);
        layer.Jvp(x, null).Tangent.Span.ToArray().ShouldAllBe(v => v == 0f);
    }

    [Fact]
    public void Training_ScalesKeptAndZeroesDropped_BackwardUsesTheSameMask()
    {
        var layer = new Dropout(0.25f, seed: 7) { Training = true };
        var x = new Tensor(1000);
        x.Fill(2f);
        var y = layer.Forward(x).Span.ToArray();
        y.ShouldAllBe(v => v == 0f || v == 2f / 0.75f);
        y.Count(v => v == 0f).ShouldBeInRange(200, 300);
        var g = new Tensor(1000);
        g.Fill(1f);
        var gx = layer.Backward(g).Span.ToArray();
        for (int i = 0; i < y.Length; i++) gx[i].ShouldBe(y[i] == 0 ? 0f : 1f / 0.75f);
    }

    [Fact]
    public void Training_SameSeed_SameMaskSequence_FreshMaskPerCall()
    {
        var x = new Tensor(257);
        x.Fill(1f);
        var a = new Dropout(0.5f, 99) { Training = true };
        var b = new Dropout(0.5f, 99) { Training = true };
        var first = a.Forward(x).Span.ToArray();
        var second = a.Forward(x).Span.ToArray();
        first.SequenceEqual(second).ShouldBeFalse();
        ArrayAssert.Equal(b.Forward(x).Span, first);
        ArrayAssert.Equal(b.Forward(x).Span, second);
        a.Reset();
        ArrayAssert.Equal(a.Forward(x).Span, first);
    }

    [Fact]
    public void Jvp_UsesTheMaskOfItsOwnCall_AndBackwardFollowsIt()
    {
        var layer = new Dropout(0.5f, 3) { Training = true };
        var x = Input(3, 300);
        var tx = Input(4, 300);
        var dual = layer.Jvp(x, tx);
        var g = new Tensor(300);
        g.Fill(1f);
        var mask = layer.Backward(g).Span.ToArray();
        for (int i = 0; i < 300; i++)
        {
            dual.Primal[i].ShouldBe(x[i] * mask[i]);
            dual.Tangent[i].ShouldBe(tx[i] * mask[i]);
        }
    }

    [Fact]
    public void ModeOfLastForward_DecidesBackward()
    {
        var layer = new Dropout(0.5f, 3) { Training = true };
        var x = Input(5, 50);
        layer.Forward(x);
        layer.Training = false;
        var g = new Tensor(50);
        g.Fill(1f);
        layer.Backward(g).ShouldNotBeSameAs(g);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(FixedMaskProbe(new Dropout(0.3f, 11) { Training = true }, Input(6, 4, 10)), coordinates: 40);
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(FixedMaskProbe(new Dropout(0.3f, 12) { Training = true }, Input(7, 4, 10)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(FixedMaskProbe(new Dropout(0.3f, 13) { Training = true }, Input(8, 6, 10)));
    }

    [Fact]
    public void Errors_NameTheLayer()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new Dropout(1.5f, 1, "enc.drop")).Message.ShouldContain("enc.drop");
        var layer = new Dropout(0.1f, 1, "enc.drop") { Training = true };
        Should.Throw<InvalidOperationException>(() => layer.Backward(new Tensor(3))).Message.ShouldContain("enc.drop");
        layer.Forward(new Tensor(3));
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(4))).Message.ShouldContain("enc.drop");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = new Dropout(0.1f, 5) { Training = true };
        var x = Input(9, 64, 192);
        void Step()
        {
            layer.Forward(x);
            layer.Backward(x);
            layer.Jvp(x, x);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
