// ContentStamp: a 64-bit position-sensitive checksum of a float span (Fletcher-style over 64-bit words,
// two floats a word, sums mod 2⁶⁴, one pair of running sums per SIMD lane), so a layer can tell whether a
// tensor it shares with its caller was changed between the pass that received it and KFAC reading it.
// Not cryptographic; one read pass.
using System.Numerics;
using System.Runtime.InteropServices;

namespace TaskVectors.Layers;

internal static class ContentStamp
{
    /// <summary>Per lane l: s₁ = Σ_i w_i, s₂ = Σ_i s₁(i) over the lane's 64-bit words; lanes, tail and length mixed.</summary>
    public static ulong Of(ReadOnlySpan<float> values)
    {
        var words = MemoryMarshal.Cast<float, ulong>(values);
        var vectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(words);
        Vector<ulong> v1 = Vector<ulong>.Zero, v2 = Vector<ulong>.Zero;
        foreach (var w in vectors)
        {
            v1 += w;
            v2 += v1;
        }
        ulong s1 = 0x9E3779B97F4A7C15UL, s2 = (ulong)values.Length;
        for (int lane = 0; lane < Vector<ulong>.Count; lane++)
        {
            s1 = s1 * 31 + v1[lane];
            s2 = s2 * 31 + v2[lane];
        }
        for (int i = vectors.Length * Vector<ulong>.Count; i < words.Length; i++)
        {
            s1 += words[i];
            s2 += s1;
        }
        if ((values.Length & 1) != 0)
        {
            s1 += BitConverter.SingleToUInt32Bits(values[^1]);
            s2 += s1;
        }
        return s2 ^ (s1 * 0xC2B2AE3D27D4EB4FUL);
    }
}
