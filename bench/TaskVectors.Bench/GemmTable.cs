// GemmTable: the quick side-by-side GEMM comparison (`-- gemm-table [--runs N] [--min-ms T] [--filter TEXT]`).
// For each shape both providers are timed alternately in one process, so background load hits both
// alike, with a pause after OpenBLAS so its spinning threads are asleep. Each run repeats the call
// until at least T ms pass; the table shows the median GFLOP/s (2·m·n·k / time) over N runs and the
// managed/openblas ratio of those medians.
using System.Diagnostics;
using TaskVectors.Blas;
using TaskVectors.Threading;

namespace TaskVectors.Bench;

/// <summary>Prints median GFLOP/s of OpenBLAS and the managed GEMM for every <see cref="GemmShape"/>.</summary>
public static class GemmTable
{
    private const int SettleMs = 300;

    public static int Run(string[] args)
    {
        int runs = 7;
        double minMs = 60;
        string filter = "";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i]); break;
                case "--min-ms": minMs = double.Parse(args[++i]); break;
                case "--filter": filter = args[++i]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}; use --runs N --min-ms T --filter TEXT"); return 2;
            }
        }

        if (!OpenBlasGemm.TryLoad(out var openBlas, out string why))
        {
            Console.Error.WriteLine($"OpenBLAS cannot be loaded ({why}); nothing to compare against.");
            return 1;
        }
        var managed = ManagedGemm.Instance;
        Console.WriteLine($"OpenBLAS: {openBlas!.Config} ({openBlas.Threads} threads, OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "unset"})");
        Console.WriteLine($"managed: {managed.Kernel} 6x16 kernel, {ParallelLoop.Threads} threads; {Environment.ProcessorCount} cores; median of {runs} runs, each ≥ {minMs} ms");
        Console.WriteLine();
        Console.WriteLine($"{"shape",-20} {"layer",-21} {"openblas GF/s",14} {"managed GF/s",13} {"managed/openblas",17} {"max |diff|",11}");
        foreach (var shape in GemmShape.All.Where(s => (s.Label + " " + s.Layer).Contains(filter, StringComparison.OrdinalIgnoreCase)))
        {
            var x = new GemmOperands(shape);
            x.Run(openBlas);
            var expected = (float[])x.C.Clone();
            x.Run(managed);
            double diff = 0;
            for (int i = 0; i < expected.Length; i++) diff = Math.Max(diff, Math.Abs(expected[i] - x.C[i]));

            var blasRates = new double[runs];
            var managedRates = new double[runs];
            for (int r = 0; r < runs; r++)
            {
                blasRates[r] = Measure(x, openBlas, minMs);
                // OpenBLAS's idle threads busy-wait for about 0.1 s after a call; timing the managed
                // GEMM inside that window would measure it on a core OpenBLAS is still spinning on.
                Thread.Sleep(SettleMs);
                managedRates[r] = Measure(x, managed, minMs);
            }
            double blas = Median(blasRates), mine = Median(managedRates);
            Console.WriteLine($"{shape.Label,-20} {shape.Layer,-21} {blas,14:F1} {mine,13:F1} {mine / blas,16:P0} {diff,11:G3}");
        }
        return 0;
    }

    // GFLOP/s of one run: as many calls as fit in minMs (at least one, after one untimed warm-up).
    private static double Measure(GemmOperands x, IGemm gemm, double minMs)
    {
        x.Run(gemm);
        var watch = Stopwatch.StartNew();
        int calls = 0;
        do
        {
            x.Run(gemm);
            calls++;
        }
        while (watch.Elapsed.TotalMilliseconds < minMs);
        return x.Shape.Flops * calls / watch.Elapsed.TotalSeconds / 1e9;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int h = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
    }
}
