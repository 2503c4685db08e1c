// SafetensorsStreamWriter: an F32 safetensors file written one tensor at a time, for outputs too large to hold
// at once (a streamed merge). The layout (names and shapes) is declared up front so the header can be written
// first; tensors then come in the file's order (by name, UTF-8 bytes, as the reference sorts one dtype), and the
// file appears under its name only at Commit: temporary file, fsync, rename. Bytes equal SafetensorsWriter's.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using TaskVectors.Tensors;

namespace TaskVectors.IO;

/// <summary>
/// Writes a float32 safetensors file incrementally and atomically: <see cref="Create"/> writes the header of the declared
/// tensors to a temporary file, <see cref="Write"/> appends each tensor's data in <see cref="Order"/>, <see cref="Commit"/>
/// flushes to disk and renames over the target. Disposing without committing deletes the temporary file and leaves the
/// target as it was.
/// </summary>
internal sealed class SafetensorsStreamWriter : IDisposable
{
    private readonly string _target;
    private readonly string _temporary;
    private readonly (string Name, int[] Shape)[] _order;
    private FileStream? _stream;
    private int _next;
    private bool _committed;

    private SafetensorsStreamWriter(string target, string temporary, (string Name, int[] Shape)[] order, FileStream stream)
    {
        _target = target;
        _temporary = temporary;
        _order = order;
        _stream = stream;
    }

    /// <summary>The tensors in the order <see cref="Write"/> must receive them (ordinal on UTF-8 bytes of the names).</summary>
    public IReadOnlyList<(string Name, int[] Shape)> Order => _order;

    /// <summary>The index in <see cref="Order"/> of the next tensor to write.</summary>
    public int Written => _next;

    /// <summary>Declares the tensors, writes the header to a temporary file beside <paramref name="path"/> and returns the writer.</summary>
    /// <exception cref="ArgumentException">A name is empty, duplicated, reserved or has no UTF-8 form, a shape has a negative size, or metadata holds null.</exception>
    /// <exception cref="IOException">The temporary file cannot be created.</exception>
    public static SafetensorsStreamWriter Create(string path, IEnumerable<(string Name, int[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<(byte[] Utf8, string Name, int[] Shape)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A tensor name is null or empty.", nameof(tensors));
            if (name == SafetensorsFormatException.MetadataKey) throw new ArgumentException($"'{name}' is reserved for the metadata map.", nameof(tensors));
            if (!seen.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            ArgumentNullException.ThrowIfNull(shape, nameof(tensors));
            Tensor.CheckedLength(shape, nameof(tensors));
            list.Add((Utf8(name), name, [.. shape]));
        }
        list.Sort((a, b) => a.Utf8.AsSpan().SequenceCompareTo(b.Utf8));
        List<KeyValuePair<string, string>>? meta = null;
        if (metadata is not null)
        {
            meta = [];
            foreach (var pair in metadata)
            {
                if (pair.Key is null || pair.Value is null) throw new ArgumentException("A metadata key or value is null.", nameof(metadata));
                Utf8(pair.Key);
                Utf8(pair.Value);
                meta.Add(pair);
            }
            meta.Sort((a, b) => StringComparer.Ordinal.Compare(a.Key, b.Key));
        }
        var order = list.Select(e => (e.Name, e.Shape)).ToArray();
        byte[] header = SafetensorsHeaderWriter.Build([.. order.Select(e => (e.Name, SafetensorsDType.F32, e.Shape))], meta);
        long total = header.Length + order.Sum(e => (long)Tensor.CheckedLength(e.Shape) * sizeof(float));

        string fullPath = Path.GetFullPath(path);
        SafetensorsWriter.RemoveStaleTemporaries(fullPath);
        string temporary = SafetensorsWriter.TemporaryPath(fullPath);   // the same short names and stale cleanup as the plain writer
        var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, PreallocationSize = total,
        });
        try
        {
            stream.Write(header);
        }
        catch
        {
            stream.Dispose();
            TryDelete(temporary);
            throw;
        }
        return new SafetensorsStreamWriter(fullPath, temporary, order, stream);
    }

    /// <summary>Appends the data of tensor <paramref name="name"/>, which must be the next one in <see cref="Order"/>.</summary>
    /// <exception cref="InvalidOperationException">The name is not the next expected one, or the writer is committed or disposed.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold the tensor's element count.</exception>
    public void Write(string name, ReadOnlySpan<float> values)
    {
        var stream = _stream ?? throw new InvalidOperationException($"The writer of '{_target}' is {(_committed ? "committed" : "disposed")}.");
        if (_next >= _order.Length) throw new InvalidOperationException($"'{_target}': tensor '{name}' is one more than the {_order.Length} declared.");
        var (expected, shape) = _order[_next];
        if (!string.Equals(name, expected, StringComparison.Ordinal))
            throw new InvalidOperationException($"'{_target}': tensor '{name}' written where '{expected}' comes next (tensors go in name order).");
        int length = Tensor.CheckedLength(shape);
        if (values.Length != length)
            throw new ArgumentException($"'{_target}': tensor '{name}' {Tensor.ShapeString(shape)} has {length} elements, not {values.Length}.", nameof(values));
        if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(values));
        else
        {
            Span<byte> buffer = stackalloc byte[sizeof(float)];
            foreach (float v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                stream.Write(buffer);
            }
        }
        _next++;
    }

    /// <summary>Flushes the file to disk and renames it over the target. Every declared tensor must have been written.</summary>
    /// <exception cref="InvalidOperationException">Tensors are missing (the temporary file is removed, the target untouched).</exception>
    /// <exception cref="IOException">The file cannot be flushed or renamed; the target is unchanged.</exception>
    public void Commit()
    {
        var stream = _stream ?? throw new InvalidOperationException($"The writer of '{_target}' is {(_committed ? "committed" : "disposed")}.");
        if (_next != _order.Length)
        {
            Dispose();
            throw new InvalidOperationException($"'{_target}': {_order.Length - _next} of {_order.Length} declared tensors were not written (first missing: '{_order[_next].Name}'); nothing was written.");
        }
        try
        {
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            _stream = null;
            File.Move(_temporary, _target, overwrite: true);
            _committed = true;
            DirectorySync.Flush(Path.GetDirectoryName(_target)!);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Closes the file; without <see cref="Commit"/> the temporary file is deleted and the target is left as it was.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_committed) TryDelete(_temporary);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { } // Best effort; the original failure matters more.
        catch (UnauthorizedAccessException) { }
    }

    private static byte[] Utf8(string text)
    {
        try
        {
            return SafetensorsHeaderWriter.StrictUtf8.GetBytes(text);
        }
        catch (System.Text.EncoderFallbackException e)
        {
            throw new ArgumentException($"'{text}' contains a lone surrogate and has no UTF-8 form.", nameof(text), e);
        }
    }
}
