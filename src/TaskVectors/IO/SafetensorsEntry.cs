// SafetensorsEntry: one named tensor for SafetensorsWriter, either float32 (a Tensor, dtype F32) or
// float64 (a double buffer and its shape, dtype F64). The data is referenced, not copied.
using System.Collections.Immutable;
using TaskVectors.Tensors;

namespace TaskVectors.IO;

/// <summary>
/// A tensor to write: its name, dtype (<see cref="SafetensorsDType.F32"/> or <see cref="SafetensorsDType.F64"/>),
/// shape and row-major values. Create one with <see cref="FromSingles"/> or <see cref="FromDoubles"/>.
/// </summary>
internal sealed class SafetensorsEntry
{
    private SafetensorsEntry(string name, SafetensorsDType dtype, ImmutableArray<int> shape, Tensor? singles, ReadOnlyMemory<double> doubles)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Singles = singles;
        Doubles = doubles;
    }

    /// <summary>The tensor's key in the header.</summary>
    public string Name { get; }

    /// <summary>The stored element type: F32 or F64.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public ImmutableArray<int> Shape { get; }

    /// <summary>Number of elements, Π <see cref="Shape"/>.</summary>
    public long ElementCount => DType == SafetensorsDType.F32 ? Singles!.Length : Doubles.Length;

    /// <summary>Bytes of data the entry occupies in the file.</summary>
    public long ByteLength => ElementCount * (DType.GetBitSize() / 8);

    internal Tensor? Singles { get; }

    internal ReadOnlyMemory<double> Doubles { get; }

    /// <summary>A float32 entry holding <paramref name="tensor"/> (not copied) with its shape.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SafetensorsEntry FromSingles(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        return new SafetensorsEntry(name, SafetensorsDType.F32, [.. tensor.Shape], tensor, default);
    }

    /// <summary>A float64 entry of shape <paramref name="shape"/> holding <paramref name="data"/> (not copied).</summary>
    /// <exception cref="ArgumentException">A dimension is negative, or Π shape differs from the data's length.</exception>
    public static SafetensorsEntry FromDoubles(string name, ReadOnlyMemory<double> data, params ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}': dimension {d} is negative.", nameof(shape));
            count *= d;
            if (count > Array.MaxLength) throw new ArgumentException($"Tensor '{name}': shape {Tensor.ShapeString(shape)} is too large.", nameof(shape));
        }
        if (count != data.Length)
            throw new ArgumentException($"Tensor '{name}': shape {Tensor.ShapeString(shape)} holds {count} elements but the data has {data.Length}.", nameof(data));
        return new SafetensorsEntry(name, SafetensorsDType.F64, [.. shape], null, data);
    }
}
