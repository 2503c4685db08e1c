// TinyRow: a synthetic two-task row on a small Mlp (6 → 8 → 4) for end-to-end tests of the main job: inputs are
// Gaussian, labels a linear rule per task, heads random unit vectors; a few fine-tuning steps.
using TaskVectors.Building;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.MainJob.Tests;

internal static class TinyRow
{
    public static BenchmarkRow<Tensor> Create(int steps = 4)
    {
        var model = new Mlp(6, [8], 4);
        model.Initialize(new Rng(0));
        var rng = new Rng(11);
        var tasks = new List<FineTuneTask<Tensor>>();
        for (int t = 0; t < 2; t++)
        {
            var rule = new float[3 * 6];
            rng.FillNormal(rule);
            TensorSet Split(int n, string kind)
            {
                var x = new Tensor(n, 6);
                rng.FillNormal(x.Span);
                var labels = new int[n];
                for (int i = 0; i < n; i++)
                {
                    int best = 0;
                    double bestScore = double.NegativeInfinity;
                    for (int c = 0; c < 3; c++)
                    {
                        double s = 0;
                        for (int j = 0; j < 6; j++) s += rule[c * 6 + j] * x.Span[i * 6 + j];
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
