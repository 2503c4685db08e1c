// ContentStampTests: the checksum KFAC layers use to notice in-place changes sees a change anywhere in a span
// (every position of a vectorized body and of the tails), a swap of two values, and nothing else.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public sealed class ContentStampTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(203)]
    public void Of_AnyOneValueChanged_Differs(int length)
    {
        var x = new float[length];
        new Rng(1).FillNormal(x);
        ulong stamp = ContentStamp.Of(x);
        ContentStamp.Of(x.ToArray()).ShouldBe(stamp);
        for (int i = 0; i < length; i++)
        {
            float keep = x[i];
            x[i] = keep + 1f;
            ContentStamp.Of(x).ShouldNotBe(stamp, $"change at {i} of {length}");
            x[i] = keep;
        }
    }

    [Fact]
    public void Of_TwoValuesSwapped_Differs()
    {
        var x = new float[40];
        new Rng(2).FillNormal(x);
        ulong stamp = ContentStamp.Of(x);
        (x[3], x[30]) = (x[30], x[3]);
        ContentStamp.Of(x).ShouldNotBe(stamp);
    }

    [Fact]
    public void Of_ResidualAddedIntoItself_Differs()
    {
        var g = new float[96];
        new Rng(3).FillNormal(g);
        ulong stamp = ContentStamp.Of(g);
        var branch = new float[96];
        new Rng(4).FillNormal(branch);
        TensorMath.AddInPlace(branch, g);
        ContentStamp.Of(g).ShouldNotBe(stamp);
    }
}
