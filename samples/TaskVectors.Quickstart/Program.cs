// Quickstart: task arithmetic with and without TAK on real handwritten digits (UCI optdigits, 8×8, in data/).
// Five tasks share one base ViT: the digit pairs 0/1, 2/3, 4/5, 6/7, 8/9, each a 2-way task with its own
// frozen cosine head. The paper's protocol, in the linearized regime:
//   Phase 1: per task t, KFAC factors at θ0 on t's training inputs (labels unused), saved to a factor file.
//   Phase 2: each task fine-tuned alone into τ_t: plainly, with the paper's dataless diagonal-GGN baseline, and
//            with the TAK penalty, both built from the *other* tasks' factor files only (Eq. 8, "all but t"): the
//            other tasks' data are never read.
//   Phase 3: merge θ0 + α·Σ_t τ_t; test accuracy at α = 1 and at the α picked on a validation split carved
//            from the training data. Absolute = mean over tasks; normalized = mean of merged / individual.
// Usage: dotnet run -c Release --project samples/TaskVectors.Quickstart [-- [digits.csv.gz] [--beta β]]
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Blas;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

double beta = 100;   // the paper's default; a sweep on the validation split of this job also picks 100 (see README)
string? dataPath = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--") continue;
    if (args[i] == "--beta" && i + 1 < args.Length) beta = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else dataPath = args[i];
}
var total = Stopwatch.StartNew();
var all = UciDigits.Load(dataPath ?? FindData("data/optdigits/digits.csv.gz"));

// One shuffled split of the 1797 images: 60 % train, 15 % validation (for α), 25 % test.
var order = Enumerable.Range(0, all.Count).ToArray();
new Rng(7).Shuffle<int>(order);
int testStart = all.Count * 3 / 4, validationStart = testStart - testStart / 5;
int[][] pairs = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]];
ImageData Part(int[] digits, string name, int[] pool, string kind) =>
    all.Subset(pool.Where(i => digits.Contains(all.Label(i))).ToList(), label => Array.IndexOf(digits, label), digits.Length, $"{name} {kind}");
var tasks = pairs.Select(digits =>
{
    string name = string.Join("/", digits);
    return (Name: name, Classes: digits.Length,
        Train: Part(digits, name, order[..validationStart], "train"),
        Validation: Part(digits, name, order[validationStart..testStart], "validation"),
        Test: Part(digits, name, order[testStart..], "test"));
}).ToArray();
int taskCount = tasks.Length;

var config = new VisionTransformerConfig { ImageSize = 8, PatchSize = 2, Channels = 1, Width = 64, Layers = 2, Heads = 4, MlpWidth = 128, ProjectionDim = 32 };
var model = new VisionTransformer(config);
model.Initialize(new Rng(0));
var rng = new Rng(1);
var heads = tasks.Select(t =>
{
    var classes = new Tensor(t.Classes, config.ProjectionDim);
    rng.FillNormal(classes.Span);
    return new CosineHead(t.Name, classes, logitScale: 30f);
}).ToArray();
// Steps and learning rate chosen for plain linear FT's validation accuracy; TAK runs with the same settings.
var options = new FineTuneOptions { Regime = Regime.Linearized, Steps = 600, BatchSize = 64, WarmupSteps = 60, LearningRate = 1e-2, Seed = 3 };
Console.WriteLine($"{all.Description}: {taskCount} tasks (digit pairs {string.Join(", ", tasks.Select(t => t.Name))}), " +
    $"train {tasks.Sum(t => t.Train.Count)} / validation {tasks.Sum(t => t.Validation.Count)} / test {tasks.Sum(t => t.Test.Count)} images");
Console.WriteLine($"base: ViT {config.Width}w×{config.Layers} (random init); {options.Regime.ToString().ToLowerInvariant()} fine-tuning, {options.Steps} steps of {options.BatchSize}, " +
    $"lr {options.LearningRate}; GEMM: {Gemm.Description}");

string factorDir = Directory.CreateTempSubdirectory("taskvectors-quickstart-").FullName;
try
{
    // Phase 1: each task's factors at θ0, written to a file: all a task shares with the others.
    var clock = Stopwatch.StartNew();
    var factorFiles = new string[taskCount];
    for (int t = 0; t < taskCount; t++)
    {
        factorFiles[t] = Path.Combine(factorDir, $"digits-{t}.kfac.safetensors");
        KfacEstimator.Estimate(model, tasks[t].Train, new KfacOptions { Diagonal = true }).Save(factorFiles[t]);
    }
    long bytes = factorFiles.Sum(f => new FileInfo(f).Length);
    Console.WriteLine($"phase 1: KFAC factors at θ0 on each task's training inputs → {taskCount} files, {bytes / 1e6:F1} MB in {factorDir} ({clock.Elapsed.TotalSeconds:F1} s)");

    // Phase 2 sees the factor files, re-loaded and checked against the base model, never the other tasks' data.
    var factors = factorFiles.Select(f => TaskFactors.Load(f, model)).ToArray();
    var aggregate = new FactorAggregate();
    for (int t = 0; t < taskCount; t++) aggregate.Add(tasks[t].Name, factors[t]);

    float[] alphas = [0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f, 1.1f, 1.2f];
    var penalty = new TakOptions { Beta = beta };
    var methods = new (string Name, Func<int, IRegularizer?> Penalty)[]
    {
        ("linear FT", _ => null),
        ($"+ diagonal GGN (β = {beta})", t => new DiagonalGgnRegularizer(aggregate.AllBut(tasks[t].Name, factors[t]), penalty)),
        ($"+ TAK (β = {beta})", t => new TakRegularizer(aggregate.AllBut(tasks[t].Name, factors[t]), penalty)),
    };
    var evaluation = tasks.Select((t, i) => new EvaluationTask<Tensor>(t.Name, heads[i], t.Validation, t.Test)).ToArray();
    var protocol = new EvaluationOptions { Alphas = alphas };
    var table = new EvaluationTable();
    foreach (var (method, makePenalty) in methods)
    {
        clock.Restart();
        var vectors = new TaskVector[taskCount];
        for (int t = 0; t < taskCount; t++)
        {
            var regularizer = makePenalty(t);
            var run = regularizer is null ? options : options with { Regularizers = [regularizer] };
            vectors[t] = new FineTuner<Tensor>(model, heads[t], run).Run(tasks[t].Train);
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;

        // Phase 3: τ* = Σ_t τ_t (task arithmetic), evaluated in the vectors' own (linearized) regime at α = 1 and at the α
        // picked on validation: f(x; θ0) + J(x; θ0)·α·τ*.
        var individual = MergeEvaluation.Individual(model, evaluation, vectors, protocol);
        var merged = TaskVectorMerge.Merge(vectors, MergeMethods.Create("task_arithmetic"));
        table.Merges.Add(MergeEvaluation.Evaluate(model, evaluation, merged, individual, method, protocol));
        Console.WriteLine($"phase 2+3: {method}: {taskCount} task vectors in {trainSeconds:F1} s, evaluated in {clock.Elapsed.TotalSeconds - trainSeconds:F1} s");
    }

    Console.WriteLine();
    Console.Write(table.ToText());
    Console.WriteLine($"(normalized = merged / the same method's individual accuracy; α from {{{string.Join(", ", alphas)}}}; total {total.Elapsed.TotalSeconds:F1} s)");
}
finally
{
    Directory.Delete(factorDir, recursive: true);
}

static string FindData(string relative)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
    throw new FileNotFoundException($"Cannot find {relative} above {AppContext.BaseDirectory}; pass the path as the first argument.");
}
