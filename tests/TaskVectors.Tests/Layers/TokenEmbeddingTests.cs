// Tests of TokenEmbedding and its gather/scatter kernels: lookups, deterministic scatter-add of
// repeated ids, derivatives against finite differences and the adjoint identity, id validation and
// allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class TokenEmbeddingTests
{
    private static readonly int[] Ids = [3, 0, 3, 6, 1, 3]; // (B, T) = (2, 3); id 3 repeats.

    private static TokenEmbedding Make(int vocabulary = 7, int dim = 4, ulong seed = 5)
    {
        var layer = new TokenEmbedding("text_model.embeddings.token_embedding", vocabulary, dim);
        layer.Initialize(new Rng(seed), 1f);
        return layer;
    }

    private static Probe ProbeOf(TokenEmbedding layer, int[] ids, int batch, int seq) => new()
    {
        Forward = () => layer.Forward(ids, batch, seq),
        Backward = g =>
        {
            layer.Backward(g);
            return null;
        },
        Jvp = _ => layer.Jvp(ids, batch, seq),
        Parameters = layer.Parameters,
    };

    [Fact]
    public void Forward_GathersRows()
    {
        var layer = Make();
        var y = layer.Forward(Ids, 2, 3);
        y.Shape.ToArray().ShouldBe([2, 3, 4]);
        for (int n = 0; n < Ids.Length; n++)
            for (int d = 0; d < 4; d++) y[n * 4 + d].ShouldBe(layer.Weight.Value[Ids[n], d]);
        layer.Parameters.Select(p => p.Name).ShouldBe(["text_model.embeddings.token_embedding.weight"]);
    }

    [Fact]
    public void Backward_RepeatedIds_SumTheirGradientsInPositionOrder()
    {
        var layer = Make();
        layer.Forward(Ids, 2, 3);
        var g = new Tensor(2, 3, 4);
        new Rng(1).FillNormal(g.Span);
        layer.Backward(g);
        var grad = layer.Weight.Grad;
        for (int d = 0; d < 4; d++)
        {
            grad[3, d].ShouldBe(g[0 * 4 + d] + g[2 * 4 + d] + g[5 * 4 + d]);
            grad[0, d].ShouldBe(g[1 * 4 + d]);
            grad[2, d].ShouldBe(0f);
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(ProbeOf(Make(), Ids, 2, 3));
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(ProbeOf(Make(), Ids, 2, 3));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(ProbeOf(Make(11, 9), [10, 2, 2, 7, 0, 10, 5, 2], 4, 2));
    }

    [Fact]
    public void Jvp_NoTangent_GivesZeroTangent()
    {
        var layer = Make();
        var dual = layer.Jvp(Ids, 2, 3);
        dual.Tangent.Span.ToArray().ShouldAllBe(x => x == 0f);
        ArrayAssert.Equal(dual.Primal.Span, layer.Forward(Ids, 2, 3).Span);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    public void Forward_IdOutOfRange_ThrowsNamingLayerPositionAndValue(int bad)
    {
        var layer = Make();
        int[] ids = [1, 2, 3, 4, bad, 5];
        var e = Should.Throw<ArgumentException>(() => layer.Forward(ids, 2, 3));
        e.Message.ShouldContain("token_embedding");
        e.Message.ShouldContain($"id {bad}");
        e.Message.ShouldContain("(1, 1)");
    }

    [Fact]
    public void Forward_IdCountMismatch_Throws()
    {
        Should.Throw<ArgumentException>(() => Make().Forward(Ids, 2, 4)).Message.ShouldContain("token_embedding");
    }

    [Fact]
    public void Backward_BeforeForward_Throws()
    {
        Should.Throw<InvalidOperationException>(() => Make().Backward(new Tensor(2, 3, 4))).Message.ShouldContain("token_embedding");
    }

    [Fact]
    public void Backward_WrongGradientShape_Throws()
    {
        var layer = Make();
        layer.Forward(Ids, 2, 3);
        Should.Throw<ArgumentException>(() => layer.Backward(new Tensor(3, 2, 4))).Message.ShouldContain("token_embedding");
    }

    [Fact]
    public void Kernels_MatchReferenceTwins()
    {
        var table = new float[50 * 16];
        new Rng(2).FillNormal(table);
        int[] ids = [49, 0, 7, 7, 13, 49, 2];
        var fast = new float[ids.Length * 16];
        var slow = new float[ids.Length * 16];
        EmbeddingKernels.Gather(table, ids, fast, 16);
        EmbeddingKernels.GatherReference(table, ids, slow, 16);
        fast.ShouldBe(slow);

        var grad = new float[ids.Length * 16];
        new Rng(3).FillNormal(grad);
        var fastTable = new float[table.Length];
        var slowTable = new float[table.Length];
        EmbeddingKernels.ScatterAdd(grad, ids, fastTable, 16);
        EmbeddingKernels.ScatterAddReference(grad, ids, slowTable, 16);
        fastTable.ShouldBe(slowTable);
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = Make(20, 8);
        layer.Weight.Tangent = new Tensor(20, 8);
        int[] ids = [1, 5, 19, 0, 5, 5, 2, 3];
        var g = new Tensor(2, 4, 8);
        void Step()
        {
            layer.Forward(ids, 2, 4);
            layer.Backward(g);
            layer.Jvp(ids, 2, 4);
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
