// Tests of NormalDistribution: Φ and φ in double lanes against double-precision references (Φ = ½·erfc(−x/√2) from
// ErrorFunction.ErfcReference, φ and exp from Math.Exp) over a dense sweep of the whole line, tails included;
// the short exp over its range; Vector512 lanes equal to Vector256 lanes bit for bit; special values.
using System.Runtime.Intrinsics;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class NormalDistributionTests
{
    // Below this x the fit's z is clamped (z = |x|/√2 reaches 25.1 here, 26 at x = −36.77) and Φ, φ < 1e-278.
    private const double FullPrecisionFloor = -35.5;

    private static double CdfReference(double x) => 0.5 * ErrorFunction.ErfcReference(-x * Math.Sqrt(0.5));

    private static double PdfReference(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    // Steps of 1/256 over [−38, 12] (Φ down to 1e-316, below which float has nothing) plus random points.
    private static double[] Sweep()
    {
        var xs = new List<double>();
        for (double x = -38; x <= 12; x += 1.0 / 256) xs.Add(x);
        var rng = new Rng(7);
        for (int i = 0; i < 4000; i++) xs.Add(-38 + 50 * rng.NextSingle());
        while (xs.Count % 8 != 0) xs.Add(0.25);
        return [.. xs];
    }

    [Fact]
    public void Cdf_WholeLine_WithinFitErrorOfReference()
    {
        var xs = Sweep();
        double worst = 0;
        for (int i = 0; i < xs.Length; i += 4)
        {
            var v = NormalDistribution.Cdf(Vector256.Create(xs[i], xs[i + 1], xs[i + 2], xs[i + 3]));
            for (int l = 0; l < 4; l++)
            {
                double reference = CdfReference(xs[i + l]);
                if (xs[i + l] < FullPrecisionFloor)
                {
                    // Deep tail (Φ < 1e-278, far below float's 1e-45): only its size and sign matter.
                    v[l].ShouldBeInRange(0.0, 1e-270, $"Φ({xs[i + l]:R})");
                    continue;
                }
                worst = Math.Max(worst, Math.Abs(v[l] - reference) / reference);
            }
        }
        worst.ShouldBeLessThan(1.3e-7, "the Numerical Recipes fit is good to 1.2e-7 relative");
    }

    [Fact]
    public void CdfAndPdf_WholeLine_MatchReferences_AndCdfEqualsCdfAlone()
    {
        var xs = Sweep();
        for (int i = 0; i < xs.Length; i += 4)
        {
            var x = Vector256.Create(xs[i], xs[i + 1], xs[i + 2], xs[i + 3]);
            var (cdf, pdf) = NormalDistribution.CdfAndPdf(x);
            var alone = NormalDistribution.Cdf(x);
            for (int l = 0; l < 4; l++)
            {
                double xl = xs[i + l], pr = PdfReference(xl), cr = CdfReference(xl);
                if (xl < FullPrecisionFloor)
                {
                    pdf[l].ShouldBeInRange(0.0, 1e-270, $"φ({xl:R})");
                    continue;
                }
                Math.Abs(pdf[l] - pr).ShouldBeLessThanOrEqualTo(1e-8 * pr, $"φ({xl:R})");
                Math.Abs(cdf[l] - cr).ShouldBeLessThanOrEqualTo(1.3e-7 * cr, $"Φ({xl:R})");
                // e^(P − z²) against e^(−z²)·e^P: the same up to the short exp's 1e-8.
                Math.Abs(cdf[l] - alone[l]).ShouldBeLessThanOrEqualTo(2e-8 * alone[l], $"Φ({xl:R}) two ways");
            }
        }
    }

    [Fact]
    public void Cdf_NearZero_ExactHalfAtZeroAndOddAroundIt()
    {
        NormalDistribution.Cdf(Vector256.Create(0.0, -0.0, 1e-30, -1e-30)).ShouldBe(Vector256.Create(0.5, 0.5, 0.5, 0.5));
        foreach (double x in new[] { 1e-6, 0.01, 0.1, 0.2499, 0.25, 0.3, 1.0 })
        {
            var v = NormalDistribution.Cdf(Vector256.Create(x, -x, 0, 0));
            Math.Abs(v[0] - CdfReference(x)).ShouldBeLessThanOrEqualTo(1.3e-7 * CdfReference(x), $"Φ({x})");
            Math.Abs(v[0] + v[1] - 1).ShouldBeLessThanOrEqualTo(1e-15, $"Φ({x}) + Φ(−{x})");
        }
    }

    [Fact]
    public void Exp_NonPositiveArguments_WithinOneHundredMillionth()
    {
        var rng = new Rng(3);
        for (int i = 0; i < 20000; i++)
        {
            double y = i < 10000 ? -i * 0.07 : -700 * rng.NextSingle();
            double e = NormalDistribution.Exp(Vector256.Create(y))[0];
            Math.Abs(e - Math.Exp(y)).ShouldBeLessThanOrEqualTo(1e-8 * Math.Exp(y), $"exp({y:R})");
        }
        NormalDistribution.Exp(Vector256.Create(0.0))[0].ShouldBe(1.0);
        NormalDistribution.Exp(Vector256.Create(-1e6))[0].ShouldBe(Math.Exp(-700), 1e-8 * Math.Exp(-700));
        NormalDistribution.Exp(Vector256.Create(double.NegativeInfinity))[0].ShouldBeLessThan(1e-300);
    }

    [Fact]
    public void Vector512Lanes_EqualVector256Lanes_BitForBit()
    {
        var xs = Sweep();
        for (int i = 0; i + 8 <= xs.Length; i += 8)
        {
            var wide = Vector512.Create(xs.AsSpan(i, 8));
            var (lo, hi) = (Vector256.Create(xs.AsSpan(i, 4)), Vector256.Create(xs.AsSpan(i + 4, 4)));
            var (cdf, pdf) = NormalDistribution.CdfAndPdf(wide);
            var (cdfLo, pdfLo) = NormalDistribution.CdfAndPdf(lo);
            var (cdfHi, pdfHi) = NormalDistribution.CdfAndPdf(hi);
            var cdfAlone = NormalDistribution.Cdf(wide);
            var exp = NormalDistribution.Exp(-wide * wide);
            for (int l = 0; l < 8; l++)
            {
                var narrow = l < 4 ? (cdfLo[l], pdfLo[l], NormalDistribution.Cdf(lo)[l], NormalDistribution.Exp(-lo * lo)[l])
                    : (cdfHi[l - 4], pdfHi[l - 4], NormalDistribution.Cdf(hi)[l - 4], NormalDistribution.Exp(-hi * hi)[l - 4]);
                (cdf[l], pdf[l], cdfAlone[l], exp[l]).ShouldBe(narrow, $"x = {xs[i + l]:R}");
            }
        }
    }

    [Fact]
    public void SpecialValues_SaturateAndPropagateNaN()
    {
        var x = Vector256.Create(double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0);
        var (cdf, pdf) = NormalDistribution.CdfAndPdf(x);
        double.IsNaN(cdf[0]).ShouldBeTrue();
        cdf[1].ShouldBe(1.0);
        cdf[2].ShouldBeLessThan(1e-290);
        cdf[2].ShouldBeGreaterThanOrEqualTo(0.0);
        pdf[1].ShouldBeLessThan(1e-290);
        cdf[3].ShouldBe(0.5);
        pdf[3].ShouldBe(1 / Math.Sqrt(2 * Math.PI), 1e-8);
    }
}
