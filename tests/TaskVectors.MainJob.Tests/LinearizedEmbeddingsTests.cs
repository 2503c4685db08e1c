// LinearizedEmbeddings: the α-linearity shortcut (f0 + α·J·v from one primal and one JVP pass) against direct
// evaluation of the linearized merged model at θ0 + α·v (Evaluator, which runs the JVP with tangent α·v itself).
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.MainJob.Tests;

public sealed class LinearizedEmbeddingsTests
{
    [Fact]
    public void Accuracy_AnyAlpha_EqualsDirectEvaluationOfTheLinearizedMergedModel()
    {
        var row = TinyRow.Create();
        var model = row.Base;
        var rng = new Rng(5);
        TaskVector Random()
        {
            var tensors = model.Parameters.ToDictionary(p => p.Name, p =>
            {
                var t = new Tensor(p.Value.Shape);
                rng.FillNormal(t.Span);
                for (int i = 0; i < t.Length; i++) t.Span[i] *= 0.5f;
                return t;
            });
            return new TaskVector(tensors).WithBase(model).WithRegime(Regime.Linearized);
        }
        var sum = TaskVector.Sum([Random(), Random()]);
        var task = row.Tasks[0];
        var data = task.Test!;
        var primal = LinearizedEmbeddings.Primal(model, data, 7, default);
        var tangent = LinearizedEmbeddings.Tangent(model, data, sum, 7, default);
        foreach (float alpha in new[] { 0.3f, 1f, 2.5f, -1f })
        {
            double shortcut = LinearizedEmbeddings.Accuracy(task.Head, data, primal, [(alpha, tangent)]);
            double direct = Evaluator.Accuracy(model, task.Head, data, sum, alpha: alpha, batchSize: 5);
            shortcut.ShouldBe(direct, $"α = {alpha}");
        }
    }

    [Fact]
    public void Tangent_ComposedEmbedding_EqualsOneJvpWithTheScaledTangent()
    {
        var row = TinyRow.Create();
        var model = row.Base;
        var tensors = model.Parameters.ToDictionary(p => p.Name, p =>
        {
            var t = new Tensor(p.Value.Shape);
            new Rng(9).FillNormal(t.Span);
            return t;
        });
        var v = new TaskVector(tensors).WithBase(model).WithRegime(Regime.Linearized);
        var data = row.Tasks[1].Validation!;
        var primal = LinearizedEmbeddings.Primal(model, data, 24, default);
        var tangent = LinearizedEmbeddings.Tangent(model, data, v, 24, default);
        const float alpha = 0.7f;
        // Independent: one JVP with tangent α·v set by hand.
        foreach (var p in model.Parameters)
        {
            p.Tangent = new Tensor(p.Value.Shape);
            for (int i = 0; i < p.Tangent.Length; i++) p.Tangent.Span[i] = alpha * tensors[p.Name].Span[i];
        }
        var batch = data.CreateBatch(data.Count);
        data.Fill(batch, Enumerable.Range(0, data.Count).ToArray());
        var dual = model.Jvp(batch);
        foreach (var p in model.Parameters) p.Tangent = null;
        double maxError = 0;
        for (int i = 0; i < primal.Length; i++)
            maxError = Math.Max(maxError, Math.Abs(primal[i] + alpha * tangent[i] - (dual.Primal.Span[i] + dual.Tangent.Span[i])));
        maxError.ShouldBeLessThan(1e-5, $"({data.Count}, {model.EmbeddingDim}) embeddings");
        model.Parameters.ShouldAllBe(p => p.Tangent == null);
    }
}
