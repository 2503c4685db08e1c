// GradientClipping: the global L2 norm of all slots' gradients, ‖g‖ = √(Σ_slots Σ_i g_i²), and clipping
// by it (torch.nn.utils.clip_grad_norm_). Sums of squares run in double over fixed chunks of each gradient
// spread across ParallelLoop and are combined in chunk order, so the norm never depends on the thread count.
using System.Numerics.Tensors;
using TaskVectors.Threading;
using TaskVectors.Training.Kernels;

namespace TaskVectors.Training;

/// <summary>Gradient norm and clipping by global norm over a list of slots. Allocation-free once warm.</summary>
internal static class GradientClipping
{
    /// <summary>The 10⁻⁶ PyTorch adds to the norm before dividing: coefficient = maxNorm / (‖g‖ + 10⁻⁶).</summary>
    public const double Epsilon = 1e-6;

    // Per calling thread: chunk index of each slot's first chunk (slots + 1 entries), and one partial sum per chunk.
    [ThreadStatic] private static int[]? t_firstChunk;
    [ThreadStatic] private static double[]? t_partials;

    /// <summary>
    /// ‖g‖ = √(Σ_slots Σ_i g_i²) over every slot's <see cref="OptimizerSlot.Grad"/>, accumulated in double
    /// (PyTorch accumulates per-tensor norms in float; the results agree to float rounding). NaN when a gradient
    /// holds NaN, +∞ when one holds ±∞ and none NaN; 0 for no slots.
    /// </summary>
    public static double GlobalNorm(IReadOnlyList<OptimizerSlot> slots) => Math.Sqrt(SumOfSquares(slots, out _, out _));

    /// <summary>
    /// Clips the gradients by their global norm, as torch.nn.utils.clip_grad_norm_: with
    /// n = <see cref="GlobalNorm"/> and c = maxNorm / (n + 10⁻⁶), scales every gradient in place by c when
    /// c &lt; 1 (so gradients whose norm is within 10⁻⁶ below <paramref name="maxNorm"/> are scaled too, as in
    /// PyTorch), and returns n, the norm before clipping. c is computed in double and rounded to float.
    /// A non-finite n (NaN or ∞: some gradient is not finite) is returned with the gradients left untouched,
    /// unlike PyTorch, which multiplies them by NaN or 0; the caller should skip the step.
    /// </summary>
    /// <param name="slots">The slots whose <see cref="OptimizerSlot.Grad"/> tensors are clipped (they are the caller's).</param>
    /// <param name="maxNorm">The largest norm allowed; &gt; 0 (+∞ never clips).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive.</exception>
    public static double ClipByGlobalNorm(IReadOnlyList<OptimizerSlot> slots, double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        double norm = Math.Sqrt(SumOfSquares(slots, out int[] firstChunk, out int chunks));
        if (!double.IsFinite(norm)) return norm;
        double coefficient = maxNorm / (norm + Epsilon);
        if (coefficient < 1) ParallelLoop.For(chunks, new ScaleBody(slots, firstChunk, (float)coefficient));
        return norm;
    }

    // Σ g² over all slots, with the chunk layout it used (firstChunk[i] = first chunk of slot i; chunks in all).
    private static double SumOfSquares(IReadOnlyList<OptimizerSlot> slots, out int[] firstChunk, out int chunks)
    {
        ArgumentNullException.ThrowIfNull(slots);
        int n = slots.Count;
        firstChunk = Workspace(ref t_firstChunk, n + 1);
        chunks = 0;
        for (int i = 0; i < n; i++)
        {
            var slot = slots[i] ?? throw new ArgumentException($"Slot {i} is null.", nameof(slots));
            firstChunk[i] = chunks;
            chunks += OptimizerState.ChunksOf(slot.Grad.Length);
        }
        firstChunk[n] = chunks;
        double[] partials = Workspace(ref t_partials, chunks);
        ParallelLoop.For(chunks, new SquaresBody(slots, firstChunk, partials));
        double total = 0;
        for (int c = 0; c < chunks; c++) total += partials[c];
        return total;
    }

    private static T[] Workspace<T>(ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new T[Math.Max(length, 2 * (buffer?.Length ?? 0))];
        return buffer;
    }

    // The slot s holding chunk c: the last s with firstChunk[s] ≤ c (slots without chunks share their successor's start).
    private static int SlotOf(int[] firstChunk, int slots, int chunk)
    {
        int lo = 0, hi = slots - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (firstChunk[mid] <= chunk) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private static Span<float> ChunkOf(IReadOnlyList<OptimizerSlot> slots, int[] firstChunk, int chunk)
    {
        int s = SlotOf(firstChunk, slots.Count, chunk);
        var grad = slots[s].Grad.Span;
        int start = (chunk - firstChunk[s]) * OptimizerState.ChunkLength;
        return grad.Slice(start, Math.Min(OptimizerState.ChunkLength, grad.Length - start));
    }

    private readonly struct SquaresBody(IReadOnlyList<OptimizerSlot> slots, int[] firstChunk, double[] partials) : ILoopBody
    {
        public void Invoke(int index) => partials[index] = OptimizerKernels.SumOfSquares(ChunkOf(slots, firstChunk, index));
    }

    private readonly struct ScaleBody(IReadOnlyList<OptimizerSlot> slots, int[] firstChunk, float coefficient) : ILoopBody
    {
        public void Invoke(int index)
        {
            var chunk = ChunkOf(slots, firstChunk, index);
            TensorPrimitives.Multiply(chunk, coefficient, chunk);
        }
    }
}
