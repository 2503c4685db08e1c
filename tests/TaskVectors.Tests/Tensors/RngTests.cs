// Tests of Rng: reproducibility for a seed, and the moments of its uniform and normal draws.
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Tensors;

public class RngTests
{
    [Fact]
    public void SameSeed_SameStream_DifferentSeed_DifferentStream()
    {
        var a = new Rng(7);
        var b = new Rng(7);
        var c = new Rng(8);
        for (int i = 0; i < 100; i++) a.NextUInt64().ShouldBe(b.NextUInt64());
        new Rng(7).NextUInt64().ShouldNotBe(c.NextUInt64());
    }

    [Fact]
    public void NextUInt64_Seed0_MatchesPublishedSplitMixXoshiroVector()
    {
        // SplitMix64 from 0 gives the state words below (Vigna's reference splitmix64.c);
        // xoshiro256** then outputs rotl(s1·5, 7)·9 for the first draw.
        ulong s1 = 0x6E789E6AA1B965F4UL;
        ulong expected = (((s1 * 5) << 7) | ((s1 * 5) >> 57)) * 9;
        new Rng(0).NextUInt64().ShouldBe(expected);
    }

    [Fact]
    public void FillUniform_Moments_MatchUniform01()
    {
        var x = new float[200_000];
        new Rng(1).FillUniform(x);
        x.Min().ShouldBeGreaterThanOrEqualTo(0f);
        x.Max().ShouldBeLessThan(1f);
        ((double)x.Average()).ShouldBe(0.5, 0.005);
        x.Select(v => (v - 0.5) * (v - 0.5)).Average().ShouldBe(1.0 / 12, 0.002);
    }

    [Fact]
    public void FillNormal_Moments_MatchStandardNormal()
    {
        var x = new float[200_000];
        new Rng(2).FillNormal(x, 1f, 2f);
        double mean = x.Average(v => (double)v);
        mean.ShouldBe(1.0, 0.02);
        x.Select(v => (v - mean) * (v - mean)).Average().ShouldBe(4.0, 0.05);
    }

    [Fact]
    public void NextInt_CoversRangeUniformly()
    {
        var rng = new Rng(3);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[rng.NextInt(7)]++;
        counts.ShouldAllBe(n => Math.Abs(n - 10_000) < 400);
    }

    [Fact]
    public void Shuffle_IsPermutation()
    {
        var v = Enumerable.Range(0, 50).ToArray();
        new Rng(4).Shuffle<int>(v);
        v.Order().ShouldBe(Enumerable.Range(0, 50));
        v.ShouldNotBe(Enumerable.Range(0, 50));
    }
}
