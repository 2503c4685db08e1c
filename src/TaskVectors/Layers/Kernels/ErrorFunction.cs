// ErrorFunction: erf and erfc of float32 values (scalar, Vector256 and Vector512 lanes), x (any) -> (-1, 1) and
// (0, 2), plus double-precision references the tests and the activation twins use. .NET has no
// MathF.Erf. Away from zero the float versions use the Chebyshev-fitted erfc of Numerical Recipes
// (erfcc, fractional error below 1.2e-7), one branch-free formula that vectorizes; near zero, where
// GELU spends most of its inputs, a Maclaurin polynomial that is exact to double rounding.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt and its complement erfc(x) = 1 − erf(x).
/// <para>
/// Float versions, evaluated in double and rounded: for |x| &lt; ½, erf(x) = (2/√π) Σₙ₌₀⁸ (−1)ⁿ x^(2n+1)/(n!(2n+1))
/// (truncation below 3·10⁻¹³) and erfc = 1 − erf; for |x| ≥ ½, with z = |x| and t = 1/(1 + z/2),
/// erfc(z) = t · exp(−z² − 1.26551223 + t·P(t)) for the degree-9 polynomial P of Numerical Recipes
/// §6.2 (relative error below 1.2·10⁻⁷), erfc(−z) = 2 − erfc(z) and erf = 1 − erfc. Overall relative
/// error: below 2·10⁻⁷ for both functions wherever the result is a normal float.
/// </para>
/// <para>
/// Reference versions (double): erf(x) = (2/√π)·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) for |x| &lt; 3
/// (all terms positive, so nothing cancels; erf to about 1e-16 absolute, erfc = 1 − erf to 1e-11
/// relative) and the continued fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …))))
/// for x ≥ 3 (about 1e-15 relative).
/// </para>
/// </summary>
internal static class ErrorFunction
{
    private const double TwoOverSqrtPi = 1.1283791670955125739;
    private const double InvSqrtPi = 0.56418958354775628695;

    // Below this |x| the Maclaurin series is used: 1 − erfc would cancel there, and the fit is weakest.
    private const double SeriesLimit = 0.5;

    /// <summary>erfc(x) in float precision (relative error below 2·10⁻⁷ where the result is a normal float).</summary>
    public static float Erfc(float x)
    {
        double ax = Math.Abs((double)x);
        if (ax < SeriesLimit) return (float)(1.0 - Maclaurin(x));
        double tail = FitTail(ax);
        return (float)(x >= 0 ? tail : 2.0 - tail);
    }

    /// <summary>erf(x) in float precision (relative error below 2·10⁻⁷).</summary>
    public static float Erf(float x)
    {
        double ax = Math.Abs((double)x);
        if (ax < SeriesLimit) return (float)Maclaurin(x);
        double value = 1.0 - FitTail(ax);
        return (float)(x < 0 ? -value : value);
    }

    /// <summary>
    /// erfc of each lane with the method of <see cref="Erfc(float)"/>, evaluated in double lanes and
    /// rounded to float (relative error below 2·10⁻⁷ where the result is a normal float; NaN stays NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erfc(Vector256<float> x)
    {
        var (lower, upper) = Vector256.Widen(x);
        return Vector256.Narrow(Erfc(lower), Erfc(upper));
    }

    /// <summary>
    /// erfc of each lane with the method of <see cref="Erfc(float)"/> (the Vector256 form's lane operations, 8 lanes at a time), evaluated in double lanes and
    /// rounded to float (relative error below 2·10⁻⁷ where the result is a normal float; NaN stays NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erfc(Vector512<float> x)
    {
        var (lower, upper) = Vector512.Widen(x);
        return Vector512.Narrow(Erfc(lower), Erfc(upper));
    }

    /// <summary>
    /// erfc of each double lane by the method of <see cref="Erfc(float)"/> (relative error below 1.2·10⁻⁷,
    /// so meant for results that are rounded to float). Evaluating in double matters: in float, the
    /// fit's polynomial cancels to 2 ulps, and the rounding of z² ≈ 100 in exp(−z²) costs up to 8·10⁻⁶.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Erfc(Vector256<double> x)
    {
        // Beyond 27 exp(−z²) underflows even in double; clamping keeps every intermediate finite.
        var z = Vector256.Min(Vector256.Abs(x), Vector256.Create(27.0));
        // The fit's exponent, shared with NormalDistribution (t = 1/(1 + z/2): z/2 is exact, so one rounding either way).
        var p = NormalDistribution.FitExponent(z, out var t);
        var tail = t * Vector256.Exp(p - z * z);
        var fit = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.Zero), tail, Vector256.Create(2.0) - tail);
        // Near zero both branches are computed (no data-dependent branch) and the series is selected.
        var result = Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256.Create(SeriesLimit)), Vector256<double>.One - Maclaurin(x), fit);
        // NaN lanes return x itself.
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    /// <summary>
    /// erfc of each double lane by the method of <see cref="Erfc(float)"/> (the Vector256 form's lane operations, 8 lanes at a time) (relative error below 1.2·10⁻⁷,
    /// so meant for results that are rounded to float). Evaluating in double matters: in float, the
    /// fit's polynomial cancels to 2 ulps, and the rounding of z² ≈ 100 in exp(−z²) costs up to 8·10⁻⁶.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Erfc(Vector512<double> x)
    {
        // Beyond 27 exp(−z²) underflows even in double; clamping keeps every intermediate finite.
        var z = Vector512.Min(Vector512.Abs(x), Vector512.Create(27.0));
        // The fit's exponent, shared with NormalDistribution (t = 1/(1 + z/2): z/2 is exact, so one rounding either way).
        var p = NormalDistribution.FitExponent(z, out var t);
        var tail = t * Vector512.Exp(p - z * z);
        var fit = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<double>.Zero), tail, Vector512.Create(2.0) - tail);
        // Near zero both branches are computed (no data-dependent branch) and the series is selected.
        var result = Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512.Create(SeriesLimit)), Vector512<double>.One - Maclaurin(x), fit);
        // NaN lanes return x itself.
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }

    /// <summary>erf(x) in double precision (reference; see the class remarks for the method).</summary>
    public static double ErfReference(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return -ErfReference(-x);
        return x < 3 ? ErfSeries(x) : 1.0 - ErfcContinuedFraction(x);
    }

    /// <summary>erfc(x) in double precision (reference; see the class remarks for the method).</summary>
    public static double ErfcReference(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2.0 - ErfcReference(-x);
        return x < 3 ? 1.0 - ErfSeries(x) : ErfcContinuedFraction(x);
    }

    // erfc(z) for z ≥ 0 by the Numerical Recipes fit: t·exp(−z² + P(t)), t = 1/(1 + z/2).
    private static double FitTail(double z)
    {
        double t = 1.0 / (1.0 + 0.5 * z);
        double p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        return t * Math.Exp(p - z * z);
    }

    // erf(x) = (2/√π) Σₙ₌₀⁸ (−1)ⁿ x^(2n+1) / (n!(2n+1)), for |x| < ½.
    private static double Maclaurin(double x)
    {
        double s = x * x;
        double p = MaclaurinCoefficient8;
        p = p * s + MaclaurinCoefficient7;
        p = p * s + MaclaurinCoefficient6;
        p = p * s + MaclaurinCoefficient5;
        p = p * s + MaclaurinCoefficient4;
        p = p * s + MaclaurinCoefficient3;
        p = p * s + MaclaurinCoefficient2;
        p = p * s + MaclaurinCoefficient1;
        p = p * s + TwoOverSqrtPi;
        return x * p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Maclaurin(Vector256<double> x)
    {
        var s = x * x;
        var p = Vector256.Create(MaclaurinCoefficient8);
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(MaclaurinCoefficient7));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(MaclaurinCoefficient6));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(MaclaurinCoefficient5));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(MaclaurinCoefficient4));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(MaclaurinCoefficient3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(MaclaurinCoefficient2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(MaclaurinCoefficient1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(TwoOverSqrtPi));
        return x * p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Maclaurin(Vector512<double> x)
    {
        var s = x * x;
        var p = Vector512.Create(MaclaurinCoefficient8);
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(MaclaurinCoefficient7));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(MaclaurinCoefficient6));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(MaclaurinCoefficient5));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(MaclaurinCoefficient4));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(MaclaurinCoefficient3));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(MaclaurinCoefficient2));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(MaclaurinCoefficient1));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(TwoOverSqrtPi));
        return x * p;
    }

    // (2/√π)·(−1)ⁿ / (n!(2n+1)).
    private const double MaclaurinCoefficient1 = -TwoOverSqrtPi / 3;
    private const double MaclaurinCoefficient2 = TwoOverSqrtPi / 10;
    private const double MaclaurinCoefficient3 = -TwoOverSqrtPi / 42;
    private const double MaclaurinCoefficient4 = TwoOverSqrtPi / 216;
    private const double MaclaurinCoefficient5 = -TwoOverSqrtPi / 1320;
    private const double MaclaurinCoefficient6 = TwoOverSqrtPi / 9360;
    private const double MaclaurinCoefficient7 = -TwoOverSqrtPi / 75600;
    private const double MaclaurinCoefficient8 = TwoOverSqrtPi / 685440;

    // 0 ≤ x < 3: (2/√π) e^(−x²) Σ 2ⁿ x^(2n+1) / (2n+1)!!, terms added until they stop changing the sum.
    private static double ErfSeries(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200 && term > 1e-17 * sum; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }
        return 2.0 * InvSqrtPi * Math.Exp(-x2) * sum;
    }

    // x ≥ 3: Laplace's continued fraction, evaluated bottom-up from a fixed depth that converges there.
    private static double ErfcContinuedFraction(double x)
    {
        if (double.IsPositiveInfinity(x)) return 0;
        double f = x;
        for (int k = 300; k >= 1; k--) f = x + 0.5 * k / f;
        return InvSqrtPi * Math.Exp(-x * x) / f;
    }
}
