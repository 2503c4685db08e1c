// VitTable: the `vit-table` verb. Times a training step (forward + cosine head + cross-entropy +
// backward), a forward pass and a JVP pass (all parameter tangents set) of the CLIP-layout ViT-tiny
// (batch 64) and ViT-B/32 (batch 8), in alternating rounds, printing median milliseconds, GFLOP/s and
// the median of the per-round ratios to the forward; with --torch it runs
// bench/pytorch/vit_step.py on the same shapes in the same run and prints our time / PyTorch's time.
using System.Diagnostics;
using TaskVectors.Blas;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Bench;

internal static class VitTable
{
    private const int Classes = 10;

    private static readonly (string Name, VisionTransformerConfig Config, int Batch)[] Configs =
    [
        ("vit-tiny", VisionTransformerConfig.Tiny, 64),
        ("vit-b32", VisionTransformerConfig.B32, 8),
    ];

    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 7);
        bool torch = args.Contains("--torch");
        string only = BenchTools.OptionText(args, "--configs", "vit-tiny,vit-b32")!;
        Console.WriteLine($"ViT steps: gemm={Gemm.Default.Name}, threads={ParallelLoop.Threads}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, median of {runs} runs");
        Console.WriteLine($"{"config",-9} {"pass",-8} {"ms",9} {"GFLOP/s",8} {"×fwd",6}");
        var ours = new Dictionary<(string, string), double>();
        foreach (var (name, config, batch) in Configs.Where(c => only.Split(',').Contains(c.Name)))
        {
            var rng = new Rng(0);
            var model = new VisionTransformer(config);
            model.Initialize(rng);
            var images = new Tensor(batch, config.Channels, config.ImageSize, config.ImageSize);
            rng.FillNormal(images.Span);
            var labels = Enumerable.Range(0, batch).Select(_ => rng.NextInt(Classes)).ToArray();
            var classEmbeddings = new Tensor(Classes, config.ProjectionDim);
            rng.FillNormal(classEmbeddings.Span);
            var head = new CosineHead("head", classEmbeddings);
            var loss = new SoftmaxCrossEntropy();
            var parameters = model.Parameters;

            void Train()
            {
                foreach (var p in parameters) p.ZeroGrad();
                var f = model.Forward(images);
                loss.Forward(head.Forward(f), labels);
                model.Backward(head.Backward(loss.Backward()));
            }

            double forwardFlops = ForwardFlops(config, batch);
            var tangents = parameters.Select(p => BenchTools.SmallNormal(p.Value, rng)).ToArray();
            void Jvp()
            {
                for (int i = 0; i < parameters.Count; i++) parameters[i].Tangent = tangents[i];
                model.Jvp(images);
                foreach (var p in parameters) p.Tangent = null;
            }

            // The three passes take turns, so ratios are taken round by round on a shared, noisy machine.
            model.Forward(images);
            var times = BenchTools.Rounds(runs, () => model.Forward(images), Train, Jvp);
            var (fwdTimes, trainTimes, jvpTimes) = (times[0], times[1], times[2]);
            double fwd = BenchTools.MedianOf(fwdTimes), train = BenchTools.MedianOf(trainTimes), jvp = BenchTools.MedianOf(jvpTimes);

            // Backward costs about twice the forward's multiply-adds; a JVP three times (each product X·Wᵀ
            // brings two tangent products Ẋ·Wᵀ + X·Ẇᵀ, each attention product two more).
            Row(name, "train", train, 3 * forwardFlops, BenchTools.PairedRatio(trainTimes, fwdTimes));
            Row(name, "forward", fwd, forwardFlops, 1);
            Row(name, "jvp", jvp, 3 * forwardFlops, BenchTools.PairedRatio(jvpTimes, fwdTimes));
            ours[(name, "train")] = train;
            ours[(name, "forward")] = fwd;
            ours[(name, "jvp")] = jvp;
        }
        if (torch) CompareWithTorch(ours, only, runs);
    }

    private static void CompareWithTorch(Dictionary<(string, string), double> ours, string configs, int runs)
    {
        var results = PyTorchScript.Run("vit_step.py", "--configs", configs, "--runs", runs.ToString(), "--threads", Environment.ProcessorCount.ToString());
        Console.WriteLine($"\nPyTorch {Environment.ProcessorCount} threads, same shapes (bench/pytorch/vit_step.py); ratio = ours / PyTorch (< 1: we are faster)");
        Console.WriteLine($"{"config",-9} {"pass",-8} {"torch ms",9} {"ours ms",9} {"ratio",6}");
        foreach (var json in results)
        {
            string name = json.GetProperty("config").GetString()!;
            foreach (string pass in new[] { "train", "forward", "jvp" })
            {
                double t = json.GetProperty(pass + "_s").GetDouble() * 1e3;
                double o = ours[(name, pass)] * 1e3;
                Console.WriteLine($"{name,-9} {pass,-8} {t,9:F1} {o,9:F1} {o / t,6:F2}");
            }
        }
    }

    // Multiply-adds ×2 of the forward pass: patch GEMM, per block q/k/v/out, scores and P·V, MLP; projection.
    private static double ForwardFlops(VisionTransformerConfig c, int batch)
    {
        double t = c.Tokens, w = c.Width, m = c.MlpWidth;
        double patch = 2.0 * c.Patches * c.Channels * c.PatchSize * c.PatchSize * w;
        double block = 2.0 * t * w * 4 * w + 2.0 * 2 * t * t * w + 2.0 * 2 * t * w * m;
        return batch * (patch + c.Layers * block + 2.0 * w * c.ProjectionDim);
    }

    // ×fwd is the median over rounds of this pass's time / the forward's in the same round.
    private static void Row(string config, string pass, double seconds, double flops, double timesForward) =>
        Console.WriteLine($"{config,-9} {pass,-8} {seconds * 1e3,9:F1} {flops / seconds / 1e9,8:F1} {timesForward,6:F2}");
}
