// TinyRow: a synthetic two-task row for end-to-end tests of the main job, on a small Mlp (6 → 8 → 4) or, for methods
// that need attention layers, a tiny ViT (1×4×4 images, patch 2, width 8, one block): inputs are Gaussian, labels a
// linear rule per task, heads random vectors; a few fine-tuning steps.
using TaskVectors.Building;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.MainJob.Tests;

internal static class TinyRow
{
    public static BenchmarkRow<Tensor> Create(int steps = 4, bool transformer = false)
    {
        IEmbeddingModel<Tensor> model;
        int[] inputShape;
        if (transformer)
        {
            var vit = new VisionTransformer(new VisionTransformerConfig { ImageSize = 4, PatchSize = 2, Channels = 1, Width = 8, Layers = 1, Heads = 2, MlpWidth = 16, ProjectionDim = 4 });
            vit.Initialize(new Rng(0), std: 0.2f);
            (model, inputShape) = (vit, [1, 4, 4]);
        }
        else
        {
            var mlp = new Mlp(6, [8], 4);
            mlp.Initialize(new Rng(0));
            (model, inputShape) = (mlp, [6]);
        }
        int features = inputShape.Aggregate(1, (a, b) => a * b);
        var rng = new Rng(11);
        var tasks = new List<FineTuneTask<Tensor>>();
        for (int t = 0; t < 2; t++)
        {
            var rule = new float[3 * features];
            rng.FillNormal(rule);
            TensorSet Split(int n, string kind)
            {
                var x = new Tensor([n, .. inputShape]);
                rng.FillNormal(x.Span);
                var labels = new int[n];
                for (int i = 0; i < n; i++)
                {
                    int best = 0;
                    double bestScore = double.NegativeInfinity;
                    for (int c = 0; c < 3; c++)
                    {
                        double s = 0;
                        for (int j = 0; j < features; j++) s += rule[c * features + j] * x.Span[i * features + j];
                        if (s > bestScore) (best, bestScore) = (c, s);
                    }
                    labels[i] = best;
                }
                return new TensorSet(x, labels, 3, $"task{t} {kind}");
            }
            var head = new Tensor(3, 4);
            rng.FillNormal(head.Span);
            tasks.Add(new FineTuneTask<Tensor>($"task{t}", Split(48, "train"), new CosineHead($"head{t}", head, 10f))
            {
                Validation = Split(24, "validation"),
                Test = Split(24, "test"),
            });
        }
        return new BenchmarkRow<Tensor>("tiny", model, tasks, new FineTuneOptions { Steps = steps, BatchSize = 8, WarmupSteps = 1, LearningRate = 1e-2, Seed = 2 });
    }
}
