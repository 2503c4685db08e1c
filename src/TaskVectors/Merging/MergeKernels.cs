// MergeKernels: element-wise pieces the merge methods share, over spans of one tensor (d elements per task):
// sum and mean over tasks, TIES's magnitude threshold (top-k % per tensor, by radix selection, O(d)), and TIES's
// sign election with the disjoint mean.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace TaskVectors.Merging;

internal static class MergeKernels
{
    /// <summary>destination = Σ_t τ_t.</summary>
    public static void Sum(MergeTensor tensor, Span<float> destination)
    {
        tensor.Task(0).CopyTo(destination);
        for (int t = 1; t < tensor.TaskCount; t++) TensorPrimitives.Add(destination, tensor.Task(t), destination);
    }

    /// <summary>destination = (1/T) Σ_t τ_t.</summary>
    public static void Mean(MergeTensor tensor, Span<float> destination)
    {
        Sum(tensor, destination);
        TensorPrimitives.Multiply(destination, 1f / tensor.TaskCount, destination);
    }

    /// <summary>
    /// TIES's trim threshold for one task's tensor x of d entries and density k: the (d − ⌊d·k⌋)-th smallest |x_i|, so that
    /// |x_i| ≥ threshold keeps the ⌊d·k⌋ largest magnitudes (plus the threshold's own entry and ties), exactly as the official
    /// code's <c>topk_values_mask</c> (github.com/prateeksr/TIES-Merging, <c>kthvalue(d − int(d·k))</c>). −∞ keeps all.
    /// </summary>
    public static float TrimThreshold(ReadOnlySpan<float> x, double density, float[] scratch)
    {
        int d = x.Length;
        int keep = (int)(d * density);
        if (keep >= d || d == 0) return float.NegativeInfinity;
        return SelectMagnitude(x, d - keep - 1, MemoryMarshal.Cast<float, uint>(scratch.AsSpan(0, d)));
    }

    /// <summary>
    /// The k-th smallest |x_i| (0-based), by radix selection on the bits of |x| (a non-negative float orders as its bit
    /// pattern): an 11-bit histogram over all of x, then 10 + 10 bits over the entries of the chosen bucket, copied to
    /// <paramref name="scratch"/>. Two passes over x, where Hoare selection (<see cref="Select"/>, its reference twin) takes
    /// ~2 n data-dependent branches. x must hold no NaN.
    /// </summary>
    public static float SelectMagnitude(ReadOnlySpan<float> x, int k, Span<uint> scratch)
    {
        var bits = MemoryMarshal.Cast<float, uint>(x);
        Span<int> histogram = stackalloc int[2048];
        histogram.Clear();
        for (int i = 0; i < bits.Length; i++) histogram[(int)((bits[i] & 0x7FFF_FFFFu) >> 20)]++;
        uint high = Bucket(histogram, ref k);
        int count = 0;
        for (int i = 0; i < bits.Length; i++)
        {
            uint key = bits[i] & 0x7FFF_FFFFu;
            if (key >> 20 == high) scratch[count++] = key;
        }
        var candidates = scratch[..count];
        histogram = histogram[..1024];
        histogram.Clear();
        foreach (uint key in candidates) histogram[(int)((key >> 10) & 1023)]++;
        uint middle = Bucket(histogram, ref k);
        histogram.Clear();
        foreach (uint key in candidates)
            if (((key >> 10) & 1023) == middle) histogram[(int)(key & 1023)]++;
        uint low = Bucket(histogram, ref k);
        return BitConverter.UInt32BitsToSingle(high << 20 | middle << 10 | low);
    }

    // The bucket holding the k-th smallest entry; k becomes its rank inside that bucket.
    private static uint Bucket(ReadOnlySpan<int> histogram, ref int k)
    {
        for (int b = 0; b < histogram.Length; b++)
        {
            if (k < histogram[b]) return (uint)b;
            k -= histogram[b];
        }
        throw new ArgumentOutOfRangeException(nameof(k), "k is not below the number of entries.");
    }

    /// <summary>
    /// TIES's elect and disjoint merge over trimmed tensors: γ = sgn(Σ_t τ̂_t) with zeros replaced by the tensor's majority
    /// sign sgn(Σ_i γ_i); then destination_i = mean of τ̂_t,i over the tasks whose entry agrees with γ_i (τ̂ &gt; 0 where
    /// γ &gt; 0, τ̂ &lt; 0 elsewhere), 0 when none does (official <c>resolve_sign</c> and <c>disjoint_merge</c>).
    /// </summary>
    public static void ElectAndDisjointMean(float[][] trimmed, Span<float> destination)
    {
        int d = destination.Length;
        destination.Clear();
        foreach (var t in trimmed) TensorPrimitives.Add(destination, t.AsSpan(0, d), destination);
        long signSum = 0;
        for (int i = 0; i < d; i++) signSum += Math.Sign(destination[i]);
        float majority = Math.Sign(signSum);
        // Vector body: γ > 0 where the sum is positive, or zero with a positive majority; then sum and count the agreeing entries.
        var zero = Vector<float>.Zero;
        var one = Vector<float>.One;
        var fill = new Vector<float>(majority);
        int w = Vector<float>.Count, i0 = 0;
        for (; i0 <= d - w; i0 += w)
        {
            var sum = new Vector<float>(destination.Slice(i0, w));
            var positive = Vector.BitwiseOr(Vector.GreaterThan(sum, zero), Vector.BitwiseAnd(Vector.Equals(sum, zero), Vector.GreaterThan(fill, zero)));
            var total = zero;
            var count = zero;
            foreach (var t in trimmed)
            {
                var x = new Vector<float>(t, i0);
                var agree = Vector.ConditionalSelect(positive, Vector.GreaterThan(x, zero), Vector.LessThan(x, zero));
                total += Vector.ConditionalSelect(agree, x, zero);
                count += Vector.ConditionalSelect(agree, one, zero);
            }
            Vector.ConditionalSelect(Vector.GreaterThan(count, zero), total / Vector.Max(count, one), zero).CopyTo(destination.Slice(i0, w));
        }
        for (int i = i0; i < d; i++)
        {
            int sign = Math.Sign(destination[i]);
            if (sign == 0) sign = (int)majority;
            float total = 0;
            int count = 0;
            foreach (var t in trimmed)
            {
                float v = t[i];
                if (sign > 0 ? v > 0 : v < 0)
                {
                    total += v;
                    count++;
                }
            }
            destination[i] = count == 0 ? 0f : total / count;
        }
    }

    /// <summary>destination = x where |x| ≥ threshold, else 0 (TIES's trim).</summary>
    public static void KeepAtLeast(ReadOnlySpan<float> x, float threshold, Span<float> destination)
    {
        int d = x.Length, w = Vector<float>.Count, i = 0;
        var t = new Vector<float>(threshold);
        for (; i <= d - w; i += w)
        {
            var v = new Vector<float>(x.Slice(i, w));
            Vector.ConditionalSelect(Vector.GreaterThanOrEqual(Vector.Abs(v), t), v, Vector<float>.Zero).CopyTo(destination.Slice(i, w));
        }
        for (; i < d; i++) destination[i] = Math.Abs(x[i]) >= threshold ? x[i] : 0f;
    }

    /// <summary>The k-th smallest value (0-based) of <paramref name="values"/>, which it reorders (Hoare selection, median of three).</summary>
    public static float Select(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (values[mid] < values[lo]) Swap(values, mid, lo);
            if (values[hi] < values[lo]) Swap(values, hi, lo);
            if (values[hi] < values[mid]) Swap(values, hi, mid);
            float pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    Swap(values, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }

    private static void Swap(Span<float> values, int a, int b) => (values[a], values[b]) = (values[b], values[a]);
}
