// MinilmTable: the `minilm-table` verb. On the real all-MiniLM-L6-v2 base (converted from its NuGet
// package into the cache) at batch 32 × sequence 64: our forward, JVP (every parameter's tangent set),
// training step (forward + cosine head + cross-entropy + backward) and KFAC estimation (MC, 1 probe),
// beside ONNX Runtime's forward of the original ONNX export and, with --torch, PyTorch's forward and
// training step of the same architecture and weights (bench/pytorch/minilm_step.py), all in one run,
// the passes taking turns round by round, each after a pause (--settle-ms, default BenchTools.SettleMs) in which the
// previous pass's idle threads stop spinning (ONNX Runtime's ran into our next pass). Prints ms per batch, seconds per 1,000 sentences and the
// median over rounds of the per-round ratios. Targets: forward ≤ 1.2× ORT, training step ≤ 0.5× PyTorch.
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using DenseTensorInt64 = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>;
using TaskVectors.Blas;
using TaskVectors.Curvature;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Pretrained;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Bench;

internal static class MinilmTable
{
    private const int Batch = 32;
    private const int Seq = 64;
    private const int Classes = 10;
    private const float LogitScale = 100f;

    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 7);
        bool torch = args.Contains("--torch");
        var options = new PretrainedOptions { CacheDirectory = BenchTools.OptionText(args, "--cache", null) };
        var minilm = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2, options);
        var model = minilm.CreateModel();
        Console.WriteLine($"all-MiniLM-L6-v2 (mean pooling), batch {Batch} × seq {Seq}: gemm={Gemm.Default.Name}, threads={ParallelLoop.Threads}, " +
                          $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, median of {runs} alternating rounds");

        // [CLS] w … w [SEP] with random word ids, no padding (every position real, as in a full batch).
        var rng = new Rng(0);
        int n = Batch * Seq;
        var ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = (i % Seq) switch { 0 => 101, Seq - 1 => 102, _ => 1000 + rng.NextInt(minilm.Config.VocabSize - 1000) };
        var types = new int[n];
        var mask = new Tensor(Batch, Seq);
        mask.Fill(1f);
        var batch = new TextBatch(Batch, Seq, ids, types, mask);
        var labels = Enumerable.Range(0, Batch).Select(_ => rng.NextInt(Classes)).ToArray();
        var classEmbeddings = new Tensor(Classes, model.EmbeddingDim);
        rng.FillNormal(classEmbeddings.Span);
        var head = new CosineHead("head", classEmbeddings, LogitScale);
        var loss = new SoftmaxCrossEntropy();
        var parameters = model.Parameters;
        var tangents = parameters.Select(p => BenchTools.SmallNormal(p.Value, rng)).ToArray();
        var data = new TextBatchData(batch);
        var kfacOptions = new KfacOptions { BatchSize = Batch };

        void Train()
        {
            foreach (var p in parameters) p.ZeroGrad();
            var f = model.Forward(batch);
            loss.Forward(head.Forward(f), labels);
            model.Backward(head.Backward(loss.Backward()));
        }

        void Jvp()
        {
            for (int i = 0; i < parameters.Count; i++) parameters[i].Tangent = tangents[i];
            model.Jvp(batch);
            foreach (var p in parameters) p.Tangent = null;
        }

        using var ort = OrtSession(minilm, out var ortInputs);
        float[] ours = model.Forward(batch).Span.ToArray();
        float[] hidden;
        using (var results = ort.Run(ortInputs)) hidden = results.First(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
        Console.WriteLine($"check: max |ours − ONNX Runtime| over the {Batch}×{model.EmbeddingDim} sentence embeddings = {MaxDiff(ours, MeanPool(hidden, model.EmbeddingDim)):E2}");

        using var py = torch ? PyTorchProcess.Start("minilm_step.py", new
        {
            batch = Batch, seq = Seq, ids, types, mask = mask.Span.ToArray(), labels, head = classEmbeddings.Span.ToArray(), scale = LogitScale,
        }, "--weights", minilm.CheckpointPath, "--threads", Environment.ProcessorCount.ToString()) : null;
        if (py is not null)
        {
            float[] first = [.. py.Ready.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];
            Console.WriteLine($"check: max |ours − PyTorch| over sentence 0's embedding = {MaxDiff(ours.AsSpan(0, first.Length).ToArray(), first):E2} " +
                              $"(torch {py.Ready.GetProperty("torch").GetString()}, {py.Ready.GetProperty("threads").GetInt32()} threads)");
        }

        var passes = new List<(string Name, Func<double> Time)>
        {
            ("ours forward", () => Seconds(() => model.Forward(batch))),
            ("ours jvp", () => Seconds(Jvp)),
            ("ours train", () => Seconds(Train)),
            ("ours kfac", () => Seconds(() => KfacEstimator.Estimate(model, data, kfacOptions))),
            ("ort forward", () => Seconds(() => { using var r = ort.Run(ortInputs); })),
        };
        if (py is not null)
        {
            passes.Add(("torch forward", () => py.Time("forward")));
            passes.Add(("torch train", () => py.Time("train")));
        }

        // --passes "ours forward,ort forward" keeps only the named passes (e.g. for a profiler); the ratios need their peers.
        if (BenchTools.OptionText(args, "--passes", null) is { } only)
        {
            var keep = only.Split(',', StringSplitOptions.TrimEntries);
            passes.RemoveAll(p => !keep.Contains(p.Name));
        }

        // One untimed round, then rounds in which every pass runs once, in turn.
        int settle = BenchTools.Option(args, "--settle-ms", BenchTools.SettleMs);
        foreach (var (_, time) in passes) time();
        var times = passes.Select(_ => new double[runs]).ToArray();
        for (int r = 0; r < runs; r++)
            for (int p = 0; p < passes.Count; p++)
            {
                Thread.Sleep(settle);
                times[p][r] = passes[p].Time();
            }
        var byName = passes.Select((p, i) => (p.Name, times[i])).ToDictionary(x => x.Name, x => x.Item2);

        Console.WriteLine();
        Console.WriteLine($"{"pass",-14} {"ms/batch",9} {"s/1000 sent.",13} {"× ours fwd",10} {"× ORT fwd",10} {"× torch",8}");
        foreach (var (name, _) in passes)
        {
            var t = byName[name];
            string vsTorch = name.StartsWith("ours", StringComparison.Ordinal) && byName.TryGetValue(name.Replace("ours", "torch"), out var peer)
                ? $"{BenchTools.PairedRatio(t, peer),8:F2}" : $"{"",8}";
            Console.WriteLine($"{name,-14} {BenchTools.MedianOf(t) * 1e3,9:F1} {BenchTools.MedianOf(t) * 1000 / Batch,13:F2} " +
                              $"{Ratio(t, "ours forward"),10} {Ratio(t, "ort forward"),10} {vsTorch}");
        }
        string Ratio(double[] t, string peer) => byName.TryGetValue(peer, out var p) ? $"{BenchTools.PairedRatio(t, p):F2}" : "";
        Console.WriteLine();
        if (!byName.ContainsKey("ours forward") || !byName.ContainsKey("ort forward")) return;
        Console.WriteLine($"targets: ours forward ≤ 1.2 × ORT forward (now {BenchTools.PairedRatio(byName["ours forward"], byName["ort forward"]):F2})" +
                          (py is null || !byName.ContainsKey("ours train") || !byName.ContainsKey("torch train") ? "; training step ≤ 0.5 × PyTorch's (run with --torch)" : $"; ours train ≤ 0.5 × torch train (now {BenchTools.PairedRatio(byName["ours train"], byName["torch train"]):F2})"));
    }

    private static InferenceSession OrtSession(PretrainedModel minilm, out List<NamedOnnxValue> inputs)
    {
        string assembly = PretrainedStore.TryFindAssembly(minilm.Base) ?? throw new InvalidOperationException("the MiniLM package is not on this machine");
        var session = new InferenceSession(EmbeddedResource.Read(assembly, minilm.Base.ModelResource),
            new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount, InterOpNumThreads = 1 });
        int[] dims = [Batch, Seq];
        var rng = new Rng(0);
        // The same ids as the batch (drawn from the same seed in the same order).
        var ids = new long[Batch * Seq];
        for (int i = 0; i < ids.Length; i++) ids[i] = (i % Seq) switch { 0 => 101, Seq - 1 => 102, _ => 1000 + rng.NextInt(minilm.Config.VocabSize - 1000) };
        inputs =
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensorInt64(ids, dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensorInt64(Enumerable.Repeat(1L, ids.Length).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensorInt64(new long[ids.Length], dims)),
        ];
        return session;
    }

    private static double Seconds(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    // Mean over the (all real) tokens, then L2: sentence-transformers' pooling of ONNX Runtime's hidden state.
    private static float[] MeanPool(float[] hidden, int width)
    {
        var result = new float[Batch * width];
        for (int b = 0; b < Batch; b++)
        {
            var s = new double[width];
            for (int t = 0; t < Seq; t++)
                for (int w = 0; w < width; w++) s[w] += hidden[(b * Seq + t) * width + w] / (double)Seq;
            double norm = Math.Sqrt(s.Sum(v => v * v));
            for (int w = 0; w < width; w++) result[b * width + w] = (float)(s[w] / norm);
        }
        return result;
    }

    private static double MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
}
