// TorchSharpProcess: vit-table's TorchSharp 0.107 peer, bench/TaskVectors.Bench.TorchSharp started through
// tools/torchsharp-bench/run.sh and kept running, so each round times our pass and then TorchSharp's same pass on
// the same shapes (images (B, C, S, S), embeddings (B, D)). The line protocol is PyTorchProcess's: a JSON setup line
// in, a JSON ready line out, then one "<config> <pass>" line per timed call answered by the seconds measured there.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TaskVectors.Models;

namespace TaskVectors.Bench;

internal sealed class TorchSharpProcess : IDisposable
{
    private const int WarmupRounds = 2; // libtorch's first two calls of a shape still grow its caches and allocator
    private readonly LineProtocolChild _child;
    private readonly List<string> _rows = [];

    private TorchSharpProcess(LineProtocolChild child) => _child = child;

    /// <summary>The child's ready line: TorchSharp and libtorch versions, threads, parameter count and JVP check per config.</summary>
    public JsonElement Ready => _child.Ready;

    /// <summary>
    /// Starts the child with <paramref name="threads"/> threads and builds <paramref name="configs"/> there, each with a
    /// head of <paramref name="classes"/> rows; null (with a message) when it cannot start, e.g. before setup.sh ran.
    /// </summary>
    public static TorchSharpProcess? Start(IEnumerable<(string Name, VisionTransformerConfig Config, int Batch)> configs, int classes, int threads)
    {
        string script = Path.Combine(PyTorchScript.RepositoryRoot(), "tools", "torchsharp-bench", "run.sh");
        var shapes = configs.Select(c => new
        {
            name = c.Name, image = c.Config.ImageSize, patch = c.Config.PatchSize, channels = c.Config.Channels, width = c.Config.Width,
            layers = c.Config.Layers, heads = c.Config.Heads, mlp = c.Config.MlpWidth, projection = c.Config.ProjectionDim, batch = c.Batch, classes,
        }).ToArray();
        if (LineProtocolChild.Start(new ProcessStartInfo(script), "the TorchSharp child", new { threads, shapes }, "run tools/torchsharp-bench/setup.sh first") is not { } child) return null;
        var ready = child.Ready;
        Console.WriteLine($"TorchSharp {ready.GetProperty("torchsharp").GetString()} (libtorch {ready.GetProperty("libtorch").GetString()}), " +
                          $"{ready.GetProperty("threads").GetInt32()} threads; parameters: " +
                          string.Join(", ", configs.Select(c => $"{c.Name} ours {new VisionTransformer(c.Config).Parameters.Sum(p => (long)p.Value.Length)} " +
                                                                $"TorchSharp {ready.GetProperty("parameters").GetProperty(c.Name).GetInt64()}")) +
                          "; TorchSharp's JVP against a central difference (max abs diff / max abs, float32): " +
                          string.Join(", ", configs.Select(c => $"{c.Name} {ready.GetProperty("jvp_check").GetProperty(c.Name).GetDouble():E1}")));
        return new TorchSharpProcess(child);
    }

    /// <summary>Runs <paramref name="pass"/> of <paramref name="config"/> once in the child; the seconds it measured.</summary>
    public double Time(string config, string pass) => _child.Time($"{config} {pass}");

    /// <summary>
    /// Like <see cref="BenchTools.Rounds"/> for our <paramref name="passes"/> (named forward, train, jvp in
    /// <paramref name="names"/>), each paired within the round with TorchSharp's same pass (first and second by turns); after
    /// <see cref="WarmupRounds"/> untimed rounds. result[p] is our pass p, result[names.Length + p] TorchSharp's.
    /// </summary>
    public double[][] Rounds(string config, int runs, string[] names, params Action[] passes)
    {
        var times = new double[2 * passes.Length][];
        for (int i = 0; i < times.Length; i++) times[i] = new double[runs];
        for (int r = -WarmupRounds; r < runs; r++)
            for (int p = 0; p < passes.Length; p++)
            {
                // Who goes first alternates by round, so neither side always runs on the other's leftover cache and heat;
                // each pass starts after a pause in which the other side's idle threads stop spinning.
                double theirs = r % 2 != 0 ? Settled(() => Time(config, names[p])) : 0;
                Thread.Sleep(SettleMs);
                long start = Stopwatch.GetTimestamp();
                passes[p]();
                double ours = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (r % 2 == 0) theirs = Settled(() => Time(config, names[p]));
                if (r >= 0) (times[p][r], times[passes.Length + p][r]) = (ours, theirs);
            }
        _rows.AddRange(names.Select((pass, p) =>
        {
            double ratio = BenchTools.PairedRatio(times[p], times[passes.Length + p]);
            return $"{config,-9} {pass,-8} {BenchTools.MedianOf(times[passes.Length + p]) * 1e3,9:F1} {BenchTools.MedianOf(times[p]) * 1e3,9:F1} " +
                   $"{ratio,6:F2} {(ratio <= 0.6 ? "yes" : "no"),5}";
        }));
        return times;
    }

    /// <summary>Milliseconds of the pause before each timed pass (<see cref="BenchTools.SettleMs"/> unless set; 0 for none).</summary>
    public int SettleMs { get; set; } = BenchTools.SettleMs;

    private double Settled(Func<double> time)
    {
        Thread.Sleep(SettleMs);
        return time();
    }

    /// <summary>Prints the rows <see cref="Rounds"/> gathered, then the median rate of one n³ matmul in the child.</summary>
    public void Print(int runs, int gemmSize = 1024)
    {
        Console.WriteLine($"\nTorchSharp, same shapes, same run, alternating round by round (median of {runs}); ratio = median over rounds of ours / TorchSharp; " +
                          "TorchSharp's jvp is the double-backward trick (it has no forward-mode AD)");
        Console.WriteLine($"{"config",-9} {"pass",-8} {"ts ms",9} {"ours ms",9} {"ratio",6} {"≤0.6",5}");
        foreach (string row in _rows) Console.WriteLine(row);
        string n = gemmSize.ToString(CultureInfo.InvariantCulture);
        Time("gemm", n);
        double seconds = BenchTools.MedianOf(Enumerable.Range(0, runs).Select(_ => Time("gemm", n)));
        Console.WriteLine($"TorchSharp matmul {gemmSize}³ float32: {2.0 * gemmSize * gemmSize * gemmSize / seconds / 1e9:F1} GFLOP/s (median of {runs}); " +
                          $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    public void Dispose() => _child.Dispose();
}
