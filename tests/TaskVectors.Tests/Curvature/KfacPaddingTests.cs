// Padding never enters KFAC factors: a batch of text sequences padded to a common length gives exactly
// the sums of estimating each sequence alone at its own length (exact mode, so no probes differ), in
// both token modes and for A, G, the diagonal and the dense LayerNorm blocks; a sample with no real
// token is refused.
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Models;

namespace TaskVectors.Tests.Curvature;

public sealed class KfacPaddingTests
{
    private static readonly int[][] Ids = [[1, 17, 23, 2, 31], [1, 9, 2], [1, 44, 12, 7], [1, 5, 8, 2, 6, 3]];

    // Sequences padded to `length` with a mask (or, for one sequence, at its own length with no padding).
    private sealed class Sequences(int[][] ids, int length) : ILabeledData<TextBatch>
    {
        public int Count => ids.Length;

        public int Classes => 1;

        public string Description => $"{ids.Length} sequences padded to {length}";

        public int Label(int index) => 0;

        public TextBatch CreateBatch(int size) => new(size, length, new int[size * length], new int[size * length], new Tensor(size, length));

        public void Fill(TextBatch batch, ReadOnlySpan<int> indices)
        {
            Array.Clear(batch.InputIds);
            var mask = batch.AttentionMask.Span;
            mask.Clear();
            for (int i = 0; i < indices.Length; i++)
            {
                var seq = ids[indices[i]];
                seq.CopyTo(batch.InputIds, i * length);
                mask.Slice(i * length, seq.Length).Fill(1f);
            }
        }
    }

    private static TextTransformer Model()
    {
        var model = new TextTransformer(BertReference.Tiny, TextPooling.Cls);
        BertReference.Randomize(model, 6);
        return model;
    }

    [Theory]
    [InlineData(KfacTokenMode.Expand)]
    [InlineData(KfacTokenMode.Reduce)]
    public void Estimate_PaddedBatch_EqualsSequencesEstimatedAlone(KfacTokenMode mode)
    {
        var model = Model();
        var options = new KfacOptions { Estimator = KfacEstimatorKind.Exact, TokenMode = mode, Diagonal = true, BatchSize = 4 };
        var padded = KfacEstimator.Estimate(model, new Sequences(Ids, 8), options);

        var alone = Ids.Select(seq => KfacEstimator.Estimate(model, new Sequences([seq], seq.Length), options)).ToList();
        padded.Count.ShouldBe(Ids.Length);
        for (int b = 0; b < padded.Blocks.Count; b++)
        {
            var block = padded.Blocks[b];
            var spec = block.Spec;
            Dense.ShouldBeClose(block.A, Sum(alone.Select(f => f.Blocks[b].A)), spec.ADim, 1e-5, block.Name + ".A");
            Dense.ShouldBeClose(block.G, Sum(alone.Select(f => f.Blocks[b].G)), spec.GDim, 1e-4, block.Name + ".G");
            Dense.ShouldBeClose(block.Diagonal!, Sum(alone.Select(f => f.Blocks[b].Diagonal!)), spec.GDim, spec.ADim, 1e-4, block.Name + ".diag");
            block.Count.ShouldBe(alone.Sum(f => f.Blocks[b].Count));
        }
        for (int d = 0; d < padded.DenseBlocks.Count; d++)
            Dense.ShouldBeClose(padded.DenseBlocks[d].F, Sum(alone.Select(f => f.DenseBlocks[d].F)), padded.DenseBlocks[d].Spec.Dim, 1e-4, padded.DenseBlocks[d].Parameter);
    }

    [Fact]
    public void Estimate_SampleWithoutRealTokens_Refused()
    {
        var error = Should.Throw<ArgumentException>(() => KfacEstimator.Estimate(Model(), new Sequences([[1, 2], []], 4)));
        error.Message.ShouldContain("sequence 1");
    }

    private static double[] Sum(IEnumerable<double[]> parts)
    {
        double[]? sum = null;
        foreach (var p in parts)
        {
            sum ??= new double[p.Length];
            for (int i = 0; i < p.Length; i++) sum[i] += p[i];
        }
        return sum!;
    }
}
