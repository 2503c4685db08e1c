// NormalDistribution: the standard normal CDF Φ(x) and density φ(x) in double lanes (Vector256/Vector512,
// the same lane operations at both widths), x (lanes) -> (lanes), accurate to float precision, for the exact
// GELU. Φ comes from one branch-free formula over the whole line (the Numerical Recipes erfc fit, relative
// error below 1.2e-7), and the exponentials from a short exp (Cody–Waite reduction, degree-7 Taylor, 2ⁿ built
// in the exponent bits) that is good to 1e-9 because nothing here needs more: about a quarter of the work of
// Vector512.Exp plus the Maclaurin branch that ErrorFunction.Erfc evaluates beside the fit.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Lane-wise Φ(x) = ½·erfc(−x/√2) and φ(x) = e^(−x²/2)/√(2π) in double precision, meant for results rounded to float.
/// <para>
/// With z = min(|x|/√2, 26) and t = 1/(1 + z/2): erfc(z) ≈ t·exp(−z² + P(t)), P the degree-9 polynomial of Numerical
/// Recipes §6.2 (relative error below 1.2·10⁻⁷ for all z ≥ 0); Φ(x) = ½·erfc(z) for x ≤ 0 and 1 − ½·erfc(z) for x &gt; 0.
/// At z = 26, erfc is about 10⁻²⁹⁵, far below float's range, so the clamp changes no float result. For |x| &lt; ¼,
/// Φ(x) = ½ + φ(0)·(x − x³/6 + x⁵/40 − x⁷/336) instead (exactly ½ at 0; truncation below 5·10⁻¹⁰).
/// </para>
/// <para>
/// exp(y) for y ≤ 0: n = round(y·log₂e) (by adding 1.5·2⁵² and reading the low mantissa bits), r = y − n·ln 2 in two
/// FMA steps (|r| ≤ ½ln 2), e^r by its degree-7 Taylor polynomial (truncation below 6·10⁻⁹ relative), scaled by 2ⁿ
/// written into the exponent field. Arguments below −700 are raised to −700 (e^−700 ≈ 10⁻³⁰⁴, zero in float).
/// NaN lanes give NaN.
/// </para>
/// </summary>
internal static class NormalDistribution
{
    private const double SqrtHalf = 0.70710678118654752440;
    private const double InvSqrtTwoPi = 0.39894228040143267794;
    private const double Log2E = 1.4426950408889634074;
    private const double Ln2High = 0.693145751953125; // 15 significant bits: n·Ln2High is exact for |n| < 2¹⁰
    private const double Ln2Low = 1.42860682030941723212e-6; // ln 2 − Ln2High
    private const double RoundingShift = 6755399441055744.0; // 1.5·2⁵²: adding it rounds to an integer in the low bits
    private const double ZLimit = 26.0;
    private const double SeriesLimit = 0.25;
    private const double ExpFloor = -700.0;

    /// <summary>Φ(x) per lane (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Cdf(Vector256<double> x)
    {
        var z = Vector256.Min(Vector256.Abs(x) * Vector256.Create(SqrtHalf), Vector256.Create(ZLimit));
        var p = FitExponent(z, out var t);
        var halfTail = Vector256.Create(0.5) * t * Exp(p - z * z);
        return NearZero(x, Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), Vector256<double>.One - halfTail, halfTail));
    }

    /// <summary>Φ(x) per lane (the Vector256 form's lane operations, 8 lanes at a time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Cdf(Vector512<double> x)
    {
        var z = Vector512.Min(Vector512.Abs(x) * Vector512.Create(SqrtHalf), Vector512.Create(ZLimit));
        var p = FitExponent(z, out var t);
        var halfTail = Vector512.Create(0.5) * t * Exp(p - z * z);
        return NearZero(x, Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<double>.Zero), Vector512<double>.One - halfTail, halfTail));
    }

    /// <summary>Φ(x) and φ(x) per lane; φ shares the e^(−z²) = e^(−x²/2) of Φ's fit (zero where |x| ≥ 26·√2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<double> Cdf, Vector256<double> Pdf) CdfAndPdf(Vector256<double> x)
    {
        var z = Vector256.Min(Vector256.Abs(x) * Vector256.Create(SqrtHalf), Vector256.Create(ZLimit));
        var gauss = Exp(-(z * z));
        var p = FitExponent(z, out var t);
        var halfTail = Vector256.Create(0.5) * (t * gauss) * Exp(p);
        var cdf = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), Vector256<double>.One - halfTail, halfTail);
        return (NearZero(x, cdf), Vector256.Create(InvSqrtTwoPi) * gauss);
    }

    /// <summary>Φ(x) and φ(x) per lane (the Vector256 form's lane operations, 8 lanes at a time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<double> Cdf, Vector512<double> Pdf) CdfAndPdf(Vector512<double> x)
    {
        var z = Vector512.Min(Vector512.Abs(x) * Vector512.Create(SqrtHalf), Vector512.Create(ZLimit));
        var gauss = Exp(-(z * z));
        var p = FitExponent(z, out var t);
        var halfTail = Vector512.Create(0.5) * (t * gauss) * Exp(p);
        var cdf = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<double>.Zero), Vector512<double>.One - halfTail, halfTail);
        return (NearZero(x, cdf), Vector512.Create(InvSqrtTwoPi) * gauss);
    }

    /// <summary>e^y per lane for y ≤ 0 (relative error below 10⁻⁸; y below −700 is taken as −700).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exp(Vector256<double> y)
    {
        y = Vector256.Max(y, Vector256.Create(ExpFloor));
        var shifted = Vector256.FusedMultiplyAdd(y, Vector256.Create(Log2E), Vector256.Create(RoundingShift));
        var n = shifted - Vector256.Create(RoundingShift);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), y);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.Create(1.0 / 5040);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        // The low bits of shifted hold n (two's complement); n + 1023 shifted into the exponent field is 2ⁿ.
        var scale = Vector256.ShiftLeft(shifted.AsUInt64() + Vector256.Create(1023UL), 52).AsDouble();
        return p * scale;
    }

    /// <summary>e^y per lane for y ≤ 0 (the Vector256 form's lane operations, 8 lanes at a time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Exp(Vector512<double> y)
    {
        y = Vector512.Max(y, Vector512.Create(ExpFloor));
        var shifted = Vector512.FusedMultiplyAdd(y, Vector512.Create(Log2E), Vector512.Create(RoundingShift));
        var n = shifted - Vector512.Create(RoundingShift);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), y);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        var p = Vector512.Create(1.0 / 5040);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        var scale = Vector512.ShiftLeft(shifted.AsUInt64() + Vector512.Create(1023UL), 52).AsDouble();
        return p * scale;
    }

    // The fit's exponent P(t) − 1.26551223 (erfc(z) = t·e^(P(t) − z²)), and t = 1/(1 + z/2).
    // Φ for |x| < ¼ by its series ½ + φ(0)·(x − x³/6 + x⁵/40 − x⁷/336) (truncation below 5·10⁻¹⁰ absolute), which is
    // exactly ½ at 0 and odd around it; the fit's own error there is about 3·10⁻⁸. Other lanes keep the fit's value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> NearZero(Vector256<double> x, Vector256<double> fit)
    {
        var s = x * x;
        var q = Vector256.FusedMultiplyAdd(s, Vector256.Create(-1.0 / 336), Vector256.Create(1.0 / 40));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(-1.0 / 6));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256<double>.One);
        var series = Vector256.FusedMultiplyAdd(x * q, Vector256.Create(InvSqrtTwoPi), Vector256.Create(0.5));
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(SeriesLimit)), series, fit);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> FitExponent(Vector256<double> z, out Vector256<double> t)
    {
        t = Vector256<double>.One / Vector256.FusedMultiplyAdd(z, Vector256.Create(0.5), Vector256<double>.One);
        var p = Vector256.Create(0.17087277);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.82215223));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.48851587));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.13520398));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.27886807));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.18628806));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.09678418));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.37409196));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.00002368));
        return Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.26551223));
    }

    // Φ for |x| < ¼ by its series ½ + φ(0)·(x − x³/6 + x⁵/40 − x⁷/336) (truncation below 5·10⁻¹⁰ absolute), which is
    // exactly ½ at 0 and odd around it; the fit's own error there is about 3·10⁻⁸. Other lanes keep the fit's value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> NearZero(Vector512<double> x, Vector512<double> fit)
    {
        var s = x * x;
        var q = Vector512.FusedMultiplyAdd(s, Vector512.Create(-1.0 / 336), Vector512.Create(1.0 / 40));
        q = Vector512.FusedMultiplyAdd(q, s, Vector512.Create(-1.0 / 6));
        q = Vector512.FusedMultiplyAdd(q, s, Vector512<double>.One);
        var series = Vector512.FusedMultiplyAdd(x * q, Vector512.Create(InvSqrtTwoPi), Vector512.Create(0.5));
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(SeriesLimit)), series, fit);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> FitExponent(Vector512<double> z, out Vector512<double> t)
    {
        t = Vector512<double>.One / Vector512.FusedMultiplyAdd(z, Vector512.Create(0.5), Vector512<double>.One);
        var p = Vector512.Create(0.17087277);
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-0.82215223));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(1.48851587));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-1.13520398));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.27886807));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-0.18628806));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.09678418));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.37409196));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(1.00002368));
        return Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-1.26551223));
    }
}
