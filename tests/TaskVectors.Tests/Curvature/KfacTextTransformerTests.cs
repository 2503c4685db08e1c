// KFAC on the BERT-layout TextTransformer: fused query/key/value blocks, dense blocks for every LayerNorm
// matching gradients of one sequence at a time, and evaluation mode for the estimation (dropout off,
// then the caller's mode restored).
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Models;

namespace TaskVectors.Tests.Curvature;

public sealed class KfacTextTransformerTests
{
    // Three sequences of 5 tokens (no padding), labels unused.
    private sealed class Sequences : ILabeledData<TextBatch>
    {
        private const int Seq = 5;
        private static readonly int[][] Ids = [[1, 17, 23, 2, 31], [1, 9, 2, 38, 2], [1, 44, 12, 7, 2]];

        public int Count => Ids.Length;

        public int Classes => 1;

        public string Description => "three sequences";

        public int Label(int index) => 0;

        public TextBatch CreateBatch(int size)
        {
            var mask = new Tensor(size, Seq);
            mask.Fill(1f);
            return new TextBatch(size, Seq, new int[size * Seq], new int[size * Seq], mask);
        }

        public void Fill(TextBatch batch, ReadOnlySpan<int> indices)
        {
            for (int i = 0; i < indices.Length; i++) Ids[indices[i]].CopyTo(batch.InputIds, i * Seq);
        }
    }

    private static TextTransformer Model()
    {
        var model = new TextTransformer(BertReference.Tiny, TextPooling.Cls);
        BertReference.Randomize(model, 5);
        return model;
    }

    [Fact]
    public void Estimate_TextTransformer_FusesQueryKeyValueAndMatchesPerSequenceGradients()
    {
        var model = Model();
        model.Training = true;
        var data = new Sequences();
        var factors = KfacEstimator.Estimate(model, data, new KfacOptions { Estimator = KfacEstimatorKind.Exact, BatchSize = 2 });
        model.Training.ShouldBeTrue("the caller's mode is restored");

        factors.Blocks.Select(b => b.Name).Take(4).ShouldBe(["encoder.layer.0.attention.self.query+key+value",
            "encoder.layer.0.attention.output.dense", "encoder.layer.0.intermediate.dense", "encoder.layer.0.output.dense"]);
        factors.DenseBlocks.Select(d => d.Parameter).ShouldBe(["embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
            "encoder.layer.0.attention.output.LayerNorm.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
            "encoder.layer.0.output.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.bias",
            "encoder.layer.1.attention.output.LayerNorm.weight", "encoder.layer.1.attention.output.LayerNorm.bias",
            "encoder.layer.1.output.LayerNorm.weight", "encoder.layer.1.output.LayerNorm.bias"]);

        // Ground truth in evaluation mode: F = Σ_n Σ_c g_{n,c} g_{n,c}ᵀ from one sequence at a time.
        model.Training = false;
        var byName = model.Parameters.ToDictionary(p => p.Name);
        int c = model.EmbeddingDim;
        var expected = factors.DenseBlocks.Select(d => new double[d.Spec.Dim * d.Spec.Dim]).ToArray();
        for (int n = 0; n < data.Count; n++)
        {
            var one = data.CreateBatch(1);
            data.Fill(one, [n]);
            for (int k = 0; k < c; k++)
            {
                model.Forward(one);
                foreach (var p in model.Parameters) p.ZeroGrad();
                var e = new Tensor(1, c);
                e[0, k] = 1f;
                model.Backward(e);
                for (int d = 0; d < expected.Length; d++)
                {
                    var g = byName[factors.DenseBlocks[d].Parameter].Grad;
                    int dim = g.Length;
                    for (int i = 0; i < dim; i++)
                        for (int j = 0; j < dim; j++) expected[d][i * dim + j] += (double)g[i] * g[j];
                }
            }
        }
        for (int d = 0; d < expected.Length; d++)
            Dense.ShouldBeClose(factors.DenseBlocks[d].F, expected[d], factors.DenseBlocks[d].Spec.Dim, 1e-5, factors.DenseBlocks[d].Parameter);
    }
}
