// Tests of the Mlp model: derivatives against finite differences and the adjoint identity, names,
// save/load, flattening of image-shaped inputs and steady-state allocations.
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;

namespace TaskVectors.Tests.Models;

public sealed class MlpTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-mlp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Mlp Model(ulong seed = 1)
    {
        var m = new Mlp(12, [10, 9], 5);
        m.Initialize(new Rng(seed));
        foreach (var p in m.Parameters.Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal))) new Rng(seed + 1).FillNormal(p.Value.Span, 0f, 0.1f);
        return m;
    }

    private static Tensor Inputs(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    private static Probe ProbeOf(Mlp m, Tensor x) => new()
    {
        Forward = () => m.Forward(x),
        Backward = g =>
        {
            m.Backward(g);
            return null;
        },
        Jvp = _ => m.Jvp(x),
        Parameters = m.Parameters,
    };

    [Fact]
    public void Backward_MatchesFiniteDifferences() => DerivativeChecks.Backward(ProbeOf(Model(), Inputs(2, 4, 12)));

    [Fact]
    public void Jvp_MatchesFiniteDifferences() => DerivativeChecks.Jvp(ProbeOf(Model(), Inputs(3, 4, 12)));

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity() => DerivativeChecks.Adjoint(ProbeOf(Model(), Inputs(4, 4, 12)));

    [Fact]
    public void Forward_ImageShapedInput_EqualsFlatInput()
    {
        var m = Model();
        var images = Inputs(5, 3, 3, 2, 2);
        var flat = new Tensor(images.Span.ToArray(), 3, 12);
        var a = m.Forward(images).Span.ToArray();
        ArrayAssert.Equal(m.Forward(flat).Span, a);
        for (int b = 0; b < 3; b++) TensorMath.Norm(a.AsSpan(b * 5, 5)).ShouldBe(1f, 1e-5);
    }

    [Fact]
    public void Parameters_NamedByLayer_AndSaveLoadRoundTrips()
    {
        var m = Model(7);
        m.Parameters.Select(p => p.Name).ShouldBe(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"]);
        string path = Path.Combine(_dir, "mlp.safetensors");
        m.Save(path);
        var x = Inputs(8, 2, 12);
        ArrayAssert.Equal(Mlp.Load(path, 12, [10, 9], 5).Forward(x).Span, m.Forward(x).Span);
        Should.Throw<CheckpointMismatchException>(() => Mlp.Load(path, 12, [10, 8], 5)).Misshaped.Count.ShouldBe(3);
    }

    [Fact]
    public void Forward_WrongWidth_Throws()
    {
        Should.Throw<ArgumentException>(() => Model().Forward(new Tensor(2, 11))).Message.ShouldContain("12");
    }

    [Fact]
    public void Steps_SteadyState_AllocateNothing()
    {
        var m = Model();
        var x = Inputs(9, 4, 3, 2, 2);
        var g = Inputs(10, 4, 5);
        foreach (var p in m.Parameters) p.Tangent = p.Value.Clone();
        SteadyStateAllocations.AssertNone(() =>
        {
            m.Forward(x);
            m.Backward(g);
            m.Jvp(x);
        });
    }
}
