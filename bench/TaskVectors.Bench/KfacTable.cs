// KfacTable: the `kfac-table` verb. On ViT-tiny with random 28×28 images, in one run: KFAC factor
// estimation time per 1,000 images beside one forward + backward (one probe s) over the same images
// (target ≤ 1.5×; ratios taken round by round, the passes alternating), also in reduce mode and with
// the diagonal-GGN sums; the TAK and diagonal-GGN regularizers' AddPenaltyGradient beside a training
// step at batch 64 (forward + cosine head + cross-entropy + backward; target ≤ 10%) and beside the
// linearized step TAK regularizes in the paper (JVP instead of forward); factor file sizes for ViT-tiny
// (written) and ViT-B/32 (from its layout, found with a one-image forward). With --torch,
// bench/pytorch/kfac_hooks.py estimates the same factors with PyTorch module hooks, same shapes, same run.
using System.Diagnostics;
using TaskVectors.Blas;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Threading;
using TaskVectors.Training;

namespace TaskVectors.Bench;

internal static class KfacTable
{
    private const int Batch = 64;
    private const int Classes = 10;

    public static void Run(string[] args)
    {
        int images = BenchTools.Option(args, "--images", 1024);
        int runs = BenchTools.Option(args, "--runs", 3);
        bool exact = args.Contains("--exact");
        bool b32 = args.Contains("--b32");
        var config = b32 ? VisionTransformerConfig.B32 : VisionTransformerConfig.Tiny;
        int batch = BenchTools.Option(args, "--batch", Batch);
        Console.WriteLine($"KFAC / TAK on {(b32 ? "vit-b32" : "vit-tiny")}: gemm={Gemm.Default.Name}, threads={ParallelLoop.Threads}, {Environment.ProcessorCount} cores, " +
                          $".NET {Environment.Version}; {images} random images, batch {batch}, median of {runs} runs");

        var rng = new Rng(0);
        var model = new VisionTransformer(config);
        model.Initialize(rng);
        var data = RandomImages(config, images, rng, "random A");

        // Factor estimation vs the forward + backward it is built on, same images, same batches.
        // Runs alternate between the three, so a busy neighbour on a shared machine slows all of them alike.
        var options = new KfacOptions { BatchSize = batch };
        TaskFactors? factors = null;
        var times = BenchTools.Rounds(runs,
            () => ForwardBackward(model, data, batch),
            () => factors = KfacEstimator.Estimate(model, data, options),
            () => KfacEstimator.Estimate(model, data, options with { TokenMode = KfacTokenMode.Reduce }),
            () => KfacEstimator.Estimate(model, data, options with { Diagonal = true }));
        var passes = times[0];
        Console.WriteLine();
        Console.WriteLine($"{"",-44} {"s/1000",9}  {"× fwd+bwd: median of rounds (range)"}");
        Console.WriteLine($"{"forward + backward, same images",-44} {Per1000(BenchTools.MedianOf(passes), images),9:F2}");
        foreach (var (label, t, note) in new[]
        {
            ("factor estimation (MC, 1 probe, expand)", times[1], "  target ≤ 1.5"),
            ("factor estimation (MC, 1 probe, reduce)", times[2], ""),
            ("factor estimation + diagonal GGN (expand)", times[3], ""),
        })
        {
            var ratios = BenchTools.Ratios(t, passes);
            Console.WriteLine($"{label,-44} {Per1000(BenchTools.MedianOf(t), images),9:F2}  {BenchTools.MedianOf(ratios),5:F2} × ({ratios.Min():F2}–{ratios.Max():F2}){note}");
        }
        if (args.Contains("--torch") && !b32) CompareWithTorch(images, batch, runs, BenchTools.MedianOf(passes), BenchTools.MedianOf(times[1]));
        if (b32) return; // the regularizer and file-size parts below are ViT-tiny's
        if (exact)
        {
            var one = RandomImages(config, Batch, rng, "random exact");
            double exactTime = BenchTools.Median(1, () => KfacEstimator.Estimate(model, one, options with { Estimator = KfacEstimatorKind.Exact }));
            double mcTime = BenchTools.Median(runs, () => KfacEstimator.Estimate(model, one, options));
            Console.WriteLine($"{"exact G (C = 192 backward passes), 1 batch",-44} {exactTime,9:F2} s  (MC: {mcTime:F3} s, ×{exactTime / mcTime:F0})");
        }

        // The regularizer on the paper's trainable set, against the Eq. 8 aggregate of two tasks.
        var own = KfacEstimator.Estimate(model, data, options with { MaxExamples = 2 * Batch, Diagonal = true });
        var other = KfacEstimator.Estimate(model, RandomImages(config, 2 * Batch, rng, "random B"), options with { Diagonal = true });
        var aggregate = new FactorAggregate();
        aggregate.Add("a", own);
        aggregate.Add("b", other);
        var regularizer = new TakRegularizer(aggregate.AllBut("a", own));
        var diagonalRegularizer = new DiagonalGgnRegularizer(aggregate.AllBut("a", own));
        var attentionRegularizer = new TakRegularizer(aggregate.AllBut("a", own)); // bound to its own parameter list
        var trainable = Trainable(ParameterSelection.LinearizedTak, model, rng);
        var attention = Trainable(ParameterSelection.AttentionOnly, model, rng);
        // Paired rounds: each round times the steps and the penalties back to back.
        var stepTimes = BenchTools.Rounds(5 * runs,
            TrainStep(model, config, rng, linearized: false),
            TrainStep(model, config, rng, linearized: true),
            TrainStep(model, config, rng, linearized: false, attention),
            () => regularizer.AddPenaltyGradient(trainable, step: 0),
            () => diagonalRegularizer.AddPenaltyGradient(trainable, step: 0),
            () => attentionRegularizer.AddPenaltyGradient(attention, step: 0));
        var (step, linearStep, attentionStep) = (stepTimes[0], stepTimes[1], stepTimes[2]);
        Console.WriteLine();
        Console.WriteLine($"{"step or penalty, batch 64",-44} {"ms",9}  {"% of non-linear step",21}  {"% of linearized step",21}");
        Console.WriteLine($"{"training step, non-linear",-44} {1e3 * BenchTools.MedianOf(step),9:F1}");
        Console.WriteLine($"{"training step, linearized (JVP)",-44} {1e3 * BenchTools.MedianOf(linearStep),9:F1}");
        foreach (var (label, t) in new[] { ("TAK AddPenaltyGradient (target ≤ 10%)", stepTimes[3]), ("diagonal-GGN AddPenaltyGradient", stepTimes[4]) })
            Console.WriteLine($"{label,-44} {1e3 * BenchTools.MedianOf(t),9:F1}  {100 * BenchTools.PairedRatio(t, step),20:F1}%  {100 * BenchTools.PairedRatio(t, linearStep),20:F1}%");
        // The paper's non-linear TAK regime trains the attention projections only.
        Console.WriteLine($"{"training step, non-linear, attention-only",-44} {1e3 * BenchTools.MedianOf(attentionStep),9:F1}");
        Console.WriteLine($"{"TAK AddPenaltyGradient, attention-only",-44} {1e3 * BenchTools.MedianOf(stepTimes[5]),9:F1}  {100 * BenchTools.PairedRatio(stepTimes[5], attentionStep),20:F1}%  (of the attention-only step)");

        // File sizes: ViT-tiny written, ViT-B/32 from its layout.
        string dir = Path.Combine(Path.GetTempPath(), "taskvectors-kfac-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Console.WriteLine();
            Console.WriteLine($"{"factor file",-44} {"F64 MB",9} {"F32 MB",9}");
            string d64 = Path.Combine(dir, "tiny64.safetensors"), f32 = Path.Combine(dir, "tiny32.safetensors");
            factors!.Save(d64);
            factors.Save(f32, FactorPrecision.Single);
            Console.WriteLine($"{"vit-tiny (written)",-44} {new FileInfo(d64).Length / 1e6,9:F1} {new FileInfo(f32).Length / 1e6,9:F1}");
            own.Save(d64);
            own.Save(f32, FactorPrecision.Single);
            Console.WriteLine($"{"vit-tiny with diagonals (written)",-44} {new FileInfo(d64).Length / 1e6,9:F1} {new FileInfo(f32).Length / 1e6,9:F1}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        foreach (var (name, c) in new[] { ("vit-tiny", config), ("vit-b32", VisionTransformerConfig.B32) })
        {
            var m = new VisionTransformer(c);
            m.Initialize(new Rng(1));
            var layout = KfacLayout.Discover(m, RandomImages(c, 1, rng, "layout").Images);
            Console.WriteLine($"{name + $" (layout: {layout.Blocks.Count} + {layout.DenseBlocks.Count} blocks, tensor data)",-44} " +
                              $"{layout.FactorBytes(FactorPrecision.Double) / 1e6,9:F1} {layout.FactorBytes(FactorPrecision.Single) / 1e6,9:F1}");
        }
    }

    // bench/pytorch/kfac_hooks.py: the same estimation with module hooks in PyTorch, on the same shapes, in this run.
    private static void CompareWithTorch(int images, int batch, int runs, double passes, double estimate)
    {
        var results = PyTorchScript.Run("kfac_hooks.py", "--images", images.ToString(), "--batch", batch.ToString(),
            "--runs", runs.ToString(), "--threads", Environment.ProcessorCount.ToString());
        foreach (var json in results)
        {
            double torchPasses = json.GetProperty("forward_backward_s").GetDouble(), torchEstimate = json.GetProperty("estimate_s").GetDouble();
            Console.WriteLine($"{"PyTorch forward + backward (hooks script)",-44} {Per1000(torchPasses, images),9:F2}   ours / PyTorch {passes / torchPasses:F2}");
            Console.WriteLine($"{"PyTorch factor estimation with hooks",-44} {Per1000(torchEstimate, images),9:F2}  {json.GetProperty("ratio").GetDouble(),5:F2} ×  ours / PyTorch {estimate / torchEstimate:F2}");
        }
    }

    private static ImageData RandomImages(VisionTransformerConfig c, int count, Rng rng, string description)
    {
        var x = new Tensor(count, c.Channels, c.ImageSize, c.ImageSize);
        rng.FillNormal(x.Span);
        return new ImageData(x, new int[count], 1, description);
    }

    // The estimator's passes without the factor work: per batch one Forward and one Backward of a random s.
    private static void ForwardBackward(VisionTransformer model, ImageData data, int size)
    {
        var batch = data.CreateBatch(size);
        var s = new Tensor(size, model.EmbeddingDim);
        var rng = new Rng(1);
        var indices = new int[size];
        for (int start = 0; start + size <= data.Count; start += size)
        {
            for (int i = 0; i < size; i++) indices[i] = start + i;
            data.Fill(batch, indices);
            model.Forward(batch);
            rng.FillNormal(s.Span);
            model.Backward(s);
        }
    }

    // θ = θ0 + τ with τ small and random for the parameters of `selection`.
    private static List<TrainableParameter> Trainable(ParameterSelection selection, VisionTransformer model, Rng rng) =>
        [.. selection.Select(model).Select(p =>
        {
            var theta = p.Value.Clone();
            TensorMath.AddInPlace(BenchTools.SmallNormal(p.Value, rng).Span, theta.Span);
            return new TrainableParameter(p, p.Value.Clone(), theta);
        })];

    // A training step at batch 64 without the optimizer update: forward (or, linearized, the JVP with the parameters'
    // tangents as τ, then f + J·τ), cosine head, cross-entropy, backward. With `only`, the other parameters get no
    // gradient (as in FineTuner, their weight-gradient products are skipped).
    private static Action TrainStep(VisionTransformer model, VisionTransformerConfig config, Rng rng, bool linearized,
        IReadOnlyList<TrainableParameter>? only = null)
    {
        var trained = only?.Select(t => t.Parameter).ToHashSet();
        var images = new Tensor(Batch, config.Channels, config.ImageSize, config.ImageSize);
        rng.FillNormal(images.Span);
        var labels = Enumerable.Range(0, Batch).Select(_ => rng.NextInt(Classes)).ToArray();
        var classEmbeddings = new Tensor(Classes, config.ProjectionDim);
        rng.FillNormal(classEmbeddings.Span);
        var head = new CosineHead("head", classEmbeddings);
        var loss = new SoftmaxCrossEntropy();
        var tangents = model.Parameters.Select(p => BenchTools.SmallNormal(p.Value, rng)).ToArray();
        var f = new Tensor(Batch, model.EmbeddingDim);
        return () =>
        {
            var parameters = model.Parameters;
            for (int i = 0; i < parameters.Count; i++)
            {
                parameters[i].ZeroGrad();
                parameters[i].Tangent = linearized ? tangents[i] : null;
                parameters[i].RequiresGrad = trained?.Contains(parameters[i]) ?? true;
            }
            if (linearized)
            {
                var d = model.Jvp(images);
                TensorMath.Add(d.Primal.Span, d.Tangent.Span, f.Span);
            }
            else model.Forward(images).Span.CopyTo(f.Span);
            loss.Forward(head.Forward(f), labels);
            model.Backward(head.Backward(loss.Backward()));
            foreach (var p in parameters)
            {
                p.Tangent = null;
                p.RequiresGrad = true;
            }
        };
    }

    private static double Per1000(double seconds, int images) => seconds * 1000 / images;
}
