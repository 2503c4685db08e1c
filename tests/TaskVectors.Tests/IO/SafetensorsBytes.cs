// SafetensorsBytes: hand-assembles safetensors files for tests — 8-byte little-endian size, the JSON
// header exactly as written (optionally space-padded to 8 bytes like the Rust writer), then the data.
using System.Buffers.Binary;
using System.Text;

namespace TaskVectors.Tests.IO;

internal static class SafetensorsBytes
{
    /// <summary>Prefix + header + data; <paramref name="pad"/> appends spaces up to a multiple of 8, as the reference writer does.</summary>
    public static byte[] File(string json, byte[]? data = null, bool pad = true) => File(Encoding.UTF8.GetBytes(json), data, pad);

    public static byte[] File(byte[] header, byte[]? data = null, bool pad = true)
    {
        data ??= [];
        int padded = pad ? (header.Length + 7) / 8 * 8 : header.Length;
        var file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }

    /// <summary>A file whose size prefix says <paramref name="headerSize"/> whatever follows.</summary>
    public static byte[] WithPrefix(ulong headerSize, byte[] rest)
    {
        var file = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, headerSize);
        rest.CopyTo(file, 8);
        return file;
    }

    public static byte[] Singles(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static byte[] Doubles(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    /// <summary>16-bit elements (F16 or BF16 bit patterns), little-endian.</summary>
    public static byte[] UInt16s(params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
