// CustomArchitecture: a user-defined model (TinyMixer, generated passes) through the whole TAK workflow on two
// digit-pair tasks: its derivatives checked, KFAC factors per task, each task fine-tuned with TAK against the
// other task's factors, and the two task vectors merged.
// Usage: see README.md (packs the library into ./feed first).
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

var digits = UciDigits.Load(args.Length > 0 ? args[0] : FindData("data/optdigits/digits.csv.gz"));
int[][] pairs = [[0, 1], [2, 3]];
var tasks = pairs.Select(p => digits.Subset([.. Enumerable.Range(0, digits.Count).Where(i => p.Contains(digits.Label(i)))],
    label => Array.IndexOf(p, label), 2, $"digits {p[0]}/{p[1]}")).ToArray();

var model = new TinyMixer();
model.Initialize(new Rng(0));
Console.WriteLine($"TinyMixer: {model.Parameters.Count} parameters, KFAC layers {string.Join(", ", model.Registration.KfacLayers.Select(l => l.Name))}");
Console.WriteLine(ModelChecks.Derivatives(model, tasks[0].Take(4).Images));

var factors = tasks.Select(t => KfacEstimator.Estimate(model, t, new KfacOptions { MaxExamples = 200 })).ToArray();
var aggregate = new FactorAggregate();
for (int t = 0; t < tasks.Length; t++) aggregate.Add(tasks[t].Description, factors[t]);

var rng = new Rng(1);
var heads = tasks.Select(t => new CosineHead(t.Description, RandomClasses(rng), logitScale: 30f)).ToArray();
var options = new FineTuneOptions { Regime = Regime.Linearized, Trainable = ParameterSelection.Full, Steps = 150, BatchSize = 32, LearningRate = 1e-2, Seed = 2 };
var vectors = tasks.Select((t, i) => new FineTuner<Tensor>(model, heads[i], options with
{
    Regularizers = [new TakRegularizer(aggregate.AllBut(t.Description, factors[i]), new TakOptions { Beta = 100 })],
}).Run(t)).ToArray();

var merged = vectors[0] + vectors[1];
for (int t = 0; t < tasks.Length; t++)
    Console.WriteLine($"{tasks[t].Description}: alone {Evaluator.Accuracy(model, heads[t], tasks[t], vectors[t], options.Regime):P1}, " +
        $"merged {Evaluator.Accuracy(model, heads[t], tasks[t], merged, options.Regime):P1}");

static Tensor RandomClasses(Rng rng)
{
    var classes = new Tensor(2, 16);
    rng.FillNormal(classes.Span);
    return classes;
}

static string FindData(string relative)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
    throw new FileNotFoundException($"Cannot find {relative} above {AppContext.BaseDirectory}; pass the path as the first argument.");
}
