// Quickstart: task arithmetic with and without TAK on real handwritten digits (UCI optdigits, 8×8, in data/), written
// with the fluent builder: TaskArithmetic.Base(model).FineTune(…)….WithKfacRegularizer(β).Merge(…).Evaluate().
// Five tasks share one base ViT: the digit pairs 0/1, 2/3, 4/5, 6/7, 8/9, each a 2-way task with its own
// frozen cosine head. The paper's protocol, in the linearized regime:
//   Phase 1: per task t, KFAC factors at θ0 on t's training inputs (labels unused), saved to a factor file.
//   Phase 2: each task fine-tuned alone into τ_t: plainly, with the paper's dataless diagonal-GGN baseline, and
//            with the TAK penalty, both built from the *other* tasks' factor files only (Eq. 8, "all but t"): the
//            other tasks' data are never read.
//   Phase 3: merge θ0 + α·Σ_t τ_t; test accuracy at α = 1 and at the α picked on a validation split carved
//            from the training data. Absolute = mean over tasks; normalized = mean of merged / individual.
// The three experiments are branches of one plan; they share one cache folder, so phase 1's factors are computed once
// (for the diagonal-GGN branch) and reused by the TAK branch. --cache DIR keeps that folder: a second run then
// recomputes nothing, and a changed β recomputes only the fine-tunes.
// Usage: dotnet run -c Release --project samples/TaskVectors.Quickstart [-- [digits.csv.gz] [--beta β] [--cache DIR]]
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Blas;
using TaskVectors.Building;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

double beta = 100;   // the paper's default; a sweep on the validation split of this job also picks 100 (see README)
string? dataPath = null, cacheDir = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--") continue;
    if (args[i] == "--beta" && i + 1 < args.Length) beta = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--cache" && i + 1 < args.Length) cacheDir = args[++i];
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

string cache = cacheDir ?? Directory.CreateTempSubdirectory("taskvectors-quickstart-").FullName;
try
{
    float[] alphas = [0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f, 1.1f, 1.2f];
    var protocol = new EvaluationOptions { Alphas = alphas };
    var factors = new KfacOptions { Diagonal = true };   // one set of factors (with diagonals) serves both penalties
    var plan = Enumerable.Range(0, taskCount).Aggregate(TaskArithmetic.Base(model).WithFineTuneOptions(options).WithCache(cache),
        (p, t) => p.FineTune(tasks[t].Name, tasks[t].Train, heads[t], tasks[t].Validation, tasks[t].Test));
    // Phase 1 (factors at θ0 per task, labels unused) and phase 2 (each task against the *other* tasks' factor files only,
    // Eq. 8 "all but t") happen inside the runs; phase 3 merges θ0 + α·Σ_t τ_t, α picked on validation.
    var experiments = new (string Label, TaskArithmeticPlan<Tensor> Plan)[]
    {
        ("linear FT", plan),
        ($"+ diagonal GGN (β = {beta})", plan.WithDiagonalGgnRegularizer(beta, factors)),
        ($"+ TAK (β = {beta})", plan.WithKfacRegularizer(beta, factors)),
    };
    var clock = Stopwatch.StartNew();
    var progress = new InlineProgress<PlanProgress>(p =>
    {
        if (p.Completed && p.Stage is PlanStage.Factors or PlanStage.FineTune)
            Console.WriteLine($"  {p.Stage.ToString().ToLowerInvariant(),-9} {p.Task,-4} {(p.FromCache ? "from the cache" : $"done at {clock.Elapsed.TotalSeconds:F1} s")}");
    });
    var table = new EvaluationTable();
    foreach (var (label, experiment) in experiments)
    {
        clock.Restart();
        Console.WriteLine($"{label}:");
        var result = await experiment.Merge("task_arithmetic", AlphaSelection.Search(alphas)).Evaluate(protocol, label).RunAsync(progress);
        table.Merges.AddRange(result.Evaluation!.Merges);
        long bytes = result.FactorFiles.Values.Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"  {result.Computed.Count} computed, {result.Reused.Count} reused in {clock.Elapsed.TotalSeconds:F1} s" +
            (bytes > 0 ? $"; factor files {bytes / 1e6:F1} MB in {cache}" : ""));
    }

    Console.WriteLine();
    Console.Write(table.ToText());
    Console.WriteLine($"(normalized = merged / the same method's individual accuracy; α from {{{string.Join(", ", alphas)}}}; total {total.Elapsed.TotalSeconds:F1} s)");
}
finally
{
    if (cacheDir is null) Directory.Delete(cache, recursive: true);
}

static string FindData(string relative)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
    throw new FileNotFoundException($"Cannot find {relative} above {AppContext.BaseDirectory}; pass the path as the first argument.");
}
