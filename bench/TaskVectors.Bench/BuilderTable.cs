// BuilderTable: the `builder-table` verb. The same small TAK plan (the quickstart's optdigits digit pairs, ViT 64w×2,
// linearized, task arithmetic with α searched on validation, evaluation table) run three ways in alternating rounds of
// one process: through the builder without a cache, through the builder with a fresh (cold) cache folder, and as the
// same library calls written out by hand. Prints median wall-clock and process CPU seconds and the paired median ratios
// builder / direct (CPU time is the steadier figure on a shared machine), and checks that every way gives
// bit-identical task vectors.
using System.Diagnostics;
using TaskVectors.Blas;
using TaskVectors.Building;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Threading;
using TaskVectors.Training;

namespace TaskVectors.Bench;

internal static class BuilderTable
{
    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 5);
        int steps = BenchTools.Option(args, "--steps", 60);
        int taskCount = BenchTools.Option(args, "--tasks", 3);
        var all = UciDigits.Load(BenchTools.OptionText(args, "--data", null) ?? FindData("data/optdigits/digits.csv.gz"));
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Rng(7).Shuffle<int>(order);
        int testStart = all.Count * 3 / 4, validationStart = testStart - testStart / 5;
        ImageData Part(int[] digits, int[] pool, string kind) =>
            all.Subset(pool.Where(i => digits.Contains(all.Label(i))).ToList(), label => Array.IndexOf(digits, label), digits.Length, $"{digits[0]}/{digits[1]} {kind}");
        var config = new VisionTransformerConfig { ImageSize = 8, PatchSize = 2, Channels = 1, Width = 64, Layers = 2, Heads = 4, MlpWidth = 128, ProjectionDim = 32 };
        var model = new VisionTransformer(config);
        model.Initialize(new Rng(0));
        var rng = new Rng(1);
        var tasks = Enumerable.Range(0, taskCount).Select(t =>
        {
            int[] digits = [2 * t, 2 * t + 1];
            var classes = new Tensor(2, config.ProjectionDim);
            rng.FillNormal(classes.Span);
            var eval = new EvaluationTask<Tensor>($"{digits[0]}/{digits[1]}", new CosineHead($"{t}", classes, logitScale: 30f),
                Part(digits, order[validationStart..testStart], "validation"), Part(digits, order[testStart..], "test"));
            return (Eval: eval, Train: Part(digits, order[..validationStart], "train"));
        }).ToArray();
        var options = new FineTuneOptions { Regime = Regime.Linearized, Steps = steps, BatchSize = 64, WarmupSteps = steps / 10, LearningRate = 1e-2, Seed = 3 };
        var kfac = new KfacOptions { Diagonal = true };
        float[] grid = [0.2f, 0.4f, 0.6f, 0.8f, 1.0f, 1.2f];
        const double beta = 100;
        Console.WriteLine($"builder-table: {taskCount} optdigits tasks, ViT {config.Width}w×{config.Layers}, TAK β = {beta}, {steps} linearized steps of 64, " +
            $"task arithmetic, α over {grid.Length} values, evaluation; gemm={Gemm.Default.Name}, threads={ParallelLoop.Threads}; median of {runs} rounds (rotating order) after a warm-up round");

        var plan = tasks.Aggregate(TaskArithmetic.Base(model).WithFineTuneOptions(options),
                (p, t) => p.FineTune(t.Eval.Name, t.Train, t.Eval.Head, t.Eval.Validation, t.Eval.Test))
            .WithKfacRegularizer(beta, kfac).Merge("task_arithmetic", AlphaSelection.Search(grid)).Evaluate();
        var pipeline = plan.Build();
        TaskVector[]? viaBuilder = null, viaCache = null, viaDirect = null;
        string cacheRoot = Directory.CreateTempSubdirectory("taskvectors-builder-bench-").FullName;
        int round = 0;
        Action[] ways =
        [
            () => viaBuilder = [.. pipeline.Run().TaskVectors.Values],
            () =>
            {
                string folder = Path.Combine(cacheRoot, $"{round}");
                viaCache = [.. plan.WithCache(folder).Run().TaskVectors.Values];
                Directory.Delete(folder, recursive: true);
            },
            () => viaDirect = Direct(model, tasks, options, kfac, beta, grid),
        ];
        var times = ways.Select(_ => new double[runs]).ToArray();
        var cpuTimes = ways.Select(_ => new double[runs]).ToArray();
        try
        {
            // One untimed warm-up round, then rounds whose order rotates (so no way always follows the same one), each
            // call after a full collection (so no way pays for another's garbage).
            for (round = -1; round < runs; round++)
                for (int k = 0; k < ways.Length; k++)
                {
                    int w = (Math.Max(round, 0) + k) % ways.Length;
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    long start = Stopwatch.GetTimestamp();
                    ways[w]();
                    if (round < 0) continue;
                    times[w][round] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    cpuTimes[w][round] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                }
            for (int t = 0; t < taskCount; t++)
            {
                Check(viaBuilder![t], viaDirect![t], "builder");
                Check(viaCache![t], viaDirect[t], "builder with cache");
            }
            Console.WriteLine($"{"way",-28}{"wall s",9}{"÷ direct",10}{"CPU s",9}{"÷ direct",10}   (medians; ratios paired by round)");
            string[] names = ["builder, no cache", "builder, cold cache folder", "direct calls"];
            foreach (int w in new[] { 2, 0, 1 })
                Console.WriteLine($"{names[w],-28}{BenchTools.MedianOf(times[w]),9:F3}{BenchTools.PairedRatio(times[w], times[2]),10:F4}" +
                    $"{BenchTools.MedianOf(cpuTimes[w]),9:F3}{BenchTools.PairedRatio(cpuTimes[w], cpuTimes[2]),10:F4}");
            Console.WriteLine("task vectors of all three ways: bit-identical");
        }
        finally
        {
            Directory.Delete(cacheRoot, recursive: true);
        }
    }

    // The plan's steps as a program would call them: phase 1, Eq. 8 "all but t", TAK fine-tunes, merge, protocol.
    private static TaskVector[] Direct(VisionTransformer model, (EvaluationTask<Tensor> Eval, ImageData Train)[] tasks, FineTuneOptions options,
        KfacOptions kfac, double beta, float[] grid)
    {
        var factors = tasks.Select(t => KfacEstimator.Estimate(model, t.Train, kfac)).ToArray();
        var aggregate = new FactorAggregate();
        for (int t = 0; t < tasks.Length; t++) aggregate.Add(tasks[t].Eval.Name, factors[t]);
        var vectors = new TaskVector[tasks.Length];
        for (int t = 0; t < tasks.Length; t++)
        {
            var penalty = new TakRegularizer(aggregate.AllBut(tasks[t].Eval.Name, factors[t]), new TakOptions { Beta = beta });
            vectors[t] = new FineTuner<Tensor>(model, tasks[t].Eval.Head, options with { Regularizers = [penalty] }).Run(tasks[t].Train);
        }
        var merged = TaskVectorMerge.Merge(vectors, new TaskArithmeticMerge());
        var evaluation = tasks.Select(t => t.Eval).ToList();
        var protocol = new EvaluationOptions { Alphas = grid };
        var individual = MergeEvaluation.Individual(model, evaluation, vectors, protocol);
        _ = MergeEvaluation.Evaluate(model, evaluation, merged, individual, "direct", protocol);
        return vectors;
    }

    private static void Check(TaskVector actual, TaskVector expected, string way)
    {
        foreach (var (name, tensor) in expected.Tensors)
            if (!actual.Tensors[name].Span.SequenceEqual(tensor.Span))
                throw new InvalidOperationException($"The {way} gave another τ ({name}) than the direct calls.");
    }

    private static string FindData(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"Cannot find {relative} above {AppContext.BaseDirectory}; pass --data PATH.");
    }
}
