// NpyFile: reads NumPy .npy arrays (format 1.0–3.0, C order, little-endian or byte-sized dtypes
// f4, f8, u1, i1, i2, i4, i8, b1) into float32 with their shape, and pairs of image/label arrays into ImageData
// (images (N, H, W), (N, C, H, W) or (N, H, W, C) with C ∈ {1, 3}; uint8 pixels are divided by 255).
using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Reader for NumPy's .npy format.</summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads <paramref name="path"/>: its shape, its element type code (e.g. "u1", "f4") and its values as float32 in C order.</summary>
    /// <exception cref="DataFormatException">Not an .npy file, Fortran order, a big-endian or unsupported dtype, or fewer bytes than the shape needs.</exception>
    public static (int[] Shape, string Type, float[] Values) Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataFormatException(path, null, $"cannot read the file ({e.Message}).", e); }
        return Parse(bytes, path);
    }

    internal static (int[] Shape, string Type, float[] Values) Parse(byte[] bytes, string name)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw new DataFormatException(name, null, "not an .npy file (bad magic).");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); headerStart = 10; }
        else if (major is 2 or 3 && bytes.Length >= 12) { headerLength = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8))); headerStart = 12; }
        else throw new DataFormatException(name, null, $"unsupported .npy version {major}.");
        if (headerLength > bytes.Length - headerStart) throw new DataFormatException(name, null, "the header runs past the end of the file.");
        string header = Encoding.UTF8.GetString(bytes, headerStart, headerLength);
        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success) throw new DataFormatException(name, null, $"malformed header '{header.Trim()}'.");
        if (order.Groups[1].Value == "True") throw new DataFormatException(name, null, "Fortran-ordered arrays are not supported.");
        string type = descr.Groups[1].Value;
        char endian = type[0];
        string code = type[1..];
        int size = code switch { "f4" or "i4" => 4, "f8" or "i8" => 8, "i2" => 2, "u1" or "i1" or "b1" => 1, _ => 0 };
        if (size == 0 || (size > 1 && endian == '>')) throw new DataFormatException(name, null, $"unsupported dtype '{type}' (little-endian f4, f8, i2, i4, i8, u1, i1, b1).");
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.TryParse(d, out int v) && v >= 0 ? v : throw new DataFormatException(name, null, $"bad dimension '{d}' in the shape.")).ToArray();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        int dataStart = headerStart + headerLength;
        if (count * size != bytes.Length - dataStart)
            throw new DataFormatException(name, null, $"shape ({string.Join(", ", shape)}) of {type} needs {count * size:N0} bytes, the file holds {bytes.Length - dataStart:N0}.");
        var values = new float[count];
        var data = bytes.AsSpan(dataStart);
        for (int i = 0; i < values.Length; i++)
            values[i] = code switch
            {
                "f4" => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
                "f8" => (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]),
                "i4" => BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
                "i8" => BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
                "i2" => BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]),
                "i1" => (sbyte)data[i],
                _ => data[i],
            };
        return (shape, code, values);
    }

    /// <summary>
    /// Images and integer labels from two .npy files: images (N, H, W), (N, C, H, W) or (N, H, W, C) with C ∈ {1, 3},
    /// returned as (N, C, H, W); uint8 pixels become v/255, float pixels are kept; labels must be integers in [0, classes).
    /// </summary>
    /// <exception cref="DataFormatException">Shapes disagree, a label is not an integer in [0, classes), or a pixel is NaN/∞.</exception>
    public static ImageData LoadImages(string imagesPath, string labelsPath, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var (shape, type, values) = Read(imagesPath);
        var (labelShape, _, labelValues) = Read(labelsPath);
        int n, c, h, w;
        bool channelsLast = false;
        switch (shape.Length)
        {
            case 3: (n, c, h, w) = (shape[0], 1, shape[1], shape[2]); break;
            case 4 when shape[1] is 1 or 3: (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3]); break;
            case 4 when shape[3] is 1 or 3: (n, c, h, w) = (shape[0], shape[3], shape[1], shape[2]); channelsLast = true; break;
            default: throw new DataFormatException(imagesPath, null, $"images must be (N, H, W), (N, C, H, W) or (N, H, W, C) with C of 1 or 3; got ({string.Join(", ", shape)}).");
        }
        if (labelShape.Length != 1 || labelShape[0] != n)
            throw new DataFormatException(labelsPath, null, $"labels must be ({n}) for {n} images; got ({string.Join(", ", labelShape)}).");
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            float v = labelValues[i];
            if (v != MathF.Floor(v) || v < 0 || v >= classes) throw new DataFormatException(labelsPath, null, $"label {v} of example {i} is not an integer in [0, {classes}).");
            labels[i] = (int)v;
        }
        float divisor = type == "u1" ? 255f : 1f;
        var images = new Tensor(n, c, h, w);
        var output = images.Span;
        int plane = h * w;
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) throw new DataFormatException(imagesPath, null, $"value {i} is {values[i]}.");
            // (N, H, W, C) → (N, C, H, W).
            int target = channelsLast ? (i / (plane * c)) * plane * c + (i % c) * plane + (i / c) % plane : i;
            output[target] = values[i] / divisor;
        }
        return new ImageData(images, labels, classes, $"NPY {Path.GetFileName(imagesPath)} ({n} images)");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([<>|=][a-z]\d+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
