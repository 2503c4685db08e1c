// ActivationTable: the `activation-table` verb. The exact GELU (value x·Φ(x) and slope g·(Φ + xφ)) on the MiniLM MLP
// shape (2048 × 1536: batch 32 × 64 tokens, 4·384 wide) and ViT-B/32's at batch 8 (400 × 3072), one thread, in one
// process: the kernels of ActivationKernels against the formulation they replaced (ErrorFunction.Erfc's fit plus
// its Maclaurin branch and Vector512.Exp, in double lanes), taking turns every round. Prints median ms, ns per
// element, the per-round ratio and the largest relative difference between the two (slopes relative to |result| + |g|,
// as the tests measure; both ≈ 1e-7 from the truth).
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

internal static class ActivationTable
{
    private const double SqrtHalf = 0.70710678118654752440;
    private const double InvSqrtTwoPi = 0.39894228040143267794;

    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 21);
        if (!Vector512.IsHardwareAccelerated)
        {
            Console.Error.WriteLine("Vector512 is not accelerated here: the previous formulation below is written for it; nothing to compare.");
            return;
        }
        Console.WriteLine($"exact GELU, one thread, median of {runs} alternating rounds; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{"shape",-12} {"pass",-6} {"new ms",8} {"old ms",8} {"new ns/el",10} {"old ns/el",10} {"new/old",8} {"max rel diff",13}");
        foreach (var (rows, cols) in new[] { (2048, 1536), (400, 3072) })
        {
            int n = rows * cols;
            var x = new float[n];
            new Rng(1).FillNormal(x, 0f, 1.5f);
            var g = new float[n];
            new Rng(2).FillNormal(g);
            var y = new float[n];
            var yOld = new float[n];
            var times = BenchTools.Rounds(runs, () => ActivationKernels.GeluErf(x, y), () => PreviousValue(x, yOld));
            Row($"{rows}×{cols}", "value", times, n, MaxRelative(y, yOld, null));
            times = BenchTools.Rounds(runs, () => ActivationKernels.GeluErfDerivative(x, g, y), () => PreviousSlope(x, g, yOld));
            Row($"{rows}×{cols}", "slope", times, n, MaxRelative(y, yOld, g));
        }
    }

    private static void Row(string shape, string pass, double[][] times, int n, double diff)
    {
        double fresh = BenchTools.MedianOf(times[0]), old = BenchTools.MedianOf(times[1]);
        Console.WriteLine($"{shape,-12} {pass,-6} {1e3 * fresh,8:F2} {1e3 * old,8:F2} {1e9 * fresh / n,10:F2} {1e9 * old / n,10:F2} " +
                          $"{BenchTools.PairedRatio(times[0], times[1]),8:F2} {diff,13:E1}");
    }

    // max |a − b| / |b| (values), or / (|b| + |g|) for slopes g·f'(x), whose f' crosses zero (as the tests measure).
    private static double MaxRelative(float[] a, float[] b, float[]? g)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double scale = Math.Abs(b[i]) + (g is null ? 0 : Math.Abs(g[i]));
            if (scale > 1e-30) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]) / scale);
        }
        return worst;
    }

    // The value kernel before NormalDistribution (lengths here are multiples of 16).
    private static void PreviousValue(float[] x, float[] y)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float yr = ref MemoryMarshal.GetArrayDataReference(y);
        for (nuint i = 0; i < (nuint)x.Length; i += 16)
        {
            var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, i));
            Vector512.Narrow(PreviousValue(lo), PreviousValue(hi)).StoreUnsafe(ref yr, i);
        }
    }

    private static Vector512<double> PreviousValue(Vector512<double> x) =>
        x * Vector512.Create(0.5) * ErrorFunction.Erfc(x * Vector512.Create(-SqrtHalf));

    // The slope kernel before NormalDistribution.
    private static void PreviousSlope(float[] x, float[] g, float[] d)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
        ref float dr = ref MemoryMarshal.GetArrayDataReference(d);
        for (nuint i = 0; i < (nuint)x.Length; i += 16)
        {
            var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, i));
            (Vector512.LoadUnsafe(ref gr, i) * Vector512.Narrow(PreviousSlope(lo), PreviousSlope(hi))).StoreUnsafe(ref dr, i);
        }
    }

    private static Vector512<double> PreviousSlope(Vector512<double> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-40.0)), Vector512.Create(40.0));
        var cdf = Vector512.Create(0.5) * ErrorFunction.Erfc(x * Vector512.Create(-SqrtHalf));
        var pdf = Vector512.Create(InvSqrtTwoPi) * Vector512.Exp(Vector512.Create(-0.5) * x * x);
        return Vector512.FusedMultiplyAdd(x, pdf, cdf);
    }
}
