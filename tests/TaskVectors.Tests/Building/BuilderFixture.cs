// BuilderFixture: a small three-task plan on the tiny ViT (8×8 grey images, 3 classes per task) and the same
// protocol written out with the library's direct calls, for comparing the builder against them.
using TaskVectors.Building;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Training;
using TaskVectors.Training;

namespace TaskVectors.Tests.Building;

internal sealed class BuilderFixture
{
    public static readonly FineTuneOptions Options = new()
    {
        Regime = Regime.Linearized, Steps = 6, BatchSize = 8, WarmupSteps = 2, LearningRate = 1e-2, Seed = 5,
    };

    public static readonly KfacOptions Kfac = new() { BatchSize = 16, Diagonal = true };

    public static readonly float[] Grid = [0.5f, 1f, 1.5f];

    public BuilderFixture(int tasks = 3)
    {
        Model = FineTuneFixture.Vit();
        Tasks = [.. Enumerable.Range(0, tasks).Select(t => (
            Name: $"task{t}",
            Head: FineTuneFixture.Head(seed: 20 + (ulong)t),
            Train: FineTuneFixture.Data(count: 24, seed: 30 + (ulong)t),
            Validation: FineTuneFixture.Data(count: 12, seed: 40 + (ulong)t),
            Test: FineTuneFixture.Data(count: 12, seed: 50 + (ulong)t)))];
    }

    public VisionTransformer Model { get; }

    public (string Name, CosineHead Head, ImageData Train, ImageData Validation, ImageData Test)[] Tasks { get; }

    /// <summary>The plan with every task added, nothing else.</summary>
    public TaskArithmeticPlan<Tensor> Plan() =>
        Tasks.Aggregate(TaskArithmetic.Base(Model).WithFineTuneOptions(Options),
            (plan, t) => plan.FineTune(t.Name, t.Train, t.Head, t.Validation, t.Test));

    /// <summary>TAK (β), task arithmetic, α searched on <see cref="Grid"/>, written out with direct calls.</summary>
    public (TaskVector[] Vectors, TaskVector Merged, float Alpha, double[] Individual, double[] AtAlpha) Direct(double beta)
    {
        var factors = Tasks.Select(t => KfacEstimator.Estimate(Model, t.Train, Kfac)).ToArray();
        var aggregate = new FactorAggregate();
        for (int t = 0; t < Tasks.Length; t++) aggregate.Add(Tasks[t].Name, factors[t]);
        var vectors = new TaskVector[Tasks.Length];
        for (int t = 0; t < Tasks.Length; t++)
        {
            var penalty = new TakRegularizer(aggregate.AllBut(Tasks[t].Name, factors[t]), new TakOptions { Beta = beta });
            vectors[t] = new FineTuner<Tensor>(Model, Tasks[t].Head, Options with { Regularizers = [penalty] }).Run(Tasks[t].Train);
        }
        var merged = TaskVectorMerge.Merge(vectors, new TaskArithmeticMerge());
        float best = Grid[0];
        double bestAccuracy = double.NegativeInfinity;
        foreach (float alpha in Grid)
        {
            double mean = Tasks.Select(t => Evaluator.Accuracy(Model, t.Head, t.Validation, merged, alpha: alpha)).Average();
            if (mean > bestAccuracy) (bestAccuracy, best) = (mean, alpha);
        }
        var individual = Tasks.Select((t, i) => Evaluator.Accuracy(Model, t.Head, t.Test, vectors[i])).ToArray();
        var atAlpha = Tasks.Select(t => Evaluator.Accuracy(Model, t.Head, t.Test, merged, alpha: best)).ToArray();
        return (vectors, merged, best, individual, atAlpha);
    }

    public static void ShouldBeBitIdentical(TaskVector actual, TaskVector expected, string what)
    {
        actual.Tensors.Keys.Order(StringComparer.Ordinal).ShouldBe(expected.Tensors.Keys.Order(StringComparer.Ordinal), what);
        foreach (var (name, tensor) in expected.Tensors)
        {
            var a = actual.Tensors[name].Span;
            var e = tensor.Span;
            int differing = 0, first = -1;
            for (int i = 0; i < e.Length; i++)
                if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(e[i]))
                {
                    differing++;
                    if (first < 0) first = i;
                }
            differing.ShouldBe(0, $"{what} {name} {tensor.ShapeText}: {differing} entries differ, first at {first}");
        }
    }
}
