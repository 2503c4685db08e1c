// Tests of CosineSchedule (the reference `cosine_lr`: linear warm-up, then half-cosine decay) at step 0,
// the end of the warm-up, the midpoint and the end; degenerate warm-ups; a floor; argument checks; and
// ConstantSchedule.
using TaskVectors.Training;

namespace TaskVectors.Tests.Training;

public class CosineScheduleTests
{
    // The reference setting: lr 3e-4, 500 warm-up steps, here 2000 steps in all.
    private static readonly CosineSchedule Reference = new(3e-4, 500, 2000);

    [Fact]
    public void At_FirstStep_IsOneWarmupIncrement() => Reference.At(0).ShouldBe(3e-4 / 500, 1e-20);

    [Fact]
    public void At_WarmupEnd_ReachesBaseRate()
    {
        Reference.At(249).ShouldBe(3e-4 * 250 / 500, 1e-20);
        Reference.At(499).ShouldBe(3e-4);
        Reference.At(500).ShouldBe(3e-4); // e = 0: cos 0 = 1
    }

    [Fact]
    public void At_Midpoint_IsHalfTheBaseRate() => Reference.At(1250).ShouldBe(1.5e-4, 1e-18);

    [Fact]
    public void At_LastStep_IsBaseTimesSineSquared()
    {
        // ½(1 + cos(π·1499/1500)) = sin²(π/3000).
        double s = Math.Sin(Math.PI / 3000);
        Reference.At(1999).ShouldBe(3e-4 * s * s, 1e-18);
        Reference.At(1999).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void At_EndAndBeyond_IsMinimum()
    {
        Reference.At(2000).ShouldBe(0);
        Reference.At(3500).ShouldBe(0); // the reference's cosine would climb back to the base rate here
        new CosineSchedule(1, 10, 100, 0.1).At(1_000_000).ShouldBe(0.1);
    }

    [Fact]
    public void At_EveryStep_EqualsReferenceExpressionBitForBit()
    {
        // The wise-ft / task-vectors cosine_lr, transcribed: warm-up base·(step+1)/W, then 0.5·(1 + cos(π·e/es))·base.
        const double baseLr = 3e-4;
        const int warmup = 7, steps = 40;
        var schedule = new CosineSchedule(baseLr, warmup, steps);
        for (int step = 0; step < steps; step++)
        {
            double expected;
            if (step < warmup) expected = baseLr * (step + 1) / warmup;
            else
            {
                int e = step - warmup, es = steps - warmup;
                expected = 0.5 * (1 + Math.Cos(Math.PI * e / es)) * baseLr;
            }
            BitConverter.DoubleToInt64Bits(schedule.At(step)).ShouldBe(BitConverter.DoubleToInt64Bits(expected), $"step {step}");
        }
    }

    [Fact]
    public void At_WarmupRisesThenDecayDoesNotRise()
    {
        for (int step = 1; step < 500; step++) Reference.At(step).ShouldBeGreaterThan(Reference.At(step - 1));
        for (int step = 501; step <= 2000; step++) Reference.At(step).ShouldBeLessThan(Reference.At(step - 1));
    }

    [Fact]
    public void At_NoWarmup_StartsAtBase()
    {
        var s = new CosineSchedule(1, 0, 100);
        s.At(0).ShouldBe(1);
        s.At(50).ShouldBe(0.5, 1e-15);
        s.At(100).ShouldBe(0);
    }

    [Fact]
    public void At_WarmupLongerThanRun_StaysInWarmup()
    {
        var s = new CosineSchedule(1, 10, 5);
        s.At(0).ShouldBe(0.1, 1e-15);
        s.At(4).ShouldBe(0.5, 1e-15);
        s.At(9).ShouldBe(1);
        s.At(10).ShouldBe(0);
    }

    [Fact]
    public void At_WarmupEqualsRun_EndsAtMinimum()
    {
        var s = new CosineSchedule(2, 4, 4, 0.5);
        s.At(3).ShouldBe(2);
        s.At(4).ShouldBe(0.5);
    }

    [Fact]
    public void At_WithMinimum_DecaysToTheFloor()
    {
        var s = new CosineSchedule(1, 0, 100, 0.1);
        s.At(0).ShouldBe(1);
        s.At(50).ShouldBe(0.55, 1e-15);
        s.At(100).ShouldBe(0.1);
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new CosineSchedule(1, 0, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => new CosineSchedule(1, -1, 10));
        Should.Throw<ArgumentOutOfRangeException>(() => new CosineSchedule(-1, 0, 10));
        Should.Throw<ArgumentOutOfRangeException>(() => new CosineSchedule(double.NaN, 0, 10));
        Should.Throw<ArgumentOutOfRangeException>(() => new CosineSchedule(1, 0, 10, 2));
        Should.Throw<ArgumentOutOfRangeException>(() => new CosineSchedule(1, 0, 10, -0.1));
        Should.Throw<ArgumentOutOfRangeException>(() => Reference.At(-1));
    }

    [Fact]
    public void ConstantSchedule_ReturnsItsRateAtEveryStep()
    {
        var s = new ConstantSchedule(3e-4);
        s.At(0).ShouldBe(3e-4);
        s.At(long.MaxValue).ShouldBe(3e-4);
        Should.Throw<ArgumentOutOfRangeException>(() => s.At(-1));
        Should.Throw<ArgumentOutOfRangeException>(() => new ConstantSchedule(-1));
        Should.Throw<ArgumentOutOfRangeException>(() => new ConstantSchedule(double.PositiveInfinity));
    }
}
