// MergeTable: the `merge-table` verb. Writes T task-vector files shaped like ViT-B/32's vision tower (≈ 88M float32
// parameters, ≈ 350 MB each; uniform noise, since content does not change TA's speed) to a temp folder, then in
// alternating rounds merges them from files with task arithmetic and TIES (TaskVectorMerge.MergeFiles: memory-mapped
// inputs, streamed atomic output) and with a numpy memmap loop doing the same TA merge (bench/numpy/merge_ta.py,
// Debian's /usr/bin/python3 + python3-numpy). Reports input read rates (MB/s, input bytes / merge time incl. the
// fsynced output), the ratios round by round, and peak memory: ours sampled from /proc/self/status during each
// merge (VmRSS, which counts the mapped file pages, and RssAnon, private memory), numpy's VmHWM. Files are deleted.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TaskVectors.IO;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

internal static class MergeTable
{
    public static void Run(string[] args)
    {
        int tasks = BenchTools.Option(args, "--tasks", 8);
        int runs = BenchTools.Option(args, "--runs", 3);
        string root = Path.Combine(BenchTools.OptionText(args, "--dir", Path.GetTempPath())!, "taskvectors-merge-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var layout = VitB32Layout();
            long modelBytes = layout.Sum(x => (long)Tensor.CheckedLength(x.Shape) * sizeof(float));
            var inputs = Enumerable.Range(0, tasks).Select(t => Path.Combine(root, $"tau{t}.safetensors")).ToArray();
            var clock = Stopwatch.StartNew();
            for (int t = 0; t < tasks; t++) WriteTaskVector(inputs[t], layout, (ulong)t + 1);
            long inputBytes = (long)tasks * modelBytes;
            Console.WriteLine($"merge-table: {tasks} task vectors of a ViT-B/32 vision tower ({layout.Count} tensors, {modelBytes / 4 / 1e6:F1}M float32, " +
                $"{modelBytes / 1e6:F0} MB each, {inputBytes / 1e9:F2} GB in all) written in {clock.Elapsed.TotalSeconds:F1} s to {root}; " +
                $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {runs} alternating rounds after a warm-up round");

            string output = Path.Combine(root, "merged.safetensors");
            var peaks = new Dictionary<string, (long Rss, long Anon)>();
            long numpyPeak = 0;
            void Ours(string name, IMergeMethod method)
            {
                using var sampler = new RssSampler();
                TaskVectorMerge.MergeFiles(inputs, output, method);
                var peak = sampler.Stop();
                peaks[name] = peaks.TryGetValue(name, out var p) ? (Math.Max(p.Rss, peak.Rss), Math.Max(p.Anon, peak.Anon)) : peak;
            }
            double numpySeconds = 0;
            var numpyTimes = new List<double>();
            void Numpy()
            {
                var result = RunNumpy(output, inputs);
                numpyTimes.Add(result.Seconds);
                numpyPeak = Math.Max(numpyPeak, result.PeakRssKb * 1024);
                if (result.BytesRead != inputBytes) throw new InvalidOperationException($"numpy read {result.BytesRead} bytes, not {inputBytes}.");
            }
            var rounds = BenchTools.Rounds(runs,
                () => Ours("TA", new TaskArithmeticMerge()),
                () => Ours("TIES", new TiesMerge()),
                Numpy);
            // The numpy round is timed inside the script (after the interpreter starts); its own figure replaces the wall time.
            var numpyRounds = numpyTimes.Skip(1).ToArray();
            numpySeconds = BenchTools.MedianOf(numpyRounds);
            double ta = BenchTools.MedianOf(rounds[0]), ties = BenchTools.MedianOf(rounds[1]);
            double Rate(double seconds) => inputBytes / seconds / 1e6;
            Console.WriteLine($"{"method",-34}{"median s",10}{"read MB/s",12}{"peak RSS MB",13}{"peak private MB",17}");
            Console.WriteLine($"{"ours: task arithmetic",-34}{ta,10:F2}{Rate(ta),12:F0}{peaks["TA"].Rss / 1e6,13:F0}{peaks["TA"].Anon / 1e6,17:F0}");
            Console.WriteLine($"{"ours: TIES (k = 20 %)",-34}{ties,10:F2}{Rate(ties),12:F0}{peaks["TIES"].Rss / 1e6,13:F0}{peaks["TIES"].Anon / 1e6,17:F0}");
            Console.WriteLine($"{"numpy memmap: task arithmetic",-34}{numpySeconds,10:F2}{Rate(numpySeconds),12:F0}{numpyPeak / 1e6,13:F0}{"(VmHWM)",17}");
            var taOverNumpy = BenchTools.Ratios(numpyRounds, rounds[0]);
            var tiesOverTa = BenchTools.Ratios(rounds[0], rounds[1]);
            Console.WriteLine($"TA read rate / numpy's: {BenchTools.MedianOf(taOverNumpy):F2} (rounds {string.Join(", ", taOverNumpy.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}; target ≥ 1.5)");
            Console.WriteLine($"TIES rate / TA rate:    {BenchTools.MedianOf(tiesOverTa):F2} (rounds {string.Join(", ", tiesOverTa.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}; target ≥ 0.5)");
            Console.WriteLine($"peak RSS / one model:   TA {peaks["TA"].Rss / (double)modelBytes:F2}, TIES {peaks["TIES"].Rss / (double)modelBytes:F2} " +
                $"(private {peaks["TA"].Anon / (double)modelBytes:F2}, {peaks["TIES"].Anon / (double)modelBytes:F2}); target ≤ 2");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // The vision tower's parameters (names and shapes) of VisionTransformerConfig.B32, without allocating the model.
    private static List<(string Name, int[] Shape)> VitB32Layout()
    {
        var c = VisionTransformerConfig.B32;
        var list = new List<(string, int[])>
        {
            ("vision_model.embeddings.class_embedding", [c.Width]),
            ("vision_model.embeddings.patch_embedding.weight", [c.Width, c.Channels, c.PatchSize, c.PatchSize]),
            ("vision_model.embeddings.position_embedding.weight", [c.Tokens, c.Width]),
            ("vision_model.pre_layrnorm.weight", [c.Width]),
            ("vision_model.pre_layrnorm.bias", [c.Width]),
            ("vision_model.post_layernorm.weight", [c.Width]),
            ("vision_model.post_layernorm.bias", [c.Width]),
            ("visual_projection.weight", [c.ProjectionDim, c.Width]),
        };
        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"vision_model.encoder.layers.{l}.";
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
            {
                list.Add((p + $"self_attn.{proj}.weight", [c.Width, c.Width]));
                list.Add((p + $"self_attn.{proj}.bias", [c.Width]));
            }
            foreach (var norm in new[] { "layer_norm1", "layer_norm2" })
            {
                list.Add((p + norm + ".weight", [c.Width]));
                list.Add((p + norm + ".bias", [c.Width]));
            }
            list.Add((p + "mlp.fc1.weight", [c.MlpWidth, c.Width]));
            list.Add((p + "mlp.fc1.bias", [c.MlpWidth]));
            list.Add((p + "mlp.fc2.weight", [c.Width, c.MlpWidth]));
            list.Add((p + "mlp.fc2.bias", [c.Width]));
        }
        return list;
    }

    // One task vector file, tensor by tensor (uniform noise of task-vector scale), through the streaming writer.
    private static void WriteTaskVector(string path, List<(string Name, int[] Shape)> layout, ulong seed)
    {
        var rng = new Rng(seed);
        var metadata = new Dictionary<string, string>
        {
            [ModelFingerprint.MetadataKey] = "merge-table-synthetic-base",
            [TaskVector.RegimeKey] = "non-linear",
        };
        using var writer = SafetensorsStreamWriter.Create(path, layout, metadata);
        var buffer = new float[layout.Max(x => Tensor.CheckedLength(x.Shape))];
        foreach (var (name, shape) in writer.Order)
        {
            var span = buffer.AsSpan(0, Tensor.CheckedLength(shape));
            rng.FillUniform(span, -1e-3f, 1e-3f);
            writer.Write(name, span);
        }
        writer.Commit();
    }

    private static (double Seconds, long BytesRead, long PeakRssKb) RunNumpy(string output, string[] inputs)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(PyTorchScript.RepositoryRoot(), "bench", "numpy", "merge_ta.py"));
        info.ArgumentList.Add(output);
        foreach (var i in inputs) info.ArgumentList.Add(i);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"merge_ta.py exited with {process.ExitCode} (is Debian's python3-numpy installed?)");
        var json = JsonDocument.Parse(text.Trim().Split('\n')[^1]).RootElement;
        return (json.GetProperty("seconds").GetDouble(), json.GetProperty("bytes_read").GetInt64(), json.GetProperty("peak_rss_kb").GetInt64());
    }

    // Samples VmRSS and RssAnon of this process every 2 ms on a background thread until stopped; returns the maxima in bytes.
    private sealed class RssSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _rss, _anon;

        public RssSampler()
        {
            Sample();
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    Sample();
                    Thread.Sleep(2);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public (long Rss, long Anon) Stop()
        {
            _stop = true;
            _thread.Join();
            Sample();
            return (_rss, _anon);
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }

        private void Sample()
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) _rss = Math.Max(_rss, Kb(line));
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) _anon = Math.Max(_anon, Kb(line));
            }
        }

        private static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
