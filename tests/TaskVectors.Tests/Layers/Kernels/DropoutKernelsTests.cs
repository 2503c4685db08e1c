// Tests of DropoutKernels: mask values, drop rate, reproducibility from the generator state, and the
// p = 0 and p = 1 ends.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class DropoutKernelsTests
{
    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void FillMask_ValuesAndRate(float p)
    {
        const int n = 100_001;
        var mask = new float[n];
        DropoutKernels.FillMask(new Rng(3), p, mask);
        float keep = 1f / (1f - p);
        mask.ShouldAllBe(m => m == 0f || m == keep);
        double dropped = mask.Count(m => m == 0f) / (double)n;
        // Binomial standard deviation √(p(1 − p)/n) < 0.0016; allow five of them.
        dropped.ShouldBe(p, 0.008);
    }

    [Fact]
    public void FillMask_SameGeneratorState_SameMask()
    {
        var a = new float[999];
        var b = new float[999];
        DropoutKernels.FillMask(new Rng(42), 0.3f, a);
        DropoutKernels.FillMask(new Rng(42), 0.3f, b);
        a.ShouldBe(b);
        DropoutKernels.FillMask(new Rng(43), 0.3f, b);
        a.SequenceEqual(b).ShouldBeFalse();
    }

    [Fact]
    public void FillMask_Ends_KeepAllOrDropAll()
    {
        var mask = new float[17];
        DropoutKernels.FillMask(new Rng(1), 0f, mask);
        mask.ShouldAllBe(m => m == 1f);
        DropoutKernels.FillMask(new Rng(1), 1f, mask);
        mask.ShouldAllBe(m => m == 0f);
        Should.Throw<ArgumentOutOfRangeException>(() => DropoutKernels.FillMask(new Rng(1), 1.5f, mask));
    }
}
