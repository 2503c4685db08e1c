// Tests of ElementwiseDriver: the chunked parallel sum equal to its naive twin bit for bit (lengths around the
// chunk size, aliased destinations), the same under one thread and all, length checks, no steady-state allocation.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Tests.Layers.Kernels;

public class ElementwiseDriverTests
{
    private static float[] Random(int n, ulong seed)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x, 0f, 3f);
        return x;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(ElementwiseDriver.ChunkLength)]
    [InlineData(ElementwiseDriver.ChunkLength + 1)]
    [InlineData(3 * ElementwiseDriver.ChunkLength + 17)]
    public void Add_AnyLength_EqualsNaiveTwinBitForBit(int n)
    {
        var (x, y) = (Random(n, 1), Random(n, 2));
        var fast = new float[n];
        var naive = new float[n];
        ElementwiseDriver.Add(x, y, fast);
        ElementwiseDriver.AddReference(x, y, naive);
        ArrayAssert.Equal(fast, naive);
    }

    [Fact]
    public void Add_AliasedDestination_EqualsNaiveTwin()
    {
        int n = 2 * ElementwiseDriver.ChunkLength + 5;
        var (x, y) = (Random(n, 3), Random(n, 4));
        var naive = new float[n];
        ElementwiseDriver.AddReference(x, y, naive);
        ElementwiseDriver.Add(x, y, y);
        ArrayAssert.Equal(y, naive);
    }

    [Fact]
    public void Add_OneThreadOrAll_BitIdentical()
    {
        int n = 5 * ElementwiseDriver.ChunkLength + 3;
        var (x, y) = (Random(n, 5), Random(n, 6));
        var all = new float[n];
        ElementwiseDriver.Add(x, y, all);
        var one = new float[n];
        ParallelLoop.ThreadLimit = 1;
        try
        {
            ElementwiseDriver.Add(x, y, one);
        }
        finally
        {
            ParallelLoop.ThreadLimit = int.MaxValue;
        }
        ArrayAssert.Equal(all, one);
    }

    [Fact]
    public void Add_LengthMismatch_Throws() =>
        Should.Throw<ArgumentException>(() => ElementwiseDriver.Add(new float[4], new float[4], new float[3]));

    [Fact]
    public void Add_SteadyState_AllocatesNothing()
    {
        int n = 4 * ElementwiseDriver.ChunkLength;
        var (x, y, d) = (new float[n], new float[n], new float[n]);
        ElementwiseDriver.Add(x, y, d);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) ElementwiseDriver.Add(x, y, d);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
