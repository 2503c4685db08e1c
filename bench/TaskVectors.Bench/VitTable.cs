// VitTable: the `vit-table` verb. Times a training step (forward + cosine head + cross-entropy +
// backward), a forward pass and a JVP pass (all parameter tangents set) of the CLIP-layout ViT-tiny
// (batch 64) and ViT-B/32 (batch 8), in alternating rounds, printing median milliseconds, GFLOP/s and
// the median of the per-round ratios to the forward; with --torch it runs
// bench/pytorch/vit_step.py on the same shapes in the same run and prints our time / PyTorch's time.
// With --torchsharp (after tools/torchsharp-bench/setup.sh) each round pairs every pass with TorchSharp 0.107's same
// pass in a child process (TorchSharpProcess) on as many threads as ours, and prints our time / TorchSharp's and its
// 1024³ matmul rate; each timed pass starts after a pause (--settle-ms, default BenchTools.SettleMs) in which the
// other side's idle threads stop spinning.
// With --kernels it instead times the three passes under each GEMM kernel in turn, round by round in one
// process (OpenBLAS under the environment's kernel, the managed Vector256 and Vector512 kernels), and prints
// each one's median milliseconds and GFLOP/s with the per-round ratio to OpenBLAS's time.
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
        if (args.Contains("--kernels"))
        {
            CompareKernels(only, runs);
            return;
        }
        Console.WriteLine($"ViT steps: gemm={Gemm.Default.Name}, threads={ParallelLoop.Threads}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, median of {runs} runs");
        Console.WriteLine($"{"config",-9} {"pass",-8} {"ms",9} {"GFLOP/s",8} {"×fwd",6}");
        var ours = new Dictionary<(string, string), double>();
        using var torchSharp = args.Contains("--torchsharp")
            ? TorchSharpProcess.Start(Configs.Where(c => only.Split(',').Contains(c.Name)), Classes, ParallelLoop.Threads) : null;
        if (torchSharp is not null) torchSharp.SettleMs = BenchTools.Option(args, "--settle-ms", BenchTools.SettleMs);
        foreach (var (name, config, batch) in Configs.Where(c => only.Split(',').Contains(c.Name)))
        {
            var (forwardPass, trainPass, jvpPass) = Passes(config, batch);
            double forwardFlops = ForwardFlops(config, batch);

            // The three passes take turns, so ratios are taken round by round on a shared, noisy machine.
            forwardPass();
            var times = torchSharp?.Rounds(name, runs, ["forward", "train", "jvp"], forwardPass, trainPass, jvpPass)
                        ?? BenchTools.Rounds(runs, forwardPass, trainPass, jvpPass);
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
        torchSharp?.Print(runs);
        if (torch) CompareWithTorch(ours, only, runs);
    }

    // The forward, training step (forward + cosine head + cross-entropy + backward) and JVP (all parameter tangents
    // set) of a freshly initialized model on random images, all drawn from seed 0.
    private static (Action Forward, Action Train, Action Jvp) Passes(VisionTransformerConfig config, int batch)
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
        var tangents = parameters.Select(p => BenchTools.SmallNormal(p.Value, rng)).ToArray();

        void Train()
        {
            foreach (var p in parameters) p.ZeroGrad();
            var f = model.Forward(images);
            loss.Forward(head.Forward(f), labels);
            model.Backward(head.Backward(loss.Backward()));
        }

        void Jvp()
        {
            for (int i = 0; i < parameters.Count; i++) parameters[i].Tangent = tangents[i];
            model.Jvp(images);
            foreach (var p in parameters) p.Tangent = null;
        }

        return (() => model.Forward(images), Train, Jvp);
    }

    // The passes under every GEMM kernel this machine runs, alternating kernel by kernel within each round.
    private static void CompareKernels(string configs, int runs)
    {
        var kernels = new List<(string Name, IGemm Gemm)>();
        if (OpenBlasGemm.TryLoad(out var blas, out _))
            kernels.Add(($"openblas ({Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "own core"})", blas!));
        kernels.Add(("managed v256", new ManagedGemm(singleThreaded: false, GemmKernelKind.Fused)));
        if (ManagedGemm.IsSupported(GemmKernelKind.Fused512)) kernels.Add(("managed v512", new ManagedGemm(singleThreaded: false, GemmKernelKind.Fused512)));
        Console.WriteLine($"ViT steps by GEMM kernel: default gemm={Gemm.Default.Name}, threads={ParallelLoop.Threads}, {Environment.ProcessorCount} cores, " +
                          $".NET {Environment.Version}, median of {runs} alternating rounds; ratio = time / {kernels[0].Name}'s in the same round");
        Console.WriteLine($"{"config",-9} {"pass",-8} {"kernel",-22} {"ms",9} {"GFLOP/s",8} {"ratio",6}");
        foreach (var (name, config, batch) in Configs.Where(c => configs.Split(',').Contains(c.Name)))
        {
            var (forward, train, jvp) = Passes(config, batch);
            var passes = new (string Pass, double Flops, Action Run)[]
            {
                ("train", 3 * ForwardFlops(config, batch), train),
                ("forward", ForwardFlops(config, batch), forward),
                ("jvp", 3 * ForwardFlops(config, batch), jvp),
            };
            var actions = kernels.SelectMany(k => passes.Select(p => (Action)(() =>
            {
                Gemm.OverrideForBench(k.Gemm);
                p.Run();
            }))).ToArray();
            var times = BenchTools.Rounds(runs, actions);
            Gemm.OverrideForBench(null);
            for (int p = 0; p < passes.Length; p++)
                for (int k = 0; k < kernels.Count; k++)
                {
                    var t = times[k * passes.Length + p];
                    double median = BenchTools.MedianOf(t);
                    Console.WriteLine($"{name,-9} {passes[p].Pass,-8} {kernels[k].Name,-22} {median * 1e3,9:F1} {passes[p].Flops / median / 1e9,8:F1} {BenchTools.PairedRatio(t, times[p]),6:F2}");
                }
        }
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
