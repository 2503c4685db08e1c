// Checks the main job's vision row (TaskVectors.MainJob.Vision.VisionRow) on the committed data:
//   probe       test accuracy of the prototype heads (class means of f(x; θ0) over the training images) at the
//               pretrained base and at the same ViT before pretraining (random init, the pretraining command's seed)
//   sweep       validation accuracy of plain linearized fine-tuning per task over a grid of steps × learning rates
//               (how the row's FineTuneDefaults were picked)
//   arithmetic  linearized FT vs + TAK (β = 100) through the builder, task-arithmetic merge, α picked on validation
// Usage: dotnet run -c Release tools/vision-tasks/CheckVisionRow.cs -- probe|sweep|arithmetic [data dir]
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

string verb = args.FirstOrDefault(a => a != "--") ?? "probe";
string dataRoot = args.Where(a => a != "--").Skip(1).FirstOrDefault() ?? FindData();
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
    Console.WriteLine($"{"prototype test accuracy %",-28}{string.Join("", row.Tasks.Select(t => $"{t.Name,15}"))}{"mean",8}");
    foreach (var (label, model) in new (string, VisionTransformer)[] { ("random init (same seed)", random), ("pretrained on Fashion-MNIST", pretrained) })
    {
        var accuracies = row.Tasks.Select(t =>
            Evaluator.Accuracy(model, VisionRow.PrototypeHead(model, (ImageData)t.Train, t.Name), t.Test!)).ToArray();
        Console.WriteLine($"{label,-28}{string.Join("", accuracies.Select(a => $"{100 * a,15:F1}"))}{100 * accuracies.Average(),8:F1}");
    }
}

void Sweep()
{
    int[] stepsGrid = [100, 200, 400];
    double[] rates = [1e-3, 3e-3, 1e-2];
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
