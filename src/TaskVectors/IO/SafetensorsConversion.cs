// SafetensorsConversion: stored little-endian elements (F32, F16, BF16, F64) → float32 or float64, n elements.
// Fast kernels reinterpret the bytes in place on little-endian machines (memcpy, TensorPrimitives, a
// Vector256/128 widening for BF16); the naive twin decodes element by element with BinaryPrimitives
// and is the big-endian path and the tests' reference.
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.IO;

/// <summary>Decodes safetensors element bytes into float32 or float64.</summary>
internal static unsafe class SafetensorsConversion
{
    /// <summary>
    /// Decodes <c>destination.Length</c> elements of <paramref name="dtype"/> starting at <paramref name="source"/>:
    /// F32 copied, F16 widened exactly, BF16 placed in the high 16 bits of a float32 (exact), F64 rounded
    /// to nearest float32. <paramref name="source"/> need not be aligned.
    /// </summary>
    public static void ToSingle(SafetensorsDType dtype, byte* source, Span<float> destination)
    {
        int n = destination.Length;
        if (!BitConverter.IsLittleEndian)
        {
            ToSingleReference(dtype, source, destination);
            return;
        }
        switch (dtype)
        {
            case SafetensorsDType.F32:
                new ReadOnlySpan<float>(source, n).CopyTo(destination);
                break;
            case SafetensorsDType.F16:
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, n), destination);
                break;
            case SafetensorsDType.BF16:
                BFloat16ToSingle(new ReadOnlySpan<ushort>(source, n), destination);
                break;
            case SafetensorsDType.F64:
                TensorPrimitives.ConvertTruncating<double, float>(new ReadOnlySpan<double>(source, n), destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not convertible to float32.");
        }
    }

    /// <summary>The naive twin of <see cref="ToSingle"/>: one little-endian element at a time, any host byte order.</summary>
    public static void ToSingleReference(SafetensorsDType dtype, byte* source, Span<float> destination)
    {
        int size = dtype.GetBitSize() / 8;
        for (int i = 0; i < destination.Length; i++)
        {
            // A span per element keeps byte offsets in int range for tensors over 2 GB.
            var e = new ReadOnlySpan<byte>(source + (long)i * size, size);
            destination[i] = dtype switch
            {
                SafetensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(e),
                SafetensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(e),
                SafetensorsDType.BF16 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(e) << 16),
                SafetensorsDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(e),
                _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not convertible to float32."),
            };
        }
    }

    /// <summary>
    /// Decodes <c>destination.Length</c> elements of <paramref name="dtype"/> into float64, exactly: F64 copied,
    /// F32 and F16 widened, BF16 widened through float32 (bfloat16 ⊂ float32 ⊂ float64).
    /// <paramref name="source"/> need not be aligned.
    /// </summary>
    public static void ToDouble(SafetensorsDType dtype, byte* source, Span<double> destination)
    {
        int n = destination.Length;
        if (!BitConverter.IsLittleEndian)
        {
            ToDoubleReference(dtype, source, destination);
            return;
        }
        switch (dtype)
        {
            case SafetensorsDType.F64:
                new ReadOnlySpan<double>(source, n).CopyTo(destination);
                break;
            case SafetensorsDType.F32:
                TensorPrimitives.ConvertTruncating<float, double>(new ReadOnlySpan<float>(source, n), destination);
                break;
            case SafetensorsDType.F16:
                TensorPrimitives.ConvertTruncating<Half, double>(new ReadOnlySpan<Half>(source, n), destination);
                break;
            case SafetensorsDType.BF16:
                var bits = new ReadOnlySpan<ushort>(source, n);
                for (int i = 0; i < n; i++) destination[i] = BitConverter.UInt32BitsToSingle((uint)bits[i] << 16);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not convertible to float64.");
        }
    }

    /// <summary>The naive twin of <see cref="ToDouble"/>: one little-endian element at a time, any host byte order.</summary>
    public static void ToDoubleReference(SafetensorsDType dtype, byte* source, Span<double> destination)
    {
        int size = dtype.GetBitSize() / 8;
        for (int i = 0; i < destination.Length; i++)
        {
            var e = new ReadOnlySpan<byte>(source + (long)i * size, size);
            destination[i] = dtype switch
            {
                SafetensorsDType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(e),
                SafetensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(e),
                SafetensorsDType.F16 => (double)BinaryPrimitives.ReadHalfLittleEndian(e),
                SafetensorsDType.BF16 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(e) << 16),
                _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not convertible to float64."),
            };
        }
    }

    /// <summary>bits(y[i]) = bits(x[i]) &lt;&lt; 16: bfloat16 is the upper half of a float32, so widening is exact.</summary>
    public static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        int n = source.Length;
        if (destination.Length < n) throw new ArgumentException("Destination is shorter than source.", nameof(destination));
        ref ushort src = ref MemoryMarshal.GetReference(source);
        ref uint dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref src, (nuint)i));
                Vector256.ShiftLeft(lower, 16).StoreUnsafe(ref dst, (nuint)i);
                Vector256.ShiftLeft(upper, 16).StoreUnsafe(ref dst, (nuint)(i + Vector256<uint>.Count));
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= n - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref src, (nuint)i));
                Vector128.ShiftLeft(lower, 16).StoreUnsafe(ref dst, (nuint)i);
                Vector128.ShiftLeft(upper, 16).StoreUnsafe(ref dst, (nuint)(i + Vector128<uint>.Count));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = (uint)Unsafe.Add(ref src, i) << 16;
    }
}
