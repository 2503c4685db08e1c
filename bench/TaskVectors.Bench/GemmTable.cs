// GemmTable: the quick side-by-side GEMM comparison (`-- gemm-table [--runs N] [--min-ms T] [--filter TEXT]`).
// For each shape, in alternating rounds in one run: the managed GEMM with its 6×16 Vector256 FMA kernel and
// (where AVX-512 is accelerated) its 12×32 Vector512 kernel, OpenBLAS under the kernel the environment selects
// (OPENBLAS_CORETYPE as set), and OpenBLAS's own choice for this CPU, timed in a child process started with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (on AVX-512 machines its AVX-512 kernel: the ceiling). The child
// stays up and times one run per request, so its runs alternate with the parent's. After every OpenBLAS run
// the table pauses so its spinning threads are asleep. Each run repeats the call until at least T ms pass;
// the table shows median GFLOP/s (2·m·n·k / time) over N runs, the ratios of those medians, and whether the two
// managed kernels agree bit for bit.
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Blas;
using TaskVectors.Threading;

namespace TaskVectors.Bench;

/// <summary>Prints median GFLOP/s of each GEMM kernel for every <see cref="GemmShape"/>.</summary>
public static class GemmTable
{
    /// <summary>The option that turns this verb into the child process of <see cref="OpenBlasChild"/>.</summary>
    internal const string ServeVerb = "--serve-openblas";

    public static int Run(string[] args)
    {
        if (args.Contains(ServeVerb)) return Serve();
        int runs = BenchTools.Option(args, "--runs", 7);
        double minMs = BenchTools.Option(args, "--min-ms", 60);
        string filter = BenchTools.OptionText(args, "--filter", "")!;

        if (!OpenBlasGemm.TryLoad(out var openBlas, out string why))
        {
            Console.Error.WriteLine($"OpenBLAS cannot be loaded ({why}); nothing to compare against.");
            return 1;
        }
        var v256 = new ManagedGemm(singleThreaded: false, GemmKernelKind.Fused);
        var v512 = ManagedGemm.IsSupported(GemmKernelKind.Fused512) ? new ManagedGemm(singleThreaded: false, GemmKernelKind.Fused512) : null;
        using var ceiling = OpenBlasChild.Start();
        Console.WriteLine($"OpenBLAS: {openBlas!.Config} ({openBlas.Threads} threads, OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "unset"})");
        Console.WriteLine($"OpenBLAS without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (child process): {ceiling.Config}");
        Console.WriteLine($"managed: default kernel {ManagedGemm.Instance.Kernel} {ManagedGemm.Instance.TileRows}x{ManagedGemm.Instance.TileColumns} (first-use measurement: Vector512 tile " +
                          $"{GemmKernelChoice.MeasuredSpeedup:F2}× the Vector256 tile's speed); {ParallelLoop.Threads} threads; {Environment.ProcessorCount} cores");
        Console.WriteLine($"Gemm.Default = {Gemm.Default.Name}; median of {runs} alternating runs, each ≥ {minMs} ms; GF/s");
        Console.WriteLine();
        Console.WriteLine($"{"shape",-16} {"layer",-21} {"v256",6} {"v512",6} {"blas-env",9} {"blas-512",9} {"v512/blas512",13} {"v512/v256",10} {"v512/env",9} {"v512≡v256",10}");
        for (int s = 0; s < GemmShape.All.Count; s++)
        {
            var shape = GemmShape.All[s];
            if (!(shape.Label + " " + shape.Layer).Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var x = new GemmOperands(shape);
            x.Run(v256);
            var narrow = (float[])x.C.Clone();
            bool identical = true;
            if (v512 is not null)
            {
                x.Run(v512);
                identical = narrow.AsSpan().SequenceEqual(x.C);
            }

            var rates = new double[4][];
            for (int i = 0; i < rates.Length; i++) rates[i] = new double[runs];
            for (int r = 0; r < runs; r++)
            {
                rates[0][r] = Measure(x, v256, minMs);
                rates[1][r] = v512 is null ? double.NaN : Measure(x, v512, minMs);
                rates[2][r] = Measure(x, openBlas, minMs);
                Thread.Sleep(BenchTools.SettleMs);
                rates[3][r] = ceiling.Measure(s, minMs);
                Thread.Sleep(BenchTools.SettleMs);
            }
            double n256 = BenchTools.MedianOf(rates[0]), n512 = BenchTools.MedianOf(rates[1]);
            double env = BenchTools.MedianOf(rates[2]), top = BenchTools.MedianOf(rates[3]);
            Console.WriteLine($"{shape.Label,-16} {shape.Layer,-21} {n256,6:F0} {n512,6:F0} {env,9:F0} {top,9:F0} {n512 / top,13:P0} {n512 / n256,10:F2} {n512 / env,9:F2} {(identical ? "yes" : "NO"),10}");
        }
        return 0;
    }

    /// <summary>GFLOP/s of one run: as many calls as fit in minMs (at least one, after one untimed warm-up).</summary>
    internal static double Measure(GemmOperands x, IGemm gemm, double minMs)
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

    // The child's loop (OpenBlasChild's other end): prints OpenBLAS's configuration, then for each request line "shape-index min-ms" one
    // run's GFLOP/s, until stdin closes.
    private static int Serve()
    {
        if (!OpenBlasGemm.TryLoad(out var openBlas, out string why))
        {
            Console.WriteLine($"unavailable: {why}");
            return 1;
        }
        Console.WriteLine(openBlas!.Config);
        var operands = new Dictionary<int, GemmOperands>();
        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            int s = int.Parse(parts[0], CultureInfo.InvariantCulture);
            if (!operands.TryGetValue(s, out var x)) operands[s] = x = new GemmOperands(GemmShape.All[s]);
            double rate = Measure(x, openBlas, double.Parse(parts[1], CultureInfo.InvariantCulture));
            Console.WriteLine(rate.ToString("R", CultureInfo.InvariantCulture));
        }
        return 0;
    }
}
