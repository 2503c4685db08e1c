// DropoutKernels: draws a dropout mask (n) from a seeded Rng, each entry 0 (dropped, probability p)
// or 1/(1 − p) (kept), so that y = x·mask keeps E[y] = x.
using TaskVectors.Tensors;

namespace TaskVectors.Layers.Kernels;

/// <summary>Dropout mask kernel; caller-owned output, no allocation.</summary>
internal static class DropoutKernels
{
    /// <summary>
    /// mask[i] = 0 if uᵢ &lt; p else 1/(1 − p), where uᵢ are successive 32-bit uniforms from
    /// <paramref name="rng"/> (the low then the high half of each 64-bit draw, so n entries use ⌈n/2⌉
    /// draws). p = 1 drops everything. The same generator state always gives the same mask.
    /// </summary>
    public static void FillMask(Rng rng, float p, Span<float> mask)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must lie in [0, 1].");
        // u < p  ⇔  bits < p·2³² for 32 random bits; p = 1 makes the threshold 2³², above every draw.
        ulong threshold = (ulong)Math.Round(p * 4294967296.0);
        float keep = p < 1 ? 1f / (1f - p) : 0f;
        int i = 0;
        for (; i + 1 < mask.Length; i += 2)
        {
            ulong bits = rng.NextUInt64();
            mask[i] = (bits & 0xFFFFFFFFUL) < threshold ? 0f : keep;
            mask[i + 1] = (bits >> 32) < threshold ? 0f : keep;
        }
        if (i < mask.Length) mask[i] = (rng.NextUInt64() & 0xFFFFFFFFUL) < threshold ? 0f : keep;
    }
}
