// Tests of BertEmbeddings: Hugging Face names and shapes, agreement with the naive definition
// LN(word + position + type), derivatives against finite differences and the adjoint identity,
// input validation, initialization and dropout.
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;

namespace TaskVectors.Tests.Models;

public class BertEmbeddingsTests
{
    // A vocabulary of 50 keeps the word table small enough for coordinate-wise finite differences to hit used rows.
    private static BertEmbeddings Make(ulong seed = 11)
    {
        var e = new BertEmbeddings(BertReference.Tiny);
        BertReference.Randomize(e, seed);
        return e;
    }

    private static Probe ProbeOf(BertEmbeddings e, TextBatch batch) => new()
    {
        Forward = () => e.Forward(batch),
        Backward = g =>
        {
            e.Backward(g);
            return null;
        },
        Jvp = _ => e.Jvp(batch),
        Parameters = e.Parameters,
    };

    private static TextBatch WithIds(int[] ids, int[] types, int seq = 7) =>
        new(ids.Length / seq, seq, ids, types, Ones(ids.Length / seq, seq));

    private static Tensor Ones(int batch, int seq)
    {
        var t = new Tensor(batch, seq);
        t.Fill(1f);
        return t;
    }

    [Fact]
    public void Parameters_HaveHuggingFaceNamesAndShapes()
    {
        new BertEmbeddings(BertReference.Tiny).Parameters.Select(p => p.ToString()).ShouldBe(
        [
            "embeddings.word_embeddings.weight [50, 8]",
            "embeddings.position_embeddings.weight [16, 8]",
            "embeddings.token_type_embeddings.weight [2, 8]",
            "embeddings.LayerNorm.weight [8]",
            "embeddings.LayerNorm.bias [8]",
        ]);
    }

    [Fact]
    public void Forward_MatchesNaiveDefinition()
    {
        var e = Make();
        var batch = BertReference.Batch();
        var y = e.Forward(batch);
        y.Shape.ToArray().ShouldBe([2, 7, 8]);
        var expected = BertReference.Embeddings(e, batch);
        for (int i = 0; i < y.Length; i++) y[i].ShouldBe((float)expected[i], 1e-5 * (1 + Math.Abs(expected[i])), $"x[{i}]");
    }

    [Fact]
    public void Forward_SameTokenAtDifferentPositionsAndSegments_DiffersByTheirRows()
    {
        var e = Make();
        // Token 5 at positions 0 and 3, segment 0 then 1: the pre-LayerNorm sums differ by exactly
        // (pos[3] − pos[0]) + (type[1] − type[0]); with γ = 1, β = 0 the normalized rows differ too.
        var y = e.Forward(WithIds([5, 7, 7, 5], [0, 0, 0, 1], seq: 4));
        Enumerable.Range(0, 8).Any(c => y[c] != y[3 * 8 + c]).ShouldBeTrue();
        var expected = BertReference.Embeddings(e, WithIds([5, 7, 7, 5], [0, 0, 0, 1], seq: 4));
        for (int i = 0; i < y.Length; i++) y[i].ShouldBe((float)expected[i], 1e-5 * (1 + Math.Abs(expected[i])));
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences() => DerivativeChecks.Backward(ProbeOf(Make(12), BertReference.Batch()));

    [Fact]
    public void Jvp_MatchesFiniteDifferences() => DerivativeChecks.Jvp(ProbeOf(Make(13), BertReference.Batch()));

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity() => DerivativeChecks.Adjoint(ProbeOf(Make(14), BertReference.Batch()));

    [Fact]
    public void Backward_RepeatedPosition_SumsOverSequencesIntoThePositionRow()
    {
        var e = Make();
        var batch = BertReference.Batch();
        e.Forward(batch);
        var g = new Tensor(2, 7, 8);
        new Rng(3).FillNormal(g.Span);
        foreach (var p in e.Parameters) p.ZeroGrad();
        e.Backward(g);
        var gradSum = e.Norm.Backward(g); // eval dropout is the identity, so this is the sum's gradient again
        for (int c = 0; c < 8; c++)
        {
            e.Position.Weight.Grad[2, c].ShouldBe(gradSum[(0 * 7 + 2) * 8 + c] + gradSum[(1 * 7 + 2) * 8 + c], 1e-6f);
            e.Position.Weight.Grad[9, c].ShouldBe(0f); // beyond T = 7: never looked up
        }
    }

    [Fact]
    public void Forward_SequenceLongerThanMaxPositions_ThrowsNamingTheLimit()
    {
        var e = Make();
        var batch = WithIds(new int[17], new int[17], seq: 17);
        var ex = Should.Throw<ArgumentException>(() => e.Forward(batch));
        ex.Message.ShouldContain("17 tokens");
        ex.Message.ShouldContain("16 positions");
        Should.Throw<ArgumentException>(() => e.Jvp(batch));
    }

    [Fact]
    public void Forward_TokenIdOutOfRange_ThrowsWithItsPosition()
    {
        var e = Make();
        var ex = Should.Throw<ArgumentException>(() => e.Forward(WithIds([1, 2, 3, 4, 5, 6, 7, 1, 2, 50, 4, 5, 6, 7], new int[14])));
        ex.Message.ShouldContain("token id 50 at (sequence 1, position 2)");
        ex.Message.ShouldContain("[0, 50)");
        Should.Throw<ArgumentException>(() => e.Forward(WithIds([1, -1, 3, 4, 5, 6, 7], new int[7]))).Message.ShouldContain("token id -1");
    }

    [Fact]
    public void Forward_TokenTypeOutOfRange_Throws()
    {
        var e = Make();
        var ex = Should.Throw<ArgumentException>(() => e.Forward(WithIds([1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 1, 1, 2, 1])));
        ex.Message.ShouldContain("token type id 2 at (sequence 0, position 5)");
    }

    [Fact]
    public void Forward_SequenceOfExactlyMaxPositions_IsAccepted()
    {
        var e = Make();
        var y = e.Forward(WithIds(Enumerable.Range(0, 16).ToArray(), new int[16], seq: 16));
        y.Shape.ToArray().ShouldBe([1, 16, 8]);
        TensorMath.AllFinite(y.Span).ShouldBeTrue();
    }

    [Fact]
    public void Initialize_FollowsHuggingFace()
    {
        var e = Make();
        e.Initialize(new Rng(1), 0.02f);
        e.Norm.Weight.Value.Span.ToArray().ShouldAllBe(v => v == 1f);
        e.Norm.Bias.Value.Span.ToArray().ShouldAllBe(v => v == 0f);
        e.Word.Weight.Value.Span[..8].ToArray().ShouldAllBe(v => v == 0f); // [PAD] row
        var rest = e.Word.Weight.Value.Span[8..].ToArray();
        Math.Sqrt(rest.Average(v => (double)v * v)).ShouldBe(0.02, 0.003);
        Math.Sqrt(e.Position.Weight.Value.Span.ToArray().Average(v => (double)v * v)).ShouldBe(0.02, 0.005);
    }

    [Fact]
    public void Training_AppliesDropoutAfterTheLayerNorm()
    {
        var e = Make();
        var batch = BertReference.Batch();
        var eval = e.Forward(batch).Clone();
        e.Training = true;
        var train = e.Forward(batch).Clone();
        int dropped = 0;
        for (int i = 0; i < eval.Length; i++)
        {
            if (train[i] == 0f) dropped++;
            else train[i].ShouldBe(eval[i] / 0.9f, 1e-6f * (1 + Math.Abs(eval[i])));
        }
        dropped.ShouldBeInRange(1, eval.Length / 2);
        e.Training = false;
        ArrayAssert.Equal(e.Forward(batch).Span, eval.Span);
    }
}
