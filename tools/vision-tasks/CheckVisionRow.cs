// Checks the main job's vision row (TaskVectors.MainJob.Vision.VisionRow) on the committed data:
//   probe       test accuracy of the prototype heads (class means of f(x; θ0) over the training images) at the
//               pretrained base and at the same ViT before pretraining (random init, the pretraining command's seed)
//   sweep       validation accuracy of plain linearized fine-tuning per task over a grid of steps × learning rates
//               (how the row's FineTuneDefaults were picked)
//   arithmetic  linearized FT vs + TAK (β = 100) through the builder, task-arithmetic merge, α picked on validation
// Usage: dotnet run -c Release tools/vision-tasks/CheckVisionRow.cs -- probe [--finetune]|sweep|arithmetic [data dir]
// (probe --finetune adds the test accuracy after linearized fine-tuning with the row's defaults from either base)
#:property PublishAot=false
#:property InvariantGlobalization=true
#:project ../../src/TaskVectors.MainJob/TaskVectors.MainJob.csproj

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TaskVectors.Blas;
using TaskVectors.Building;
using TaskVectors.Data;
using TaskVectors.MainJob.Vision;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

string verb = args.FirstOrDefault(a => a != "--" && !a.StartsWith("--", StringComparison.Ordinal)) ?? "probe";
string dataRoot = args.Where(a => a != "--" && !a.StartsWith("--", StringComparison.Ordinal)).Skip(1).FirstOrDefault() ?? FindData();
var clock = Stopwatch.StartNew();
var row = VisionRow.Load(dataRoot);
Console.WriteLine($"vision row: {string.Join(", ", row.Tasks.Select(t => $"{t.Name} ({t.Head.Classes} classes, {t.Train.Count}/{t.Validation!.Count}/{t.Test!.Count})"))}; " +
    $"loaded in {clock.Elapsed.TotalSeconds:F1} s; GEMM: {Gemm.Description}");

switch (verb)
{
    case "probe": Probe(); break;
    case "sweep": Sweep(); break;
    case "arithmetic": await Arithmetic(); break;
    default: Console.Error.WriteLine("usage: CheckVisionRow.cs probe|sweep|arithmetic [data dir]"); return 2;
}
return 0;

void Probe()
{
    var pretrained = (VisionTransformer)row.Base;
    using var metadata = JsonDocument.Parse(ReadMetadata(VisionRow.WeightsPath(dataRoot), "pretraining"));
    ulong seed = metadata.RootElement.GetProperty("seed").GetUInt64();
    var random = new VisionTransformer(pretrained.Config);
    random.Initialize(new Rng(seed));
    Console.WriteLine($"{"test accuracy %",-44}{string.Join("", row.Tasks.Select(t => $"{t.Name,15}"))}{"mean",8}");
    foreach (var (label, model) in new (string, VisionTransformer)[] { ("random init (same seed)", random), ("pretrained on Fashion-MNIST", pretrained) })
    {
        var heads = row.Tasks.Select(t => VisionRow.PrototypeHead(model, (ImageData)t.Train, t.Name)).ToArray();
        var prototype = row.Tasks.Select((t, i) => Evaluator.Accuracy(model, heads[i], t.Test!)).ToArray();
        Console.WriteLine($"{label + ", prototype head",-44}{string.Join("", prototype.Select(a => $"{100 * a,15:F1}"))}{100 * prototype.Average(),8:F1}");
        var probe = row.Tasks.Select(t => LinearProbe(model, (ImageData)t.Train, (ImageData)t.Test!)).ToArray();
        Console.WriteLine($"{label + ", linear probe",-44}{string.Join("", probe.Select(a => $"{100 * a,15:F1}"))}{100 * probe.Average(),8:F1}");
        if (!args.Contains("--finetune")) continue;
        var tuned = row.Tasks.Select((t, i) =>
            Evaluator.Accuracy(model, heads[i], t.Test!, new FineTuner<Tensor>(model, heads[i], row.FineTuneDefaults).Run(t.Train))).ToArray();
        Console.WriteLine($"{label + ", linearized FT",-44}{string.Join("", tuned.Select(a => $"{100 * a,15:F1}"))}{100 * tuned.Average(),8:F1}");
    }
}

void Sweep()
{
    int[] stepsGrid = [100, 200];
    double[] rates = [3e-3, 1e-2, 3e-2];
    Console.WriteLine($"{"validation accuracy %",-24}{string.Join("", row.Tasks.Select(t => $"{t.Name,15}"))}{"mean",8}{"s",8}");
    foreach (int steps in stepsGrid)
        foreach (double lr in rates)
        {
            var options = VisionRow.FineTuneDefaults with { Steps = steps, LearningRate = lr, WarmupSteps = steps / 10 };
            var timer = Stopwatch.StartNew();
            var accuracies = row.Tasks.Select(t =>
            {
                var tau = new FineTuner<Tensor>(row.Base, t.Head, options).Run(t.Train);
                return Evaluator.Accuracy(row.Base, t.Head, t.Validation!, tau);
            }).ToArray();
            Console.WriteLine($"{$"steps {steps}, lr {lr.ToString(CultureInfo.InvariantCulture)}",-24}{string.Join("", accuracies.Select(a => $"{100 * a,15:F1}"))}" +
                $"{100 * accuracies.Average(),8:F1}{timer.Elapsed.TotalSeconds,8:F1}");
        }
}

async Task Arithmetic()
{
    float[] alphas = [0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f, 1.1f, 1.2f];
    var protocol = new EvaluationOptions { Alphas = alphas };
    string cache = Directory.CreateTempSubdirectory("taskvectors-vision-").FullName;
    try
    {
        var plan = row.Tasks.Aggregate(TaskArithmetic.Base(row.Base).WithFineTuneOptions(row.FineTuneDefaults).WithCache(cache),
            (p, t) => p.FineTune(t.Name, t.Train, t.Head, t.Validation, t.Test));
        var table = new EvaluationTable();
        foreach (var (label, experiment) in new (string, TaskArithmeticPlan<Tensor>)[] { ("linear FT", plan), ("+ TAK (β = 100)", plan.WithKfacRegularizer(100)) })
        {
            var timer = Stopwatch.StartNew();
            var result = await experiment.Merge("task_arithmetic", AlphaSelection.Search(alphas)).Evaluate(protocol, label).RunAsync();
            table.Merges.AddRange(result.Evaluation!.Merges);
            Console.WriteLine($"{label}: {result.Computed.Count} computed in {timer.Elapsed.TotalSeconds:F1} s");
        }
        Console.Write(table.ToText());
        Console.WriteLine($"(total {clock.Elapsed.TotalSeconds:F1} s)");
    }
    finally
    {
        Directory.Delete(cache, recursive: true);
    }
}

// Linear probe: softmax regression W (K × (C+1)) on the frozen embeddings f(x; θ) of the training images, full-batch
// gradient descent on the mean cross-entropy + 1e-4·|W|² (500 steps, step 0.5·K), then test accuracy of argmax W·[f; 1].
static double LinearProbe(VisionTransformer model, ImageData train, ImageData test)
{
    var (x, y) = Embed(model, train);
    int n = y.Length, c = x.GetLength(1), k = train.Classes;
    var w = new double[k, c];
    var p = new double[k];
    for (int step = 0; step < 500; step++)
    {
        var grad = new double[k, c];
        for (int i = 0; i < n; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < k; j++) { p[j] = 0; for (int d = 0; d < c; d++) p[j] += w[j, d] * x[i, d]; max = Math.Max(max, p[j]); }
            for (int j = 0; j < k; j++) { p[j] = Math.Exp(p[j] - max); sum += p[j]; }
            for (int j = 0; j < k; j++)
            {
                double g = (p[j] / sum - (j == y[i] ? 1 : 0)) / n;
                for (int d = 0; d < c; d++) grad[j, d] += g * x[i, d];
            }
        }
        for (int j = 0; j < k; j++) for (int d = 0; d < c; d++) w[j, d] -= 0.5 * k * (grad[j, d] + 2e-4 * w[j, d]);
    }
    var (xt, yt) = Embed(model, test);
    int correct = 0;
    for (int i = 0; i < yt.Length; i++)
    {
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int j = 0; j < k; j++)
        {
            double score = 0;
            for (int d = 0; d < c; d++) score += w[j, d] * xt[i, d];
            if (score > bestScore) (best, bestScore) = (j, score);
        }
        if (best == yt[i]) correct++;
    }
    return (double)correct / yt.Length;
}

// [f(x; θ); 1] for every image (a bias column appended), and the labels.
static (double[,] X, int[] Y) Embed(VisionTransformer model, ImageData data)
{
    int dim = model.EmbeddingDim;
    var x = new double[data.Count, dim + 1];
    var y = new int[data.Count];
    var batch = data.CreateBatch(1);
    for (int i = 0; i < data.Count; i++)
    {
        data.Fill(batch, [i]);
        var f = model.Forward(batch).Span;
        for (int d = 0; d < dim; d++) x[i, d] = f[d];
        x[i, dim] = 1;
        y[i] = data.Label(i);
    }
    return (x, y);
}

static string ReadMetadata(string path, string key)
{
    using var file = TaskVectors.IO.SafetensorsFile.Open(path);
    return file.Metadata[key];
}

static string FindData()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "data", "vision-tasks", "tasks.json"))) return Path.Combine(dir.FullName, "data");
    throw new DirectoryNotFoundException("No data/vision-tasks/tasks.json above the current directory; pass the data folder.");
}
