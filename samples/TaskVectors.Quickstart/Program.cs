// Quickstart: task arithmetic on real handwritten digits (UCI optdigits, 8×8, shipped in data/).
// Two tasks share one base ViT: A = digits 0–4, B = digits 5–9, each with its own frozen cosine head.
// Each task is fine-tuned in the linearized regime into a task vector; then θ0 + τ_A + τ_B is
// evaluated on both tasks (absolute and normalized accuracy), as in the paper's protocol.
using System.Diagnostics;
using TaskVectors.Blas;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

string dataPath = args.Length > 0 ? args[0] : FindData("data/optdigits/digits.csv.gz");
var all = UciDigits.Load(dataPath);
var order = Enumerable.Range(0, all.Count).ToArray();
new Rng(7).Shuffle<int>(order);
int trainCount = all.Count * 3 / 4;
ImageData Task(string name, int first, bool train)
{
    var picked = (train ? order[..trainCount] : order[trainCount..]).Where(i => all.Label(i) - first is >= 0 and < 5).ToList();
    return all.Subset(picked, label => label - first, 5, $"{name} {(train ? "train" : "test")}");
}
var tasks = new[] { ("A: digits 0-4", 0), ("B: digits 5-9", 5) }
    .Select(t => (Name: t.Item1, Train: Task(t.Item1, t.Item2, true), Test: Task(t.Item1, t.Item2, false)))
    .ToArray();

var config = new VisionTransformerConfig { ImageSize = 8, PatchSize = 2, Channels = 1, Width = 64, Layers = 2, Heads = 4, MlpWidth = 128, ProjectionDim = 32 };
var model = new VisionTransformer(config);
model.Initialize(new Rng(0));
var rng = new Rng(1);
CosineHead Head(string name)
{
    var classes = new Tensor(5, config.ProjectionDim);
    rng.FillNormal(classes.Span);
    return new CosineHead(name, classes, logitScale: 30f);
}
var heads = tasks.Select(t => Head(t.Name)).ToArray();
var options = new FineTuneOptions { Regime = Regime.Linearized, Steps = 300, BatchSize = 64, WarmupSteps = 30, LearningRate = 1e-2, Seed = 3 };
Console.WriteLine($"{all.Description}; ViT {config.Width}w×{config.Layers}, {options.Regime} fine-tuning, {options.Steps} steps; GEMM: {Gemm.Default.Name}");

var vectors = new TaskVector[tasks.Length];
var individual = new double[tasks.Length];
for (int t = 0; t < tasks.Length; t++)
{
    var clock = Stopwatch.StartNew();
    vectors[t] = new FineTuner<Tensor>(model, heads[t], options).Run(tasks[t].Train);
    double zeroShot = Evaluator.Accuracy(model, heads[t], tasks[t].Test);
    individual[t] = Evaluator.Accuracy(model, heads[t], tasks[t].Test, vectors[t], options.Regime);
    Console.WriteLine($"task {tasks[t].Name}: base {zeroShot:P1} → fine-tuned {individual[t]:P1} (test, {tasks[t].Test.Count} images; {clock.Elapsed.TotalSeconds:F1} s)");
}

var merged = new TaskVector(vectors[0].Tensors.ToDictionary(kv => kv.Key, kv =>
{
    var sum = kv.Value.Clone();
    for (int t = 1; t < vectors.Length; t++) TensorMath.AddInPlace(vectors[t].Tensors[kv.Key].Span, sum.Span);
    return sum;
}), vectors[0].Metadata);
double absolute = 0, normalized = 0;
for (int t = 0; t < tasks.Length; t++)
{
    double accuracy = Evaluator.Accuracy(model, heads[t], tasks[t].Test, merged, options.Regime);
    absolute += accuracy / tasks.Length;
    normalized += accuracy / individual[t] / tasks.Length;
    Console.WriteLine($"merged θ0 + τ_A + τ_B on task {tasks[t].Name}: {accuracy:P1}");
}
Console.WriteLine($"task arithmetic (α = 1): absolute {absolute:P1}, normalized {normalized:P1}");

static string FindData(string relative)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
    throw new FileNotFoundException($"Cannot find {relative} above {AppContext.BaseDirectory}; pass the path as the first argument.");
}
