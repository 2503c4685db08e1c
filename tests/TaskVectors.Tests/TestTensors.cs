// TestTensors: random tensors for tests, N(0, 1) entries from a seeded Rng.
using TaskVectors.Tensors;

namespace TaskVectors.Tests;

internal static class TestTensors
{
    /// <summary>A tensor of <paramref name="shape"/> with N(0, 1) entries drawn from <c>new Rng(seed)</c>.</summary>
    public static Tensor Normal(ulong seed, params int[] shape)
    {
        var x = new Tensor(shape);
        new Rng(seed).FillNormal(x.Span);
        return x;
    }
}
