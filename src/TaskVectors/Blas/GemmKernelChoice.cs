// GemmKernelChoice: which micro-kernel the shared ManagedGemm runs on this CPU, decided once per process.
// Without Vector256 acceleration: scalar; without FMA3: multiply+add; without an accelerated Vector512
// (the runtime reports false on AVX-512 parts known to throttle, e.g. Skylake-X): the 6×16 Vector256 FMA
// tile. Where both run, a short measurement at first use (≈1 ms: the two kernels alternate over in-cache
// panels of the same multiply-adds, 7 rounds, medians) keeps the 12×32 Vector512 tile only when it is at
// least as fast, so a CPU that double-pumps 512-bit operations (Zen 4, Zen 5 mobile) is never made
// slower. The two FMA kernels give bit-identical results, so the measurement cannot change any number.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TaskVectors.Blas;

/// <summary>The managed GEMM's kernel for this CPU: a hardware rule, then a measurement where it is undecided.</summary>
internal static unsafe class GemmKernelChoice
{
    private const int Kc = GemmBlocking.Kc, Rounds = 7, CallsPerRound = 96;

    private static readonly Lazy<(GemmKernelKind Kind, double Speedup)> Choice = new(Choose);

    /// <summary>The fastest kernel this CPU runs.</summary>
    public static GemmKernelKind Best => Choice.Value.Kind;

    /// <summary>
    /// Time of the Vector256 FMA kernel over the Vector512 one on the same multiply-adds, measured at first use
    /// (&gt; 1: the wider tile is faster); NaN where no measurement was needed.
    /// </summary>
    public static double MeasuredSpeedup => Choice.Value.Speedup;

    /// <summary>Whether this CPU can run <paramref name="kind"/>.</summary>
    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Fused512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmKernelKind.Fused => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        GemmKernelKind.Separate => Vector256.IsHardwareAccelerated,
        _ => true,
    };

    private static (GemmKernelKind, double) Choose()
    {
        if (!IsSupported(GemmKernelKind.Separate)) return (GemmKernelKind.Scalar, double.NaN);
        if (!IsSupported(GemmKernelKind.Fused)) return (GemmKernelKind.Separate, double.NaN);
        if (!IsSupported(GemmKernelKind.Fused512)) return (GemmKernelKind.Fused, double.NaN);
        double speedup = Measure();
        return (speedup >= 1 ? GemmKernelKind.Fused512 : GemmKernelKind.Fused, speedup);
    }

    // Median over alternating rounds of (Vector256 time / Vector512 time); each round runs CallsPerRound
    // 12×32 tiles through each kernel (one 12×32 call, or four 6×16 calls, per tile) with kc = Kc.
    private static double Measure()
    {
        const int Mr = GemmMicroKernel512.Mr, Nr = GemmMicroKernel512.Nr;
        nuint bytes = (nuint)((Mr + Nr + Mr * Nr) * Kc * sizeof(float));
        float* buffer = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        try
        {
            new Span<float>(buffer, (Mr + Nr + Mr * Nr) * Kc).Fill(0.5f);
            float* a = buffer, b = buffer + Mr * Kc, c = b + Nr * Kc;
            var ratios = new double[Rounds];
            Wide(a, b, c);
            Narrow(a, b, c);
            for (int r = 0; r < Rounds; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Wide(a, b, c);
                long t1 = Stopwatch.GetTimestamp();
                Narrow(a, b, c);
                long t2 = Stopwatch.GetTimestamp();
                ratios[r] = (double)(t2 - t1) / Math.Max(1, t1 - t0);
            }
            Array.Sort(ratios);
            return ratios[Rounds / 2];
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    private static void Wide(float* a, float* b, float* c)
    {
        for (int i = 0; i < CallsPerRound; i++) GemmMicroKernel512.Fused(Kc, a, b, c, GemmMicroKernel512.Nr, c, GemmMicroKernel512.Nr, 12, 32, 1f, 1f);
    }

    private static void Narrow(float* a, float* b, float* c)
    {
        const int ldc = GemmMicroKernel512.Nr;
        for (int i = 0; i < CallsPerRound; i++)
        {
            GemmMicroKernel.Vector<FusedMultiplyAdd>(Kc, a, b, c, ldc, c, ldc, 6, 16, 1f, 1f);
            GemmMicroKernel.Vector<FusedMultiplyAdd>(Kc, a, b, c + 16, ldc, c + 16, ldc, 6, 16, 1f, 1f);
            GemmMicroKernel.Vector<FusedMultiplyAdd>(Kc, a, b, c + 6 * ldc, ldc, c + 6 * ldc, ldc, 6, 16, 1f, 1f);
            GemmMicroKernel.Vector<FusedMultiplyAdd>(Kc, a, b, c + 6 * ldc + 16, ldc, c + 6 * ldc + 16, ldc, 6, 16, 1f, 1f);
        }
    }
}
