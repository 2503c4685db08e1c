// SafetensorsHeaderWriter: the 8-byte size prefix plus JSON header, byte for byte as the reference
// Rust serializer (serde_json, compact) emits it: __metadata__ first, then one entry per tensor in
// data order with fields dtype, shape, data_offsets; padded with spaces to a multiple of 8 bytes.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace TaskVectors.IO;

/// <summary>Builds a safetensors header for tensors laid out back to back in the given order.</summary>
internal static class SafetensorsHeaderWriter
{
    // Strict: a name with a lone surrogate has no UTF-8 form and must not be silently replaced.
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Returns the size prefix and header for tensors with the given names, dtypes and shapes, whose data
    /// follow in that order. Metadata keys are written in the order given (the reference writes a
    /// HashMap, so its key order is unspecified; one key, as PyTorch's {"format":"pt"}, matches exactly).
    /// </summary>
    public static byte[] Build(IReadOnlyList<(string Name, SafetensorsDType DType, int[] Shape)> tensors, IReadOnlyList<KeyValuePair<string, string>>? metadata)
    {
        var json = new StringBuilder(64 + 96 * tensors.Count);
        json.Append('{');
        bool first = true;
        if (metadata is not null)
        {
            json.Append("\"__metadata__\":{");
            for (int i = 0; i < metadata.Count; i++)
            {
                if (i > 0) json.Append(',');
                AppendString(json, metadata[i].Key);
                json.Append(':');
                AppendString(json, metadata[i].Value);
            }
            json.Append('}');
            first = false;
        }
        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            if (!first) json.Append(',');
            first = false;
            long bytes = dtype.GetBitSize() / 8; // Whole-byte dtypes only: the writer produces F32 and F64.
            foreach (int d in shape) bytes *= d; // Tensor guarantees Π shape ≤ Array.MaxLength.
            AppendString(json, name);
            json.Append(":{\"dtype\":\"").Append(dtype.GetHeaderName()).Append("\",\"shape\":[");
            json.AppendJoin(',', shape);
            json.Append("],\"data_offsets\":[");
            json.Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += bytes;
            json.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        json.Append('}');

        int jsonLength = StrictUtf8.GetByteCount(json.ToString());
        // Alignment: the data section then starts at a multiple of 8, so every dtype lies aligned.
        long padded = (jsonLength + 7L) / 8 * 8;
        if (padded > SafetensorsHeaderParser.MaxHeaderSize)
            throw new ArgumentException($"The header would be {padded} bytes, over the {SafetensorsHeaderParser.MaxHeaderSize}-byte limit readers accept.");
        var result = new byte[sizeof(ulong) + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        StrictUtf8.GetBytes(json.ToString(), result.AsSpan(sizeof(ulong)));
        result.AsSpan(sizeof(ulong) + jsonLength).Fill((byte)' ');
        return result;
    }

    /// <summary>Appends a JSON string escaped exactly as serde_json does: \" \\ \b \t \n \f \r, other controls as \u00xx, the rest verbatim.</summary>
    internal static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\t': json.Append("\\t"); break;
                case '\n': json.Append("\\n"); break;
                case '\f': json.Append("\\f"); break;
                case '\r': json.Append("\\r"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }
        json.Append('"');
    }
}
