// ElementwiseDriver: element-wise sums of whole tensors, x (n) + y (n) -> destination (n), in fixed chunks spread
// over ParallelLoop (a residual sum of MiniLM at batch 32 is 786k floats: one core alone leaves the other waiting).
// Each element is one float addition whatever the chunking, so results equal one serial call bit for bit.
using System.Numerics.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Layers.Kernels;

/// <summary>Chunked, parallel element-wise sums; allocation-free.</summary>
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
