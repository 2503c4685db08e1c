// SafetensorsWriter: float32 (and float64) tensors → a safetensors file, atomically. The bytes match
// what the reference implementation (and so safetensors.torch.save_file) writes for the same tensors:
// tensors sorted by descending dtype then by name, compact JSON header padded with spaces to 8 bytes,
// data back to back.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using TaskVectors.Tensors;

namespace TaskVectors.IO;

/// <summary>
/// Writes float32 tensors (dtype F32) and float64 buffers (dtype F64) as a safetensors file. The layout
/// follows the reference implementation: it sorts tensors by descending dtype alignment (F64 before F32),
/// then by name (ordinal on UTF-8 bytes, as Rust compares strings); the order of the input is therefore
/// not kept. The header lists <c>__metadata__</c> first, then the tensors in data order.
/// </summary>
/// <remarks>
/// <para>The file is written to a temporary file in the target's directory, flushed to disk, renamed over the
/// target, and the directory is flushed (on Unix) so that the rename survives a power loss too; readers see
/// either the old file or the complete new one. If anything fails — the tensor enumeration throws, the disk
/// fills — the temporary file is deleted and an existing target is left untouched. On Windows the rename fails
/// while the target is open (e.g. by a <see cref="SafetensorsFile"/>); on Linux and macOS open readers keep the
/// old contents.</para>
/// <para>Temporaries are named ".{up to 24 characters of the target's name}~{hash of the name}.{random}.tmp", at
/// most 55 characters whatever the target's length, so any target name the file system allows can be written. A
/// process killed mid-write leaves its (preallocated, full-size) temporary behind; the next write of the same
/// target deletes every temporary of that target that no live writer holds (a writer holds its temporary with
/// <see cref="FileShare.None"/>, an advisory lock on Unix).</para>
/// </remarks>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> and optional <paramref name="metadata"/> to <paramref name="path"/>.</summary>
    /// <param name="path">Target file; replaced atomically if it exists.</param>
    /// <param name="tensors">Named tensors; names must be distinct, non-empty strings other than "__metadata__".</param>
    /// <param name="metadata">The <c>__metadata__</c> string map, written with keys sorted ordinally; omitted when null.</param>
    /// <exception cref="ArgumentException">A name is null, empty, duplicated, reserved or not encodable as UTF-8; a tensor or metadata value is null.</exception>
    /// <exception cref="IOException">The file cannot be written (access denied included, with the <see cref="UnauthorizedAccessException"/> inside); the message names the target, which is unchanged.</exception>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors, metadata, afterTensor: null);

    /// <summary>Writes the entries of a dictionary (e.g. a model's named parameters); see the tuple overload.</summary>
    /// <exception cref="ArgumentException">A name is null, empty, duplicated, reserved or not encodable as UTF-8; a tensor or metadata value is null.</exception>
    /// <exception cref="IOException">The file cannot be written (access denied included); the message names the target, which is unchanged.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Write(path, tensors.Select(p => (p.Key, p.Value)), metadata, afterTensor: null);
    }

    /// <summary>
    /// Writes entries of any supported dtype (see <see cref="SafetensorsEntry"/>): F64 tensors first, then F32, each
    /// group by name, as the reference implementation lays them out.
    /// </summary>
    /// <exception cref="ArgumentException">A name is null, empty, duplicated, reserved or not encodable as UTF-8; an entry or metadata value is null.</exception>
    /// <exception cref="IOException">The file cannot be written (access denied included); the message names the target, which is unchanged.</exception>
    internal static void Write(string path, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null) =>
        WriteEntries(path, entries, metadata, afterTensor: null);

    /// <summary>The file's bytes, exactly as <see cref="Write(string, IEnumerable{ValueTuple{string, Tensor}}, IReadOnlyDictionary{string, string})"/> stores them.</summary>
    internal static byte[] Serialize(IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        SerializeEntries(Entries(tensors), metadata);

    /// <summary>The file's bytes, exactly as <see cref="Write(string, IEnumerable{SafetensorsEntry}, IReadOnlyDictionary{string, string})"/> stores them.</summary>
    internal static byte[] SerializeEntries(IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (header, ordered) = Prepare(entries, metadata);
        using var stream = new MemoryStream();
        WriteBody(stream, header, ordered, afterTensor: null);
        return stream.ToArray();
    }

    // afterTensor is a test seam: called after each tensor's data is written, to inject a mid-write failure.
    internal static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata, Action<string>? afterTensor) =>
        WriteEntries(path, Entries(tensors), metadata, afterTensor);

    // Tuples become F32 entries lazily, so a throwing enumeration still throws before any file exists.
    private static IEnumerable<SafetensorsEntry> Entries(IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null) throw new ArgumentException("A tensor name is null.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            yield return SafetensorsEntry.FromSingles(name, tensor);
        }
    }

    private static void WriteEntries(string path, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata, Action<string>? afterTensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        // Enumerated and validated before any file exists, so a throwing enumeration leaves nothing behind.
        var (header, ordered) = Prepare(entries, metadata);
        long total = header.Length + ordered.Sum(e => e.ByteLength);

        string directory = Path.GetDirectoryName(fullPath)!;
        RemoveStaleTemporaries(fullPath);
        string temporary = TemporaryPath(fullPath);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 1 << 16, // Small writes (header, tiny tensors) are batched; large ones go straight through.
                PreallocationSize = total,
            };
            using (var stream = new FileStream(temporary, options))
            {
                WriteBody(stream, header, ordered, afterTensor ?? AfterTensorForTesting);
                stream.Flush(flushToDisk: true); // Durable before the rename makes it visible.
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temporary); }
            catch (IOException) { } // Best effort; the original exception matters more.
            catch (UnauthorizedAccessException) { }
            if (e is UnauthorizedAccessException denied)
                throw new IOException($"Cannot write '{fullPath}': access denied ({denied.Message}).", denied);
            throw;
        }
        DirectorySync.Flush(directory);
    }

    // Test seam for kill-during-write tests (a child process pauses here mid-write); null in production.
    internal static Action<string>? AfterTensorForTesting;

    /// <summary>A new temporary path for <paramref name="fullPath"/>: ".{≤ 24 safe characters of the name}~{8 hex of its hash}.{8 random hex}.tmp".</summary>
    internal static string TemporaryPath(string fullPath) =>
        TemporaryStem(fullPath) + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)) + ".tmp";

    // The temporary names of one target share this stem; the hash of the full name keeps targets apart.
    private static string TemporaryStem(string fullPath)
    {
        string name = Path.GetFileName(fullPath);
        var safe = new StringBuilder(24);
        foreach (char c in name)
        {
            if (safe.Length == 24) break;
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }
        byte[] hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name));
        return Path.Combine(Path.GetDirectoryName(fullPath)!, $".{safe}~{Convert.ToHexStringLower(hash.AsSpan(0, 4))}.");
    }

    // Deletes the temporaries of this target that no writer holds: those of writes killed before their rename.
    // A live writer holds its temporary with FileShare.None, so opening it exclusively fails and it is left alone.
    internal static void RemoveStaleTemporaries(string fullPath)
    {
        string stem = TemporaryStem(fullPath);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(Path.GetDirectoryName(stem)!, Path.GetFileName(stem) + "*.tmp");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // The write itself will report a missing or unreadable directory.
        }
        foreach (string candidate in candidates)
        {
            try
            {
                using var stale = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Held by a live writer, or already gone: not ours to remove.
            }
        }
    }

    private static (byte[] Header, List<SafetensorsEntry> Ordered) Prepare(
        IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<(byte[] Utf8, SafetensorsEntry Entry)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry is null) throw new ArgumentException("An entry is null.", nameof(entries));
            string name = entry.Name;
            if (name.Length == 0) throw new ArgumentException("A tensor name is empty; safetensors names must be non-empty.", nameof(entries));
            if (name == SafetensorsFormatException.MetadataKey)
                throw new ArgumentException($"'{name}' is reserved for the metadata map and cannot name a tensor.", nameof(entries));
            if (!seen.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(entries));
            list.Add((Utf8Bytes(name, nameof(entries)), entry));
        }
        // The reference sorts by descending dtype (its enum order, which SafetensorsDType copies), then by
        // name; Rust orders String by UTF-8 bytes, and UTF-16 ordinal order differs above U+D7FF.
        list.Sort((a, b) =>
        {
            int byType = b.Entry.DType.CompareTo(a.Entry.DType);
            return byType != 0 ? byType : a.Utf8.AsSpan().SequenceCompareTo(b.Utf8);
        });

        List<KeyValuePair<string, string>>? meta = null;
        if (metadata is not null)
        {
            meta = [];
            foreach (var pair in metadata)
            {
                if (pair.Key is null || pair.Value is null)
                    throw new ArgumentException("A metadata key or value is null.", nameof(metadata));
                Utf8Bytes(pair.Key, nameof(metadata));
                Utf8Bytes(pair.Value, nameof(metadata));
                meta.Add(pair);
            }
            meta.Sort((a, b) => StringComparer.Ordinal.Compare(a.Key, b.Key));
        }

        var ordered = list.ConvertAll(e => e.Entry);
        var header = SafetensorsHeaderWriter.Build(ordered.ConvertAll(e => (e.Name, e.DType, e.Shape.ToArray())), meta);
        return (header, ordered);
    }

    private static void WriteBody(Stream stream, byte[] header, List<SafetensorsEntry> ordered, Action<string>? afterTensor)
    {
        stream.Write(header);
        byte[]? swap = BitConverter.IsLittleEndian ? null : new byte[1 << 16];
        foreach (var entry in ordered)
        {
            if (entry.DType == SafetensorsDType.F32)
            {
                if (swap is null) stream.Write(MemoryMarshal.AsBytes(entry.Singles!.Span));
                else WriteLittleEndian(stream, entry.Singles!.Span, swap);
            }
            else
            {
                if (swap is null) stream.Write(MemoryMarshal.AsBytes(entry.Doubles.Span));
                else WriteLittleEndian(stream, entry.Doubles.Span, swap);
            }
            afterTensor?.Invoke(entry.Name);
        }
    }

    // Big-endian hosts: the format is little-endian, so each element is byte-swapped through a buffer.
    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values, byte[] buffer)
    {
        int perChunk = buffer.Length / sizeof(float);
        for (int start = 0; start < values.Length; start += perChunk)
        {
            var chunk = values.Slice(start, Math.Min(perChunk, values.Length - start));
            for (int i = 0; i < chunk.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), chunk[i]);
            stream.Write(buffer, 0, chunk.Length * sizeof(float));
        }
    }

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<double> values, byte[] buffer)
    {
        int perChunk = buffer.Length / sizeof(double);
        for (int start = 0; start < values.Length; start += perChunk)
        {
            var chunk = values.Slice(start, Math.Min(perChunk, values.Length - start));
            for (int i = 0; i < chunk.Length; i++)
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(i * sizeof(double)), chunk[i]);
            stream.Write(buffer, 0, chunk.Length * sizeof(double));
        }
    }

    private static byte[] Utf8Bytes(string text, string paramName)
    {
        try
        {
            return SafetensorsHeaderWriter.StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"'{text}' contains a lone surrogate and has no UTF-8 form.", paramName, e);
        }
    }
}
