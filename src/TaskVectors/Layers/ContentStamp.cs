// ContentStamp: a 64-bit position-sensitive checksum of a float span (Fletcher-style over 64-bit words,
// two floats a word, sums mod 2⁶⁴), so a layer can tell whether a tensor it shares with its caller was
// changed between the pass that received it and KFAC reading it. Not cryptographic; one read pass.
using System.Runtime.InteropServices;

namespace TaskVectors.Layers;

internal static class ContentStamp
{
    /// <summary>s₁ = Σ_i w_i, s₂ = Σ_i s₁(i) over the 64-bit words w_i (an odd tail float is its own word), mixed with the length.</summary>
    public static ulong Of(ReadOnlySpan<float> values)
    {
        var words = MemoryMarshal.Cast<float, ulong>(values);
        ulong s1 = 0x9E3779B97F4A7C15UL, s2 = (ulong)values.Length;
        foreach (ulong w in words)
        {
            s1 += w;
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
