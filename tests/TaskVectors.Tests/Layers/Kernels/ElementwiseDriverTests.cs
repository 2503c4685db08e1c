// Tests of ElementwiseDriver: the chunked parallel sum equal to its naive twin bit for bit (lengths around the
// chunk size, aliased destinations), the same under one thread and all, length checks, no steady-state allocation;
// the parallel clear; the parallel column sums bit-identical to TensorMath.AddColumnSums and within float rounding
// of a double-precision column sum, independent of the thread count.
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

    [Theory]
    [InlineData(100)]
    [InlineData(ElementwiseDriver.ChunkLength + 3)]
    [InlineData((1 << 18) * 3 + 5)]
    public void Clear_AnyLength_ZeroesExactlyTheSpan(int n)
    {
        var x = Random(n + 2, 7);
        ElementwiseDriver.Clear(x.AsSpan(1, n));
        x.AsSpan(1, n).IndexOfAnyExcept(0f).ShouldBe(-1);
        x[0].ShouldNotBe(0f);
        x[n + 1].ShouldNotBe(0f);
    }

    [Theory]
    [InlineData(7, 5)] // below the parallel size: the serial TensorMath call itself
    [InlineData(400, 3072)] // ViT-B/32 fc1 at batch 8
    [InlineData(2048, 384)] // MiniLM q/k/v at batch 32
    [InlineData(333, 1001)] // ragged column block and lane tail
    public void AddColumnSums_BitIdenticalToTensorMath_AndNearDoubleSums(int rows, int cols)
    {
        var x = Random(rows * cols, 8);
        var start = Random(cols, 9);
        var fast = (float[])start.Clone();
        var serial = (float[])start.Clone();
        ElementwiseDriver.AddColumnSums(x, rows, cols, fast);
        TensorMath.AddColumnSums(x, rows, cols, serial);
        ArrayAssert.Equal(fast, serial, $"{rows}×{cols}");
        var exact = new double[cols];
        var magnitude = new double[cols];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                exact[j] += x[r * cols + j];
                magnitude[j] += Math.Abs(x[r * cols + j]);
            }
        // float32 sums of `rows` terms: error at most about rows·ε·Σ|x| (ε = 2^-24), plus the final add's rounding.
        ArrayAssert.Within(fast, [.. exact.Select((e, j) => (float)(e + start[j]))],
            (j, e) => rows * 6e-8 * (magnitude[j] + Math.Abs(start[j])) + 1e-6, $"{rows}×{cols} vs double");
    }

    [Fact]
    public void AddColumnSums_OneThreadOrAll_BitIdentical()
    {
        const int rows = 300, cols = 1000;
        var x = Random(rows * cols, 10);
        var all = new float[cols];
        ElementwiseDriver.AddColumnSums(x, rows, cols, all);
        var one = new float[cols];
        ParallelLoop.ThreadLimit = 1;
        try
        {
            ElementwiseDriver.AddColumnSums(x, rows, cols, one);
        }
        finally
        {
            ParallelLoop.ThreadLimit = int.MaxValue;
        }
        ArrayAssert.Equal(all, one);
    }

    [Fact]
    public void AddColumnSums_ShapeMismatch_Throws()
    {
        Should.Throw<ArgumentException>(() => ElementwiseDriver.AddColumnSums(new float[10], 3, 3, new float[3]));
        Should.Throw<ArgumentException>(() => ElementwiseDriver.AddColumnSums(new float[9], 3, 3, new float[4]));
    }
}
