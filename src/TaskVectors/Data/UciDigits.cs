// UciDigits: reads the UCI optical-recognition digits (scikit-learn's digits.csv.gz: per line 64
// pixel values 0..16 of an 8×8 image, then the label) into images (N, 1, 8, 8) scaled to [0, 1].
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Loader for the 8×8 UCI handwritten digits in scikit-learn's CSV layout (gzip or plain).</summary>
public static class UciDigits
{
    /// <summary>Pixels per image (8×8).</summary>
    public const int Pixels = 64;

    /// <summary>Reads every example of <paramref name="path"/>: images (N, 1, 8, 8) with pixel/16, labels 0..9.</summary>
    /// <remarks>
    /// A name ending in ".gz" is read as single-member gzip (as gzip and Python write it) and checked in full before
    /// any line is parsed: the magic bytes, the deflate stream, and the trailer's CRC-32 and length, so a truncated
    /// or damaged file is an error rather than fewer images.
    /// </remarks>
    /// <exception cref="InvalidDataException">
    /// A line does not have 65 integer fields, a pixel is outside 0..16, or a label outside 0..9; or a ".gz" file is not
    /// gzip, or is truncated or corrupt. The message starts with "{path}:{line}:".
    /// </exception>
    /// <exception cref="IOException">The file cannot be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static ImageData Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = File.ReadAllBytes(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) bytes = Gunzip(bytes, path);
        using var text = new StreamReader(new MemoryStream(bytes));
        var pixels = new List<float>();
        var labels = new List<int>();
        int lineNumber = 0;
        string? line;
        while ((line = text.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != Pixels + 1)
                throw new InvalidDataException($"{path}:{lineNumber}: expected {Pixels + 1} comma-separated fields, found {fields.Length}.");
            for (int i = 0; i <= Pixels; i++)
            {
                if (!int.TryParse(fields[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new InvalidDataException($"{path}:{lineNumber}: field {i + 1} '{fields[i]}' is not an integer.");
                if (i < Pixels)
                {
                    if (v is < 0 or > 16) throw new InvalidDataException($"{path}:{lineNumber}: pixel {i} is {v}, outside 0..16.");
                    pixels.Add(v / 16f);
                }
                else
                {
                    if (v is < 0 or > 9) throw new InvalidDataException($"{path}:{lineNumber}: label {v} is outside 0..9.");
                    labels.Add(v);
                }
            }
        }
        if (labels.Count == 0) throw new InvalidDataException($"{path}: no examples.");
        return new ImageData(new Tensor([.. pixels], labels.Count, 1, 8, 8), [.. labels], 10, $"UCI digits ({Path.GetFileName(path)}, {labels.Count} images)");
    }

    // The decompressed bytes of a single-member gzip file, checked against its trailer (RFC 1952: CRC-32 and length
    // mod 2³²). GZipStream alone ends quietly at a truncation that falls between deflate blocks.
    private static byte[] Gunzip(byte[] gzip, string path)
    {
        const int HeaderAndTrailer = 18;
        if (gzip.Length < 2 || gzip[0] != 0x1f || gzip[1] != 0x8b)
            throw new InvalidDataException($"{path}:1: the file is not gzip data (it does not start with the bytes 1f 8b), although its name ends in .gz.");
        using var output = new MemoryStream(gzip.Length * 4);
        try
        {
            using var inflate = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
            inflate.CopyTo(output);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}:{LineAt(output)}: the gzip data is corrupt after {output.Length} decompressed bytes ({e.Message}).", e);
        }
        byte[] data = output.ToArray();
        if (gzip.Length < HeaderAndTrailer)
            throw new InvalidDataException($"{path}:{LineAt(output)}: the gzip file is {gzip.Length} bytes, too short to hold a header and trailer; it is truncated.");
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(gzip.AsSpan(gzip.Length - 8));
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(gzip.AsSpan(gzip.Length - 4));
        if (length != (uint)data.Length || crc != Crc32(data))
            throw new InvalidDataException(
                $"{path}:{LineAt(output)}: the gzip data is truncated or corrupt: its trailer records {length} bytes with CRC-32 {crc:x8}, " +
                $"but it decompresses to {data.Length} bytes with CRC-32 {Crc32(data):x8}.");
        return data;
    }

    // The 1-based line the decompressed text had reached.
    private static long LineAt(MemoryStream text) => text.GetBuffer().AsSpan(0, (int)text.Length).Count((byte)'\n') + 1;

    // CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), as gzip's trailer records it.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var table = CrcTable.Value;
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static readonly Lazy<uint[]> CrcTable = new(() =>
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    });
}
