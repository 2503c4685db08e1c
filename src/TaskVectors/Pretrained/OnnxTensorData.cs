// OnnxTensorData: the values of an ONNX TensorProto (float32 or int64, raw little-endian bytes or the
// typed repeated fields) and its shape as int dims.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Onnx;

namespace TaskVectors.Pretrained;

/// <summary>Reads initializer and Constant values.</summary>
internal static class OnnxTensorData
{
    public const int Float = (int)TensorProto.Types.DataType.Float;
    public const int Int64 = (int)TensorProto.Types.DataType.Int64;
    public const int Int32 = (int)TensorProto.Types.DataType.Int32;

    /// <summary>The dims as ints (each must fit).</summary>
    public static int[] Shape(TensorProto tensor) => [.. tensor.Dims.Select(d => checked((int)d))];

    public static string Describe(TensorProto tensor) =>
        $"{tensor.Name} [{string.Join(", ", tensor.Dims)}] {(TensorProto.Types.DataType)tensor.DataType}";

    /// <summary>The element count the dims promise.</summary>
    public static long Count(TensorProto tensor) => tensor.Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>float32 values, in the stored (row-major) order.</summary>
    /// <exception cref="InvalidDataException">Not float32, or fewer/more values than the dims say.</exception>
    public static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != Float) throw new InvalidDataException($"ONNX tensor '{tensor.Name}' is {(TensorProto.Types.DataType)tensor.DataType}, not float32.");
        long count = Count(tensor);
        float[] values;
        if (tensor.RawData.Length > 0)
        {
            if (tensor.RawData.Length != count * sizeof(float))
                throw new InvalidDataException($"ONNX tensor '{tensor.Name}' holds {tensor.RawData.Length} bytes; its dims [{string.Join(", ", tensor.Dims)}] need {count * sizeof(float)}.");
            values = new float[count];
            var bytes = tensor.RawData.Span;
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
            else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        }
        else
        {
            if (tensor.FloatData.Count != count)
                throw new InvalidDataException($"ONNX tensor '{tensor.Name}' holds {tensor.FloatData.Count} floats; its dims [{string.Join(", ", tensor.Dims)}] need {count}.");
            values = [.. tensor.FloatData];
        }
        return values;
    }

    /// <summary>Integer values (int64 or int32), or null for any other type.</summary>
    public static long[]? Integers(TensorProto tensor)
    {
        long count = Count(tensor);
        if (tensor.DataType == Int64)
        {
            if (tensor.RawData.Length > 0)
                return tensor.RawData.Length == count * 8 ? [.. Enumerable.Range(0, (int)count).Select(i => BinaryPrimitives.ReadInt64LittleEndian(tensor.RawData.Span[(8 * i)..]))] : null;
            return tensor.Int64Data.Count == count ? [.. tensor.Int64Data] : null;
        }
        if (tensor.DataType == Int32)
        {
            if (tensor.RawData.Length > 0)
                return tensor.RawData.Length == count * 4 ? [.. Enumerable.Range(0, (int)count).Select(i => (long)BinaryPrimitives.ReadInt32LittleEndian(tensor.RawData.Span[(4 * i)..]))] : null;
            return tensor.Int32Data.Count == count ? [.. tensor.Int32Data.Select(v => (long)v)] : null;
        }
        return null;
    }

    /// <summary>The single float32 value of a scalar or one-element tensor, or null.</summary>
    public static float? Scalar(TensorProto tensor) =>
        tensor.DataType == Float && Count(tensor) == 1 ? Floats(tensor)[0] : null;
}
