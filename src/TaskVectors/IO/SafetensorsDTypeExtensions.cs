// SafetensorsDTypeExtensions: the header spelling and bit width of each SafetensorsDType, and the
// parse from header bytes (an exact, case-sensitive match, as the reference implementation does).
namespace TaskVectors.IO;

/// <summary>Header names and element sizes of <see cref="SafetensorsDType"/> values.</summary>
internal static class SafetensorsDTypeExtensions
{
    /// <summary>The name the header uses for <paramref name="dtype"/>, e.g. "BF16" or "F8_E4M3".</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined member.</exception>
    public static string GetHeaderName(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.Bool => "BOOL",
        SafetensorsDType.F4 => "F4",
        SafetensorsDType.F6E2M3 => "F6_E2M3",
        SafetensorsDType.F6E3M2 => "F6_E3M2",
        SafetensorsDType.U8 => "U8",
        SafetensorsDType.I8 => "I8",
        SafetensorsDType.F8E5M2 => "F8_E5M2",
        SafetensorsDType.F8E4M3 => "F8_E4M3",
        SafetensorsDType.F8E8M0 => "F8_E8M0",
        SafetensorsDType.I16 => "I16",
        SafetensorsDType.U16 => "U16",
        SafetensorsDType.F16 => "F16",
        SafetensorsDType.BF16 => "BF16",
        SafetensorsDType.I32 => "I32",
        SafetensorsDType.U32 => "U32",
        SafetensorsDType.F32 => "F32",
        SafetensorsDType.C64 => "C64",
        SafetensorsDType.F64 => "F64",
        SafetensorsDType.I64 => "I64",
        SafetensorsDType.U64 => "U64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>Bits per element: 4 or 6 for the sub-byte MX types, otherwise 8 × the byte size.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined member.</exception>
    public static int GetBitSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F4 => 4,
        SafetensorsDType.F6E2M3 or SafetensorsDType.F6E3M2 => 6,
        SafetensorsDType.Bool or SafetensorsDType.U8 or SafetensorsDType.I8 or SafetensorsDType.F8E5M2
            or SafetensorsDType.F8E4M3 or SafetensorsDType.F8E8M0 => 8,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 16,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 32,
        SafetensorsDType.C64 or SafetensorsDType.F64 or SafetensorsDType.I64 or SafetensorsDType.U64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>Whether this library converts <paramref name="dtype"/> to float32 when reading: F32, F16, BF16, F64.</summary>
    public static bool IsReadableAsSingle(this SafetensorsDType dtype) =>
        dtype is SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F64;

    /// <summary>Parses a header dtype name; the match is exact and case-sensitive.</summary>
    public static bool TryParseHeaderName(string name, out SafetensorsDType dtype)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Twenty names: a linear scan over the enum is clearer than a second table and runs once per tensor.
        for (var candidate = SafetensorsDType.Bool; candidate <= SafetensorsDType.U64; candidate++)
        {
            if (string.Equals(candidate.GetHeaderName(), name, StringComparison.Ordinal))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }
}
