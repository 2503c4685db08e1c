// SafetensorsHeaderParser: JSON header bytes → SafetensorsHeader, with every check the reference
// implementation makes (plus duplicate keys, which serde silently merges). Pure function of its input;
// any malformation becomes a SafetensorsFormatException naming the file and the entry at fault.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Unicode;

namespace TaskVectors.IO;

/// <summary>
/// Parses a header with <see cref="Utf8JsonReader"/> (strict JSON: no comments, no trailing commas,
/// nothing but whitespace after the object — the Rust writer pads with spaces) and validates it against
/// the data section: each entry has a known dtype, a shape of non-negative 32-bit dimensions and
/// <c>data_offsets</c> [begin, end] with end − begin = Π shape × dtype size; sorted by offset the entries
/// tile the data section exactly, with no overlap, no gap and no trailing bytes (the reference rejects
/// gaps and trailing bytes as "MetadataIncompleteBuffer"). Unknown fields inside an entry are skipped,
/// as serde does; duplicate tensor names, duplicate fields and duplicate metadata keys are errors.
/// </summary>
internal static class SafetensorsHeaderParser
{
    /// <summary>Largest header accepted, as in the reference; it bounds the allocation a corrupt size prefix can cause.</summary>
    internal const long MaxHeaderSize = 100_000_000;

    private const string MetadataKey = SafetensorsFormatException.MetadataKey;

    private readonly record struct Entry(string Name, SafetensorsDType DType, int[] Shape, ulong Begin, ulong End, int Order);

    /// <summary>Parses <paramref name="json"/> for a file whose data section holds <paramref name="dataLength"/> bytes.</summary>
    /// <exception cref="SafetensorsFormatException">The header is malformed or does not match the data section.</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string filePath)
    {
        // Checked up front so every string the reader hands back is well-formed, as serde's from_utf8 demands.
        if (!Utf8.IsValid(json)) throw Fail(filePath, null, "the header is not valid UTF-8.");

        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        bool sawMetadata = false;
        string? current = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw Fail(filePath, null, "the header is not a JSON object.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                current = reader.GetString()!;
                reader.Read();
                if (current == MetadataKey)
                {
                    if (sawMetadata) throw Fail(filePath, current, "the key appears twice in the header.");
                    sawMetadata = true;
                    metadata = ReadMetadata(ref reader, filePath);
                }
                else
                {
                    // Bounded before the entry is kept, so a header of millions of tiny entries costs little to refuse.
                    if (entries.Count == SafetensorsFile.MaxTensorCount)
                        throw Fail(filePath, null, $"the header lists more than {SafetensorsFile.MaxTensorCount} tensors, the most this library opens.");
                    if (!names.Add(current)) throw Fail(filePath, current, "duplicate tensor name in the header.");
                    entries.Add(ReadEntry(ref reader, current, entries.Count, filePath));
                }
                current = null;
            }
            // Anything but whitespace after the root object makes Read throw; the reference rejects it too.
            if (reader.Read()) throw Fail(filePath, null, "unexpected content after the header object.");
        }
        catch (JsonException e)
        {
            throw Fail(filePath, current, $"invalid JSON in the header: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on escapes that decode to lone surrogates ("\ud800") lands here.
            throw Fail(filePath, current, $"invalid JSON string in the header: {e.Message}", e);
        }

        var tensors = Validate(entries, dataLength, filePath);
        return new SafetensorsHeader(tensors, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private static Dictionary<string, string>? ReadMetadata(ref Utf8JsonReader reader, string filePath)
    {
        if (reader.TokenType == JsonTokenType.Null) return null; // serde reads null as an absent Option.
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Fail(filePath, MetadataKey, "must be a JSON object mapping strings to strings.");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw Fail(filePath, MetadataKey, $"the value of key '{key}' is {reader.TokenType}, not a string.");
            if (!map.TryAdd(key, reader.GetString()!))
                throw Fail(filePath, MetadataKey, $"key '{key}' appears twice.");
        }
        return map;
    }

    private static Entry ReadEntry(ref Utf8JsonReader reader, string name, int order, string filePath)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Fail(filePath, name, "the entry is not a JSON object with dtype, shape and data_offsets.");
        string? dtypeName = null;
        int[]? shape = null;
        ulong[]? offsets = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // Field names are compared in place: no string per field, so a header of many entries stays cheap to parse.
            int field = reader.ValueTextEquals("dtype"u8) ? 0 : reader.ValueTextEquals("shape"u8) ? 1 : reader.ValueTextEquals("data_offsets"u8) ? 2 : -1;
            reader.Read();
            switch (field)
            {
                case 0:
                    if (dtypeName is not null) throw Fail(filePath, name, "field 'dtype' appears twice.");
                    if (reader.TokenType != JsonTokenType.String) throw Fail(filePath, name, "'dtype' is not a string.");
                    dtypeName = reader.GetString()!;
                    break;
                case 1:
                    if (shape is not null) throw Fail(filePath, name, "field 'shape' appears twice.");
                    shape = ReadShape(ref reader, name, filePath);
                    break;
                case 2:
                    if (offsets is not null) throw Fail(filePath, name, "field 'data_offsets' appears twice.");
                    offsets = ReadOffsets(ref reader, name, filePath);
                    break;
                default:
                    reader.Skip(); // serde ignores unknown fields of TensorInfo; so do we.
                    break;
            }
        }
        if (dtypeName is null) throw Fail(filePath, name, "the entry has no 'dtype'.");
        if (shape is null) throw Fail(filePath, name, "the entry has no 'shape'.");
        if (offsets is null) throw Fail(filePath, name, "the entry has no 'data_offsets'.");
        if (!SafetensorsDTypeExtensions.TryParseHeaderName(dtypeName, out var dtype))
            throw Fail(filePath, name, $"unknown dtype '{dtypeName}'.");
        return new Entry(name, dtype, shape, offsets[0], offsets[1], order);
    }

    private static int[] ReadShape(ref Utf8JsonReader reader, string name, string filePath)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw Fail(filePath, name, "'shape' is not an array.");
        var dims = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong d))
                throw Fail(filePath, name, "'shape' holds something other than a non-negative integer.");
            // Tensor shapes are int throughout the library; a larger dimension cannot be loaded anyway.
            if (d > int.MaxValue) throw Fail(filePath, name, $"shape dimension {d} exceeds {int.MaxValue}, the largest this library supports.");
            dims.Add((int)d);
        }
        return [.. dims];
    }

    private static ulong[] ReadOffsets(ref Utf8JsonReader reader, string name, string filePath)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw Fail(filePath, name, "'data_offsets' is not an array.");
        var offsets = new ulong[2];
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong o))
                throw Fail(filePath, name, "'data_offsets' holds something other than a non-negative integer.");
            if (count < 2) offsets[count] = o;
            count++;
        }
        if (count != 2) throw Fail(filePath, name, $"'data_offsets' has {count} numbers, not [begin, end].");
        return offsets;
    }

    private static SafetensorsTensorInfo[] Validate(List<Entry> entries, long dataLength, string filePath)
    {
        foreach (var e in entries)
        {
            if (e.Begin > e.End) throw Fail(filePath, e.Name, $"data_offsets [{e.Begin}, {e.End}] end before they begin.");
            if (e.End > (ulong)dataLength)
                throw Fail(filePath, e.Name, $"data_offsets [{e.Begin}, {e.End}] lie outside the data section of {dataLength} bytes.");
            ulong bytes = ExpectedBytes(e, filePath);
            if (bytes != e.End - e.Begin)
                throw Fail(filePath, e.Name,
                    $"data_offsets [{e.Begin}, {e.End}] hold {e.End - e.Begin} bytes but shape {Shape(e.Shape)} of {e.DType.GetHeaderName()} needs {bytes}.");
        }

        // The reference sorts by offsets and demands that the tensors tile [0, dataLength) exactly.
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ThenBy(e => e.Order).ToArray();
        ulong cursor = 0;
        string? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < cursor)
                throw Fail(filePath, e.Name, $"data_offsets [{e.Begin}, {e.End}] overlap tensor '{previous}', which ends at {cursor}.");
            if (e.Begin > cursor)
                throw Fail(filePath, e.Name, $"data bytes [{cursor}, {e.Begin}) before this tensor belong to no tensor.");
            cursor = e.End;
            previous = e.Name;
        }
        if (cursor != (ulong)dataLength)
            throw Fail(filePath, null, $"the tensors cover {cursor} of the {dataLength} bytes of the data section; the rest belongs to no tensor.");

        return Array.ConvertAll(sorted, e => new SafetensorsTensorInfo(e.Name, e.DType, ImmutableArray.Create(e.Shape), (long)e.Begin, (long)e.End));
    }

    // Π shape × bits / 8 with the reference's overflow and whole-byte checks.
    private static ulong ExpectedBytes(Entry e, string filePath)
    {
        try
        {
            ulong elements = 1;
            foreach (int d in e.Shape) elements = checked(elements * (ulong)d);
            if (elements == 0) CheckEmptyShape(e, filePath);
            ulong bits = checked(elements * (ulong)e.DType.GetBitSize());
            if (bits % 8 != 0)
                throw Fail(filePath, e.Name, $"shape {Shape(e.Shape)} of {e.DType.GetHeaderName()} is {bits} bits, not a whole number of bytes.");
            return bits / 8;
        }
        catch (OverflowException)
        {
            throw Fail(filePath, e.Name, $"the size of shape {Shape(e.Shape)} of {e.DType.GetHeaderName()} overflows 64 bits.");
        }
    }

    // A Tensor checks the running product of its shape; a zero dimension must not come after one beyond Array.MaxLength.
    // (For a shape with elements, a too-large product is a NotSupportedException when the tensor is read.)
    private static void CheckEmptyShape(Entry e, string filePath)
    {
        ulong running = 1;
        foreach (int d in e.Shape)
        {
            if (d == 0) return;
            running *= (ulong)d;
            if (running > (ulong)Array.MaxLength)
                throw Fail(filePath, e.Name, $"shape {Shape(e.Shape)} has no elements, but the product of its dimensions before the first 0 exceeds {Array.MaxLength}; no Tensor has that shape.");
        }
    }

    private static string Shape(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static SafetensorsFormatException Fail(string filePath, string? name, string detail, Exception? inner = null) =>
        new(filePath, name, detail, inner);
}
