// SafetensorsTensorInfo: one header entry — name, dtype, shape and the byte range of its data —
// as validated when the file was opened. Reading the tensor itself is SafetensorsFile's job.
using System.Collections.Immutable;

namespace TaskVectors.IO;

/// <summary>
/// A tensor's header entry. <see cref="DataBegin"/> and <see cref="DataEnd"/> are the header's
/// <c>data_offsets</c>: byte offsets relative to the start of the data section, which follows the
/// 8-byte size prefix and the JSON header. Equality compares the shape element-wise.
/// </summary>
/// <param name="Name">The tensor's key in the header, e.g. "vision_model.encoder.layers.0.mlp.fc1.weight".</param>
/// <param name="DType">The stored element type.</param>
/// <param name="Shape">The dimensions, outermost first; empty for a scalar.</param>
/// <param name="DataBegin">First byte of the data, relative to the data section.</param>
/// <param name="DataEnd">One past the last byte of the data, relative to the data section.</param>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, ImmutableArray<int> Shape, long DataBegin, long DataEnd)
{
    /// <summary>Number of elements, Π <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            // Unchecked on purpose: the parser has bounded Π shape by the data size unless a dimension is 0,
            // and a wrapped partial product times that 0 is still 0.
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>Size of the stored data in bytes, <see cref="DataEnd"/> − <see cref="DataBegin"/>.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>The shape written as "[d0, d1, …]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <inheritdoc />
    public bool Equals(SafetensorsTensorInfo? other) =>
        other is not null && Name == other.Name && DType == other.DType && Shape.AsSpan().SequenceEqual(other.Shape.AsSpan())
        && DataBegin == other.DataBegin && DataEnd == other.DataEnd;

    /// <summary>E.g. "fc1.weight: F32 [3072, 768] at [0, 9437184)".</summary>
    public override string ToString() => $"{Name}: {DType.GetHeaderName()} {ShapeText} at [{DataBegin}, {DataEnd})";

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, DType, Shape.Length, DataBegin, DataEnd);
}
