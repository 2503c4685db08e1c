// SyrkTable: the `syrk-table` verb. The lower triangle of AᵀA (A: k×n row-major) on the Gram shapes of KFAC
// estimation on ViT-tiny at batch 64 (k = 64·50 token rows; n = 192/193 for A and the small G blocks, 576 for the
// fused q/k/v G, 768/769 for the MLP blocks) and one wide shape: OpenBLAS's split SSYRK, the managed GEMM's tiled
// SSYRK, and the column-panel fallback (GemmSyrk.Panels over the managed GEMM) that the tiled one replaced. The three
// take turns in every round; the table shows median milliseconds, GFLOP/s counted as n·(n+1)·k, and per-round ratios.
using TaskVectors.Blas;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

internal static class SyrkTable
{
    private static readonly (int K, int N)[] Shapes = [(3200, 192), (3200, 193), (3200, 576), (3200, 768), (3200, 769), (400, 2304)];

    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 31);
        if (!OpenBlasGemm.TryLoad(out var openBlas, out string why))
        {
            Console.Error.WriteLine($"OpenBLAS cannot be loaded ({why}); nothing to compare against.");
            return;
        }
        var managed = ManagedGemm.Instance;
        Console.WriteLine($"SSYRK lower, C = AᵀA: median of {runs} alternating rounds; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"k × n",-12} {"openblas ms",12} {"tiled ms",9} {"panels ms",10} {"tiled GF/s",11} {"tiled/openblas",15} {"tiled/panels",13}");
        var rng = new Rng(0);
        foreach (var (k, n) in Shapes)
        {
            var a = new float[k * n];
            rng.FillNormal(a);
            var c = new float[n * n];
            var times = BenchTools.Rounds(runs,
                () => openBlas!.SsyrkLower(n, k, 1f, a, n, 0f, c, n),
                () => managed.SsyrkLower(n, k, 1f, a, n, 0f, c, n),
                () => GemmSyrk.Panels(managed, n, k, 1f, a, n, 0f, c, n));
            double blas = BenchTools.MedianOf(times[0]), tiled = BenchTools.MedianOf(times[1]), panels = BenchTools.MedianOf(times[2]);
            double flops = (double)n * (n + 1) * k;
            Console.WriteLine($"{$"{k} × {n}",-12} {1e3 * blas,12:F2} {1e3 * tiled,9:F2} {1e3 * panels,10:F2} {flops / tiled / 1e9,11:F0} " +
                              $"{BenchTools.PairedRatio(times[1], times[0]),15:F2} {BenchTools.PairedRatio(times[1], times[2]),13:F2}");
        }
    }
}
