// SafetensorsFile: an open safetensors file. Open reads and validates only the 8-byte size prefix and
// the JSON header; the data section is memory-mapped and a tensor's bytes are touched only when that
// tensor is read, converted to float32 (or, exactly, to float64) into new or caller-owned storage.
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using TaskVectors.Tensors;

namespace TaskVectors.IO;

/// <summary>
/// A safetensors file opened for reading (the format of Hugging Face's <c>safetensors</c> and
/// PyTorch's <c>safetensors.torch.save_file</c>): an 8-byte little-endian header size N, N bytes of
/// JSON header, then the data section. <see cref="Open"/> reads only the header and validates it
/// completely (see <see cref="SafetensorsFormatException"/>); tensor data is read lazily from a
/// read-only memory mapping of the file, so opening a multi-gigabyte checkpoint costs as much as
/// reading its header.
/// </summary>
/// <remarks>
/// <para>Dispose the file: it holds a file handle and a <see cref="MemoryMappedFile"/>. Tensors
/// returned by <see cref="ReadTensor"/> own their storage and stay valid after disposal.</para>
/// <para>Reads are thread-safe: several threads may call <see cref="ReadTensor"/> and
/// <see cref="ReadInto"/> on one open file concurrently. A read racing with <see cref="Dispose"/>
/// either completes or throws <see cref="ObjectDisposedException"/>; the mapping is unmapped only
/// after in-flight reads finish.</para>
/// <para>As with any memory mapping, the file must not be truncated by another process while open
/// (on Linux that raises SIGBUS on access). Replacing it by rename, as <see cref="SafetensorsWriter"/>
/// does, is safe: this object keeps reading the old contents.</para>
/// </remarks>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _data; // First byte of the data section inside the mapping; null when it is empty.
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;
    private int _disposed;

    private SafetensorsFile(string filePath, long headerSize, SafetensorsHeader header, MemoryMappedFile? map, MemoryMappedViewAccessor? view)
    {
        FilePath = filePath;
        HeaderSize = headerSize;
        Tensors = Array.AsReadOnly(header.Tensors);
        Metadata = header.Metadata.AsReadOnly();
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _map = map;
        _view = view;
        if (view is not null)
        {
            byte* basePointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer); // Released in Dispose.
            _data = basePointer + view.PointerOffset + sizeof(ulong) + headerSize;
        }
    }

    /// <summary>The full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>N, the JSON header's size in bytes (padding included); the data section starts at byte 8 + N.</summary>
    public long HeaderSize { get; }

    /// <summary>The header's <c>__metadata__</c> string map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Every tensor's header entry, in file order: by position of the data in the data section (for files
    /// written by this library or by the reference implementation, also the order of the header's keys).
    /// </summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>
    /// Opens <paramref name="path"/>, reads the header and validates it against the file's length.
    /// No tensor data is read.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed safetensors file.</exception>
    /// <exception cref="IOException">The file cannot be opened or read (e.g. <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a directory or not readable.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        try
        {
            long fileLength = stream.Length;
            long headerSize = ReadHeaderSize(stream, fileLength, fullPath);
            var json = new byte[headerSize];
            ReadExactly(stream, json, sizeof(ulong), fullPath);
            long dataLength = fileLength - sizeof(ulong) - headerSize;
            var header = SafetensorsHeaderParser.Parse(json, dataLength, fullPath);
            if (dataLength == 0)
            {
                // Nothing to map (a mapping of the header alone would serve no read).
                stream.Dispose();
                return new SafetensorsFile(fullPath, headerSize, header, null, null);
            }
            var map = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            MemoryMappedViewAccessor? view = null;
            try
            {
                view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                return new SafetensorsFile(fullPath, headerSize, header, map, view);
            }
            catch
            {
                view?.Dispose();
                map.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks up a tensor's header entry.</summary>
    public bool TryGetInfo(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SafetensorsTensorInfo? info) =>
        _byName.TryGetValue(name, out info);

    /// <summary>The header entry of tensor <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The file holds no such tensor.</exception>
    public SafetensorsTensorInfo GetInfo(string name) =>
        _byName.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"Safetensors file '{FilePath}' holds no tensor '{name}'.");

    /// <summary>Reads tensor <paramref name="name"/> into a new float32 <see cref="Tensor"/> of its shape (see <see cref="ReadInto"/>).</summary>
    /// <exception cref="KeyNotFoundException">The file holds no such tensor.</exception>
    /// <exception cref="SafetensorsFormatException">The tensor's dtype is not F32, F16, BF16 or F64.</exception>
    /// <exception cref="NotSupportedException">The tensor has more elements than a <see cref="Tensor"/> can hold (<see cref="Array.MaxLength"/>).</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public Tensor ReadTensor(string name)
    {
        var info = GetInfo(name);
        ThrowIfUnreadable(info);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long count = info.ElementCount;
        if (count > Array.MaxLength)
            throw new NotSupportedException($"Tensor '{name}' of '{FilePath}' has {count} elements, more than a Tensor can hold.");
        // Every element is overwritten below, so the array need not be zeroed first.
        float[] data = count == 0 ? [] : GC.AllocateUninitializedArray<float>((int)count);
        ReadCore(info, data);
        return new Tensor(data, info.Shape.AsSpan());
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into <paramref name="destination"/> in row-major order without
    /// allocating: F32 is copied, F16 and BF16 are widened exactly, F64 is rounded to the nearest float32.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The file holds no such tensor.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/>'s length is not the tensor's element count.</exception>
    /// <exception cref="SafetensorsFormatException">The tensor's dtype is not F32, F16, BF16 or F64.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public void ReadInto(string name, Span<float> destination) => ReadCore(GetInfo(name), destination);

    /// <summary>
    /// Reads tensor <paramref name="name"/> into <paramref name="destination"/> as float64 in row-major order
    /// without allocating, exactly: F64 is copied, F32, F16 and BF16 are widened.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The file holds no such tensor.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/>'s length is not the tensor's element count.</exception>
    /// <exception cref="SafetensorsFormatException">The tensor's dtype is not F32, F16, BF16 or F64.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public void ReadDoubles(string name, Span<double> destination) => ReadMapped(GetInfo(name), destination, &SafetensorsConversion.ToDouble);

    /// <summary>Reads tensor <paramref name="name"/> into a new float64 array (row-major; see <see cref="ReadDoubles(string, Span{double})"/>).</summary>
    /// <exception cref="KeyNotFoundException">The file holds no such tensor.</exception>
    /// <exception cref="SafetensorsFormatException">The tensor's dtype is not F32, F16, BF16 or F64.</exception>
    /// <exception cref="NotSupportedException">The tensor has more elements than an array can hold.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public double[] ReadDoubles(string name)
    {
        var info = GetInfo(name);
        ThrowIfUnreadable(info);
        if (info.ElementCount > Array.MaxLength)
            throw new NotSupportedException($"Tensor '{name}' of '{FilePath}' has {info.ElementCount} elements, more than an array can hold.");
        var data = info.ElementCount == 0 ? [] : GC.AllocateUninitializedArray<double>((int)info.ElementCount);
        ReadDoubles(name, data);
        return data;
    }

    private void ReadCore(SafetensorsTensorInfo info, Span<float> destination) => ReadMapped(info, destination, &SafetensorsConversion.ToSingle);

    // Checks the request, then converts the tensor's bytes straight from the mapping into destination.
    private void ReadMapped<T>(SafetensorsTensorInfo info, Span<T> destination, delegate*<SafetensorsDType, byte*, Span<T>, void> convert)
    {
        ThrowIfUnreadable(info);
        if (destination.Length != info.ElementCount)
            throw new ArgumentException(
                $"Tensor '{info.Name}' {info.ShapeText} has {info.ElementCount} elements but the destination has {destination.Length}.", nameof(destination));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (destination.IsEmpty) return;

        // The extra reference keeps the view mapped if Dispose runs on another thread meanwhile;
        // once the handle is closed, DangerousAddRef throws ObjectDisposedException instead.
        var handle = _view!.SafeMemoryMappedViewHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            convert(info.DType, _data + info.DataBegin, destination);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Drops tensor <paramref name="name"/>'s pages from this process's resident set (a one-pass reader is done with them);
    /// a later read faults them back in from the page cache. Used by streamed merges.
    /// </summary>
    internal void ReleasePages(string name)
    {
        var info = GetInfo(name);
        if (_view is null || Volatile.Read(ref _disposed) != 0) return;
        MappedPages.Release(_data + info.DataBegin, info.ByteLength);
    }

    /// <summary>Releases the memory mapping and the file handle. Reads afterwards throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }

    private void ThrowIfUnreadable(SafetensorsTensorInfo info)
    {
        if (!info.DType.IsReadableAsSingle())
            throw new SafetensorsFormatException(FilePath, info.Name,
                $"dtype {info.DType.GetHeaderName()} cannot be converted to float32; readable dtypes are F32, F16, BF16 and F64.");
    }

    // Validates the 8-byte prefix against the reference's limits and the file's length.
    private static long ReadHeaderSize(FileStream stream, long fileLength, string path)
    {
        if (fileLength < sizeof(ulong))
            throw new SafetensorsFormatException(path, null, $"the file is {fileLength} bytes, shorter than the 8-byte header size prefix.");
        Span<byte> prefix = stackalloc byte[sizeof(ulong)];
        ReadExactly(stream, prefix, 0, path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > SafetensorsHeaderParser.MaxHeaderSize)
            throw new SafetensorsFormatException(path, null, $"the header size {n} exceeds the {SafetensorsHeaderParser.MaxHeaderSize}-byte limit.");
        if (n < 2)
            throw new SafetensorsFormatException(path, null, $"the header size {n} is too small to hold a JSON object.");
        if ((long)n > fileLength - sizeof(ulong))
            throw new SafetensorsFormatException(path, null, $"the header size {n} reaches beyond the end of the {fileLength}-byte file.");
        return (long)n;
    }

    // RandomAccess.Read may return fewer bytes than asked; a file shrinking under us ends in a format error.
    private static void ReadExactly(FileStream stream, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(stream.SafeFileHandle, buffer, offset);
            if (read == 0) throw new SafetensorsFormatException(path, null, "the file ended while its header was being read.");
            buffer = buffer[read..];
            offset += read;
        }
    }
}
