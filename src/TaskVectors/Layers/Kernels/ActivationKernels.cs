// ActivationKernels: element-wise GELU (erf and tanh forms) and QuickGELU, x (n) -> y (n), and their
// derivative products g (n) -> g·f'(x) (n), which serve Backward (g = ∂L/∂y) and Jvp (g = ẋ) alike.
// Fast kernels run Vector512 lanes where accelerated, then Vector256 lanes (the same lane operations, so
// the width never changes a result; the ragged tail through a zero-padded Vector256, so every element
// takes the same arithmetic); each has a naive double-precision *Reference twin.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Activation kernels over spans: caller-owned outputs, no allocation; destinations may alias inputs.
/// <list type="bullet">
/// <item>GELU, exact: f(x) = x·Φ(x), Φ(x) = ½·erfc(−x/√2); f'(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).</item>
/// <item>GELU, tanh form: f(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), computed as x·σ(2u);
/// f'(x) = σ(2u) + x·σ(2u)(1 − σ(2u))·2u'(x), u'(x) = √(2/π)(1 + 3·0.044715x²).</item>
/// <item>QuickGELU (CLIP): f(x) = x·σ(1.702x); f'(x) = σ(1.702x) + 1.702x·σ(1.702x)(1 − σ(1.702x)).</item>
/// </list>
/// Precision: the exact GELU runs in double lanes (relative error about 2·10⁻⁷, bounded by the erfc fit of
/// <see cref="NormalDistribution"/>); the tanh and quick forms run in float lanes, where rounding the exponent
/// argument a (2u or 1.702x) costs a relative error of about (1 + |a|)·3·10⁻⁷ in the saturating tail.
/// The vectors are 256-bit (AVX2 on x64; other hardware runs the same code emulated, correct but slower).
/// </summary>
internal static class ActivationKernels
{
    private const double SqrtHalf = 0.70710678118654752440;
    private const double InvSqrtTwoPi = 0.39894228040143267794;
    private const double TanhScale = 0.79788456080286535588; // √(2/π)
    private const double TanhCubic = 0.044715;
    private const double QuickScale = 1.702;

    /// <summary>y[i] = x[i]·Φ(x[i]) (exact GELU, erf form).</summary>
    public static void GeluErf(ReadOnlySpan<float> x, Span<float> y) => Map<GeluErfOp>(x, y);

    /// <summary>destination[i] = g[i]·(Φ(x[i]) + x[i]·φ(x[i])), the exact GELU's derivative times g.</summary>
    public static void GeluErfDerivative(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination) =>
        MapDerivative<GeluErfOp>(x, g, destination);

    /// <summary>y[i] = ½x(1 + tanh(√(2/π)(x + 0.044715x³))) at x = x[i] (GELU, tanh form).</summary>
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> y) => Map<GeluTanhOp>(x, y);

    /// <summary>destination[i] = g[i]·f'(x[i]) for the tanh-form GELU f.</summary>
    public static void GeluTanhDerivative(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination) =>
        MapDerivative<GeluTanhOp>(x, g, destination);

    /// <summary>y[i] = x[i]·σ(1.702·x[i]) (QuickGELU).</summary>
    public static void QuickGelu(ReadOnlySpan<float> x, Span<float> y) => Map<QuickGeluOp>(x, y);

    /// <summary>destination[i] = g[i]·f'(x[i]) for QuickGELU f.</summary>
    public static void QuickGeluDerivative(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination) =>
        MapDerivative<QuickGeluOp>(x, g, destination);

    /// <summary>Naive twin of <see cref="GeluErf"/> in double precision with <see cref="ErrorFunction.ErfcReference"/>.</summary>
    public static void GeluErfReference(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckLengths(x.Length, y.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            y[i] = (float)(v * 0.5 * ErrorFunction.ErfcReference(-v * SqrtHalf));
        }
    }

    /// <summary>Naive twin of <see cref="GeluErfDerivative"/> in double precision.</summary>
    public static void GeluErfDerivativeReference(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination)
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double slope = 0.5 * ErrorFunction.ErfcReference(-v * SqrtHalf) + v * InvSqrtTwoPi * Math.Exp(-0.5 * v * v);
            destination[i] = (float)(g[i] * slope);
        }
    }

    /// <summary>
    /// Naive twin of <see cref="GeluTanh"/> in double precision, with ½(1 + tanh u) written as 1/(1 + e^(−2u)):
    /// the same number, but without the cancellation that makes 1 + tanh u vanish in double below x ≈ −6.
    /// </summary>
    public static void GeluTanhReference(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckLengths(x.Length, y.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            y[i] = (float)(v / (1 + Math.Exp(-2 * TanhScale * (v + TanhCubic * v * v * v))));
        }
    }

    /// <summary>Naive twin of <see cref="GeluTanhDerivative"/> in double precision (σ form, as the value's twin).</summary>
    public static void GeluTanhDerivativeReference(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination)
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double e = Math.Exp(-2 * TanhScale * (v + TanhCubic * v * v * v));
            double slope;
            if (double.IsPositiveInfinity(e)) slope = 0; // σ = 0 and σ(1 − σ) = 0 exactly
            else
            {
                double s = 1 / (1 + e);
                slope = s + v * (e * s * s) * 2 * TanhScale * (1 + 3 * TanhCubic * v * v);
            }
            destination[i] = (float)(g[i] * slope);
        }
    }

    /// <summary>Naive twin of <see cref="QuickGelu"/> in double precision.</summary>
    public static void QuickGeluReference(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckLengths(x.Length, y.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            y[i] = (float)(v / (1 + Math.Exp(-QuickScale * v)));
        }
    }

    /// <summary>Naive twin of <see cref="QuickGeluDerivative"/> in double precision.</summary>
    public static void QuickGeluDerivativeReference(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination)
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double e = Math.Exp(-QuickScale * v);
            double slope = double.IsPositiveInfinity(e) ? 0 : 1 / (1 + e) + QuickScale * v * e / ((1 + e) * (1 + e));
            destination[i] = (float)(g[i] * slope);
        }
    }

    // The activation as two vector functions: f and f'. Static abstracts let the drivers inline them.
    // Each has a Vector256 and a Vector512 form doing the same lane operations, so a lane's result does
    // not depend on the width that computed it.
    private interface IActivation
    {
        static abstract Vector256<float> Value(Vector256<float> x);

        static abstract Vector256<float> Slope(Vector256<float> x);

        static abstract Vector512<float> Value(Vector512<float> x);

        static abstract Vector512<float> Slope(Vector512<float> x);
    }

    // Exact GELU in double lanes: the erfc fit is only accurate enough for float when evaluated in double. Φ and φ come
    // from NormalDistribution (one fit over the whole line and a short exp; the slope's φ shares Φ's e^(−x²/2)).
    private readonly struct GeluErfOp : IActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Value(Vector256<float> x)
        {
            var (lo, hi) = Vector256.Widen(x);
            return Vector256.Narrow(lo * NormalDistribution.Cdf(lo), hi * NormalDistribution.Cdf(hi));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Slope(Vector256<float> x)
        {
            var (lo, hi) = Vector256.Widen(x);
            return Vector256.Narrow(SlopeDouble(lo), SlopeDouble(hi));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> SlopeDouble(Vector256<double> x)
        {
            // Beyond |x| = 40, φ(x) is 0 and Φ(x) is 0 or 1 in float; clamping avoids ∞·φ for infinite x.
            x = Vector256.Min(Vector256.Max(x, Vector256.Create(-40.0)), Vector256.Create(40.0));
            var (cdf, pdf) = NormalDistribution.CdfAndPdf(x);
            return Vector256.FusedMultiplyAdd(x, pdf, cdf);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Value(Vector512<float> x)
        {
            var (lo, hi) = Vector512.Widen(x);
            return Vector512.Narrow(lo * NormalDistribution.Cdf(lo), hi * NormalDistribution.Cdf(hi));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Slope(Vector512<float> x)
        {
            var (lo, hi) = Vector512.Widen(x);
            return Vector512.Narrow(SlopeDouble(lo), SlopeDouble(hi));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<double> SlopeDouble(Vector512<double> x)
        {
            // Beyond |x| = 40, φ(x) is 0 and Φ(x) is 0 or 1 in float; clamping avoids ∞·φ for infinite x.
            x = Vector512.Min(Vector512.Max(x, Vector512.Create(-40.0)), Vector512.Create(40.0));
            var (cdf, pdf) = NormalDistribution.CdfAndPdf(x);
            return Vector512.FusedMultiplyAdd(x, pdf, cdf);
        }
    }

    // GELU, tanh form, as x·σ(2u): σ saturates cleanly to 0 and 1, where 1 + tanh u would cancel.
    private readonly struct GeluTanhOp : IActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Value(Vector256<float> x) =>
            x / (Vector256<float>.One + Vector256.Exp(-TwoU(x)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Slope(Vector256<float> x)
        {
            // Clamping to ±10 keeps e = e^(−2u) finite (|2u| ≤ 87.3) and changes the slope by under 1e-35:
            // beyond it σ(2u) is 0 or 1 and the second term vanishes.
            x = Vector256.Min(Vector256.Max(x, Vector256.Create(-10f)), Vector256.Create(10f));
            var e = Vector256.Exp(-TwoU(x));
            var s = Vector256<float>.One / (Vector256<float>.One + e);
            // σ(1 − σ) as (e·σ)·σ: 1 − σ itself would cancel where σ is near 1.
            var du2 = Vector256.Create((float)(2 * TanhScale)) * (Vector256<float>.One + Vector256.Create((float)(3 * TanhCubic)) * x * x);
            return s + x * (e * s * s) * du2;
        }

        // 2u = 2√(2/π)·x·(1 + 0.044715x²).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> TwoU(Vector256<float> x) =>
            Vector256.Create((float)(2 * TanhScale)) * x * (Vector256<float>.One + Vector256.Create((float)TanhCubic) * x * x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Value(Vector512<float> x) =>
            x / (Vector512<float>.One + Vector512.Exp(-TwoU(x)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Slope(Vector512<float> x)
        {
            // Clamping to ±10 keeps e = e^(−2u) finite (|2u| ≤ 87.3) and changes the slope by under 1e-35:
            // beyond it σ(2u) is 0 or 1 and the second term vanishes.
            x = Vector512.Min(Vector512.Max(x, Vector512.Create(-10f)), Vector512.Create(10f));
            var e = Vector512.Exp(-TwoU(x));
            var s = Vector512<float>.One / (Vector512<float>.One + e);
            // σ(1 − σ) as (e·σ)·σ: 1 − σ itself would cancel where σ is near 1.
            var du2 = Vector512.Create((float)(2 * TanhScale)) * (Vector512<float>.One + Vector512.Create((float)(3 * TanhCubic)) * x * x);
            return s + x * (e * s * s) * du2;
        }

        // 2u = 2√(2/π)·x·(1 + 0.044715x²).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> TwoU(Vector512<float> x) =>
            Vector512.Create((float)(2 * TanhScale)) * x * (Vector512<float>.One + Vector512.Create((float)TanhCubic) * x * x);
    }

    private readonly struct QuickGeluOp : IActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Value(Vector256<float> x) =>
            x / (Vector256<float>.One + Vector256.Exp(Vector256.Create((float)-QuickScale) * x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Slope(Vector256<float> x)
        {
            // Clamping to ±50 keeps e = e^(−1.702x) finite and changes the slope by under 1e-35.
            x = Vector256.Min(Vector256.Max(x, Vector256.Create(-50f)), Vector256.Create(50f));
            var e = Vector256.Exp(Vector256.Create((float)-QuickScale) * x);
            var s = Vector256<float>.One / (Vector256<float>.One + e);
            return s + Vector256.Create((float)QuickScale) * x * (e * s * s);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Value(Vector512<float> x) =>
            x / (Vector512<float>.One + Vector512.Exp(Vector512.Create((float)-QuickScale) * x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Slope(Vector512<float> x)
        {
            // Clamping to ±50 keeps e = e^(−1.702x) finite and changes the slope by under 1e-35.
            x = Vector512.Min(Vector512.Max(x, Vector512.Create(-50f)), Vector512.Create(50f));
            var e = Vector512.Exp(Vector512.Create((float)-QuickScale) * x);
            var s = Vector512<float>.One / (Vector512<float>.One + e);
            return s + Vector512.Create((float)QuickScale) * x * (e * s * s);
        }
    }

    // y = f(x) over whole vectors, then the tail through one zero-padded vector.
    private static void Map<T>(ReadOnlySpan<float> x, Span<float> y) where T : IActivation
    {
        CheckLengths(x.Length, y.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                T.Value(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            T.Value(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        if (i == n) return;
        Span<float> lane = stackalloc float[Vector256<float>.Count];
        lane.Clear();
        x[i..].CopyTo(lane);
        T.Value(Vector256.Create<float>(lane)).CopyTo(lane);
        lane[..(n - i)].CopyTo(y[i..]);
    }

    // destination = g · f'(x), same layout as Map.
    private static void MapDerivative<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination) where T : IActivation
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref gr, (nuint)i) * T.Slope(Vector512.LoadUnsafe(ref xr, (nuint)i))).StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            (Vector256.LoadUnsafe(ref gr, (nuint)i) * T.Slope(Vector256.LoadUnsafe(ref xr, (nuint)i))).StoreUnsafe(ref dr, (nuint)i);
        if (i == n) return;
        Span<float> xs = stackalloc float[Vector256<float>.Count];
        Span<float> gs = stackalloc float[Vector256<float>.Count];
        xs.Clear();
        gs.Clear();
        x[i..].CopyTo(xs);
        g[i..].CopyTo(gs);
        (Vector256.Create<float>(gs) * T.Slope(Vector256.Create<float>(xs))).CopyTo(xs);
        xs[..(n - i)].CopyTo(destination[i..]);
    }

    private static void CheckLengths(int x, int g, int destination)
    {
        if (x != g || x != destination)
            throw new ArgumentException($"Activation kernel spans differ in length: {x}, {g} and {destination}.");
    }
}
