// Tests of ErrorFunction: the double references against published values, and the float erf/erfc
// (scalar and Vector256) against the references over a dense sweep, plus special values.
using System.Runtime.Intrinsics;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class ErrorFunctionTests
{
    // Values of erf and erfc to 16 digits (Python math.erf / math.erfc, which wrap the C library).
    [Theory]
    [InlineData(0.5, 0.5204998778130465, 0.4795001221869535)]
    [InlineData(1.0, 0.8427007929497149, 0.15729920705028513)]
    [InlineData(2.0, 0.9953222650189527, 0.004677734981047265)]
    [InlineData(3.0, 0.9999779095030014, 2.2090496998585438e-05)]
    [InlineData(4.0, 0.9999999845827421, 1.541725790028002e-08)]
    [InlineData(5.0, 0.9999999999984626, 1.5374597944280351e-12)]
    [InlineData(-1.0, -0.8427007929497149, 1.842700792949715)]
    public void References_MatchPublishedValues(double x, double erf, double erfc)
    {
        ErrorFunction.ErfReference(x).ShouldBe(erf, 1e-14 * Math.Abs(erf));
        ErrorFunction.ErfcReference(x).ShouldBe(erfc, 1e-12 * erfc);
    }

    [Fact]
    public void ErfReference_AcrossSeriesAndContinuedFractionSwitch_IsContinuous()
    {
        // The two methods meet at 3, where 1 − erf from the series keeps about 11 digits of erfc.
        double below = ErrorFunction.ErfcReference(Math.BitDecrement(3.0));
        double above = ErrorFunction.ErfcReference(3.0);
        above.ShouldBe(below, 1e-11 * above);
    }

    [Fact]
    public void Erf_Float_WithinTwoTenthsOfAMillionthOfReference()
    {
        foreach (float x in Sweep(-6f, 6f))
        {
            double reference = ErrorFunction.ErfReference(x);
            if (reference == 0) continue;
            double error = Math.Abs(ErrorFunction.Erf(x) - reference) / Math.Abs(reference);
            error.ShouldBeLessThanOrEqualTo(2e-7, $"erf({x:R})");
        }
    }

    [Fact]
    public void Erfc_ScalarAndVector_WithinTwoTenthsOfAMillionthOfReference()
    {
        var xs = Sweep(-6f, 9f).ToArray();
        var lane = new float[Vector256<float>.Count];
        for (int i = 0; i + lane.Length <= xs.Length; i += lane.Length)
        {
            var v = ErrorFunction.Erfc(Vector256.Create<float>(xs.AsSpan(i, lane.Length)));
            v.CopyTo(lane);
            for (int k = 0; k < lane.Length; k++)
            {
                float x = xs[i + k];
                double reference = ErrorFunction.ErfcReference(x);
                (Math.Abs(ErrorFunction.Erfc(x) - reference) / reference).ShouldBeLessThanOrEqualTo(2e-7, $"erfc({x:R}) scalar");
                (Math.Abs(lane[k] - reference) / reference).ShouldBeLessThanOrEqualTo(2e-7, $"erfc({x:R}) vector");
            }
        }
    }

    [Fact]
    public void Erf_IsOdd_AndZeroAtZero()
    {
        ErrorFunction.Erf(0f).ShouldBe(0f);
        foreach (float x in Sweep(0f, 5f)) ErrorFunction.Erf(-x).ShouldBe(-ErrorFunction.Erf(x));
    }

    [Fact]
    public void SpecialValues_SaturateAndPropagateNaN()
    {
        float[] xs = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 30f, -30f, 0f, 1f, -1f];
        var v = ErrorFunction.Erfc(Vector256.Create<float>(xs));
        float.IsNaN(v[0]).ShouldBeTrue();
        float.IsNaN(ErrorFunction.Erfc(float.NaN)).ShouldBeTrue();
        float.IsNaN(ErrorFunction.Erf(float.NaN)).ShouldBeTrue();
        v[1].ShouldBe(0f);
        v[2].ShouldBe(2f);
        v[3].ShouldBe(0f);
        v[4].ShouldBe(2f);
        v[5].ShouldBe(1f);
        ErrorFunction.Erfc(float.PositiveInfinity).ShouldBe(0f);
        ErrorFunction.Erfc(float.NegativeInfinity).ShouldBe(2f);
        ErrorFunction.Erf(float.PositiveInfinity).ShouldBe(1f);
        ErrorFunction.Erf(float.NegativeInfinity).ShouldBe(-1f);
    }

    // A dense grid (steps of 1/1024) plus random points, so every region of the fit is visited.
    private static IEnumerable<float> Sweep(float from, float to)
    {
        for (float x = from; x <= to; x += 1f / 1024) yield return x;
        var rng = new Rng(11);
        for (int i = 0; i < 4000; i++) yield return from + (to - from) * rng.NextSingle();
    }
}
