// FineTuneTable: the `finetune-table` verb. Times optimizer steps of FineTuner on the CLIP-layout ViT-tiny
// at batch 64 (all parameters trained, AdamW), non-linear and linearized, as median seconds per step from
// the run's own progress reports; with --torch it runs bench/pytorch/finetune_step.py on the same shapes in
// the same run and prints our time / PyTorch's.
using TaskVectors.Blas;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Threading;
using TaskVectors.Training;

namespace TaskVectors.Bench;

internal static class FineTuneTable
{
    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 7);
        const int batch = 64, classes = 10;
        var config = VisionTransformerConfig.Tiny;
        Console.WriteLine($"fine-tuning steps, ViT-tiny batch {batch}: gemm={Gemm.Default.Name}, threads={ParallelLoop.Threads}, median of {runs} steps after 2 warm-up steps");
        var rng = new Rng(0);
        var images = new Tensor(batch * 4, config.Channels, config.ImageSize, config.ImageSize);
        rng.FillNormal(images.Span);
        var labels = Enumerable.Range(0, batch * 4).Select(_ => rng.NextInt(classes)).ToArray();
        var data = new ImageData(images, labels, classes, "random");
        var classEmbeddings = new Tensor(classes, config.ProjectionDim);
        rng.FillNormal(classEmbeddings.Span);

        var seconds = new Dictionary<Regime, double>();
        foreach (var regime in new[] { Regime.NonLinear, Regime.Linearized })
        {
            var model = new VisionTransformer(config);
            model.Initialize(new Rng(1));
            var options = new FineTuneOptions { Regime = regime, Trainable = ParameterSelection.Full, Steps = runs + 2, BatchSize = batch, WarmupSteps = 1 };
            var times = new List<double>();
            new FineTuner<Tensor>(model, new CosineHead("head", classEmbeddings), options)
                .Run(data, new Recorder(p => times.Add(batch / p.ExamplesPerSecond)));
            var steady = times.Skip(2).Order().ToArray();
            seconds[regime] = steady[steady.Length / 2];
            Console.WriteLine($"{regime,-11} {seconds[regime] * 1e3,8:F1} ms/step {1 / seconds[regime],7:F2} steps/s");
        }
        Console.WriteLine($"linearized / non-linear: {seconds[Regime.Linearized] / seconds[Regime.NonLinear]:F2} (target ≤ 2.2)");
        if (!args.Contains("--torch")) return;

        var results = PyTorchScript.Run("finetune_step.py", "--runs", runs.ToString(), "--threads", Environment.ProcessorCount.ToString());
        if (results.Count == 0) return;
        var json = results[0];
        double torchNonLinear = json.GetProperty("nonlinear_s").GetDouble();
        double torchLinearized = json.GetProperty("linearized_s").GetDouble();
        Console.WriteLine($"\nPyTorch (same shapes, {Environment.ProcessorCount} threads; functorch.jvp as the reference's LinearizedModel); ratio = ours / PyTorch");
        Console.WriteLine($"{"NonLinear",-11} torch {torchNonLinear * 1e3,8:F1} ms  ours {seconds[Regime.NonLinear] * 1e3,8:F1} ms  ratio {seconds[Regime.NonLinear] / torchNonLinear:F2}");
        Console.WriteLine($"{"Linearized",-11} torch {torchLinearized * 1e3,8:F1} ms  ours {seconds[Regime.Linearized] * 1e3,8:F1} ms  ratio {seconds[Regime.Linearized] / torchLinearized:F2}");
    }

    private sealed class Recorder(Action<FineTuneProgress> report) : IProgress<FineTuneProgress>
    {
        public void Report(FineTuneProgress value) => report(value);
    }
}
