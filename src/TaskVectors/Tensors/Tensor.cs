// Tensor: a dense float32 tensor in row-major order, a shape over a contiguous run of a float[].
// Views (Reshape, Rows) share storage with their source and never copy.
using System.Runtime.CompilerServices;

namespace TaskVectors.Tensors;

/// <summary>
/// A dense, row-major float32 tensor. Element (i0, …, i(r−1)) lives at
/// offset + Σ_k i_k · Π_{j&gt;k} shape[j] of the backing array. Tensors never need disposing.
/// </summary>
public sealed class Tensor
{
    private readonly float[] _data;
    private readonly int _offset;
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the element count overflows.</exception>
    public Tensor(params ReadOnlySpan<int> shape)
    {
        _shape = shape.ToArray();
        Length = CheckedLength(_shape, nameof(shape));
        _data = Length == 0 ? [] : new float[Length];
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from <c>data.Length</c>.</exception>
    public Tensor(float[] data, params ReadOnlySpan<int> shape)
        : this(data, 0, CheckWraps(data, shape))
    {
    }

    private static int[] CheckWraps(float[] data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int length = CheckedLength(shape);
        if (length != data.Length)
            throw new ArgumentException($"Shape {ShapeString(shape)} holds {length} elements but the array has {data.Length}.", nameof(shape));
        return shape.ToArray();
    }

    private Tensor(float[] data, int offset, int[] shape)
    {
        _data = data;
        _offset = offset;
        _shape = shape;
        Length = CheckedLength(shape, nameof(shape));
        if ((long)offset + Length > data.Length)
            throw new ArgumentException($"A view of {Length} elements at offset {offset} exceeds the backing array of {data.Length}.");
    }

    /// <summary>Number of elements, Π shape.</summary>
    public int Length { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The elements in row-major order.</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_data, _offset, Length);
    }

    /// <summary>The elements as <see cref="Memory{T}"/> (for APIs that cannot take spans).</summary>
    public Memory<float> Memory => new(_data, _offset, Length);

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    /// <summary>Element at flat (row-major) index <paramref name="index"/>.</summary>
    public ref float this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)Length) ThrowIndex(index);
            return ref _data[_offset + index];
        }
    }

    /// <summary>Element (i, j) of a rank-2 tensor.</summary>
    public ref float this[int i, int j]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_shape.Length != 2 || (uint)i >= (uint)_shape[0] || (uint)j >= (uint)_shape[1]) ThrowIndex(i, j);
            return ref _data[_offset + i * _shape[1] + j];
        }
    }

    /// <summary>Element (i, j, k) of a rank-3 tensor.</summary>
    public ref float this[int i, int j, int k]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_shape.Length != 3 || (uint)i >= (uint)_shape[0] || (uint)j >= (uint)_shape[1] || (uint)k >= (uint)_shape[2]) ThrowIndex(i, j, k);
            return ref _data[_offset + (i * _shape[1] + j) * _shape[2] + k];
        }
    }

    /// <summary>
    /// A view with the same elements and a new shape (no copy). One dimension may be −1 and is inferred.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ or more than one dimension is −1.</exception>
    public Tensor Reshape(params ReadOnlySpan<int> shape)
    {
        int[] s = shape.ToArray();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException("Only one dimension may be -1.", nameof(shape));
                infer = i;
            }
            else if (s[i] < 0) throw new ArgumentException($"Dimension {i} is {s[i]}.", nameof(shape));
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0)
                throw new ArgumentException($"Cannot infer a dimension of {ShapeString(s)} from {Length} elements.", nameof(shape));
            s[infer] = (int)(Length / known);
        }
        else if (known != Length)
            throw new ArgumentException($"Cannot reshape {ShapeString(_shape)} ({Length} elements) to {ShapeString(s)}.", nameof(shape));
        return new Tensor(_data, _offset, s);
    }

    /// <summary>A view of <paramref name="count"/> consecutive entries along dimension 0, starting at <paramref name="start"/>.</summary>
    public Tensor Rows(int start, int count)
    {
        if (_shape.Length == 0) throw new InvalidOperationException("A scalar has no rows.");
        if (start < 0 || count < 0 || start + count > _shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside dimension 0 of size {_shape[0]}.");
        int[] s = (int[])_shape.Clone();
        s[0] = count;
        int rowSize = _shape[0] == 0 ? 0 : Length / _shape[0];
        return new Tensor(_data, _offset + start * rowSize, s);
    }

    /// <summary>Whether this tensor's shape equals <paramref name="shape"/>.</summary>
    public bool HasShape(params ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

    /// <summary>
    /// Returns <paramref name="tensor"/> when it already has <paramref name="shape"/>, else stores and returns a
    /// new zero tensor of that shape: the workspace idiom that keeps repeated steps allocation-free.
    /// </summary>
    public static Tensor Ensure(ref Tensor? tensor, params ReadOnlySpan<int> shape)
    {
        if (tensor is null || !tensor.HasShape(shape)) tensor = new Tensor(shape);
        return tensor;
    }

    /// <summary>
    /// Like <see cref="Ensure"/> for the shape of <paramref name="like"/> with its last axis replaced by
    /// <paramref name="last"/>: the output workspace of a layer that maps (…, in) to (…, out).
    /// </summary>
    public static Tensor EnsureLastAxis(ref Tensor? tensor, Tensor like, int last)
    {
        if (tensor is not null && tensor.Rank == like.Rank && tensor._shape[^1] == last
            && like.Shape[..^1].SequenceEqual(tensor.Shape[..^1]))
            return tensor;
        Span<int> shape = stackalloc int[like.Rank];
        like.Shape.CopyTo(shape);
        shape[^1] = last;
        tensor = new Tensor(shape);
        return tensor;
    }

    /// <summary>A deep copy with its own storage.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(_shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor; the element counts must match.</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length != Length)
            throw new ArgumentException($"Cannot copy {ShapeString(source._shape)} into {ShapeString(_shape)}.", nameof(source));
        source.Span.CopyTo(Span);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>The shape written as "[d0, d1, …]".</summary>
    public string ShapeText => ShapeString(_shape);

    /// <inheritdoc />
    public override string ToString() => $"Tensor{ShapeText}";

    /// <summary>Formats a shape as "[d0, d1, …]".</summary>
    public static string ShapeString(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>Π shape, checked for negative dimensions and overflow of <see cref="int"/>.</summary>
    public static int CheckedLength(ReadOnlySpan<int> shape, string paramName = "shape")
    {
        long n = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0) throw new ArgumentException($"Dimension {i} of {ShapeString(shape)} is negative.", paramName);
            n *= shape[i];
            if (n > Array.MaxLength) throw new ArgumentException($"Shape {ShapeString(shape)} has more than {Array.MaxLength} elements.", paramName);
        }
        return (int)n;
    }

    private void ThrowIndex(params int[] index) =>
        throw new IndexOutOfRangeException($"Index {ShapeString(index)} is outside tensor {ShapeText}.");
}
