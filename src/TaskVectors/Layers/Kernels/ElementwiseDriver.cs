// ElementwiseDriver: element-wise sums of whole tensors, x (n) + y (n) -> destination (n), clears (n) and column
// sums (rows, cols) -> (cols), in fixed chunks spread over ParallelLoop (a residual sum of MiniLM at batch 32 is 786k
// floats, ViT-B/32's gradients 88M: one core alone leaves the other waiting). Each output element is computed by the
// same float operations in the same order whatever the chunking, so results equal one serial call bit for bit.
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Layers.Kernels;

/// <summary>Chunked, parallel element-wise sums, clears and column sums; allocation-free.</summary>
internal static class ElementwiseDriver
{
    /// <summary>Elements per parallel chunk (64 KiB of each operand): large enough to amortize a hand-off.</summary>
    internal const int ChunkLength = 16384;

    /// <summary>destination[i] = x[i] + y[i]; all three have the same length (destination may alias x or y).</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        if (x.Length != y.Length || x.Length != destination.Length)
            throw new ArgumentException($"Lengths differ: x {x.Length}, y {y.Length}, destination {destination.Length}.", nameof(destination));
        unsafe
        {
            fixed (float* px = x)
            fixed (float* py = y)
            fixed (float* pd = destination)
                ParallelLoop.For((x.Length + ChunkLength - 1) / ChunkLength, new AddBody { X = px, Y = py, Destination = pd, Length = x.Length });
        }
    }

    /// <summary>Naive twin: destination[i] = x[i] + y[i], one element at a time.</summary>
    public static void AddReference(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = x[i] + y[i];
    }

    /// <summary>destination[i] = 0 for every i.</summary>
    public static void Clear(Span<float> destination)
    {
        if (destination.Length <= ChunkLength)
        {
            destination.Clear();
            return;
        }
        unsafe
        {
            fixed (float* pd = destination)
                ParallelLoop.For((destination.Length + ClearChunkLength - 1) / ClearChunkLength, new ClearBody { Destination = pd, Length = destination.Length });
        }
    }

    /// <summary>
    /// destination[j] += Σ_r x[r, j] for x (rows × cols, row-major): the column sums of TensorMath.AddColumnSums (each
    /// column summed down the rows in float32 from zero, row 0 first, then added to destination[j]), bit for bit,
    /// with the columns split over ParallelLoop in blocks of <see cref="ColumnBlock"/>.
    /// </summary>
    public static void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> destination)
    {
        if (x.Length != (long)rows * cols) throw new ArgumentException($"x holds {x.Length} elements, not {rows}×{cols}.", nameof(x));
        if (destination.Length != cols) throw new ArgumentException($"Destination of {destination.Length} elements does not match {cols} columns.", nameof(destination));
        if ((long)rows * cols < 4L * ChunkLength)
        {
            TensorMath.AddColumnSums(x, rows, cols, destination);
            return;
        }
        unsafe
        {
            fixed (float* px = x)
            fixed (float* pd = destination)
                ParallelLoop.For((cols + ColumnBlock - 1) / ColumnBlock, new ColumnSumsBody { X = px, Destination = pd, Rows = rows, Cols = cols });
        }
    }

    /// <summary>Columns per parallel item of <see cref="AddColumnSums"/> (four Vector256 accumulators' worth, times 4).</summary>
    internal const int ColumnBlock = 128;

    // 1 MiB of floats per clear chunk: a memset streams far faster than a sum, so it needs larger chunks to pay.
    private const int ClearChunkLength = 1 << 18;

    private unsafe struct ClearBody : ILoopBody
    {
        public float* Destination;
        public int Length;

        public readonly void Invoke(int index)
        {
            long start = (long)index * ClearChunkLength;
            new Span<float>(Destination + start, (int)Math.Min(ClearChunkLength, Length - start)).Clear();
        }
    }

    private unsafe struct ColumnSumsBody : ILoopBody
    {
        public float* X, Destination;
        public int Rows, Cols;

        public readonly void Invoke(int index)
        {
            int j0 = index * ColumnBlock, j1 = Math.Min(Cols, j0 + ColumnBlock), j = j0;
            const int w = 8; // Vector256<float>.Count: one lane per column
            for (; j <= j1 - w; j += w)
            {
                var s = Vector256<float>.Zero;
                float* p = X + j;
                for (int r = 0; r < Rows; r++, p += Cols) s += Vector256.Load(p);
                (Vector256.Load(Destination + j) + s).Store(Destination + j);
            }
            for (; j < j1; j++)
            {
                float s = 0;
                float* p = X + j;
                for (int r = 0; r < Rows; r++, p += Cols) s += *p;
                Destination[j] += s;
            }
        }
    }

    private unsafe struct AddBody : ILoopBody
    {
        public float* X, Y, Destination;
        public int Length;

        public readonly void Invoke(int index)
        {
            int start = index * ChunkLength, count = Math.Min(ChunkLength, Length - start);
            TensorPrimitives.Add(new ReadOnlySpan<float>(X + start, count), new ReadOnlySpan<float>(Y + start, count), new Span<float>(Destination + start, count));
        }
    }
}
