// IdxFile: reads the IDX format of the MNIST family (MNIST, Fashion-MNIST, KMNIST, EMNIST), raw or gzip
// (detected by the 1F 8B magic, not the name): images (N, H, W) of bytes become ImageData (N, 1, H, W) with
// pixel/255, labels (N) of bytes become ints. Header: 0, 0, type (0x08 = ubyte), rank, then rank big-endian int32 dims.
using System.Buffers.Binary;
using System.IO.Compression;
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Reader for IDX image/label file pairs (MNIST family).</summary>
public static class IdxFile
{
    /// <summary>Reads an images file (ubyte, rank 3) and a labels file (ubyte, rank 1) into images (N, 1, H, W) in [0, 1].</summary>
    /// <exception cref="DataFormatException">Bad magic, a type other than ubyte, wrong rank, a count mismatch, a truncated file or a label ≥ <paramref name="classes"/>.</exception>
    public static ImageData Load(string imagesPath, string labelsPath, int classes = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var (imageDims, pixels) = ReadUBytes(imagesPath, rank: 3);
        var (labelDims, labelBytes) = ReadUBytes(labelsPath, rank: 1);
        if (labelDims[0] != imageDims[0])
            throw new DataFormatException(labelsPath, null, $"holds {labelDims[0]} labels for {imageDims[0]} images in {imagesPath}.");
        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = labelBytes[i] < classes ? labelBytes[i] : throw new DataFormatException(labelsPath, null, $"label {labelBytes[i]} of example {i} is outside [0, {classes}).");
        var images = new Tensor(imageDims[0], 1, imageDims[1], imageDims[2]);
        var span = images.Span;
        for (int i = 0; i < pixels.Length; i++) span[i] = pixels[i] / 255f;
        return new ImageData(images, labels, classes, $"IDX {Path.GetFileName(imagesPath)} ({labels.Length} images {imageDims[1]}×{imageDims[2]})");
    }

    /// <summary>Reads an unsigned-byte IDX array of the given rank: its dimensions and its bytes in row-major order.</summary>
    /// <exception cref="DataFormatException">The file is not such an array or its data length disagrees with the dimensions.</exception>
    public static (int[] Dims, byte[] Data) ReadUBytes(string path, int rank)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            using Stream stream = got == 2 && magic[0] == 0x1F && magic[1] == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
            Span<byte> head = stackalloc byte[4];
            if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) != 4 || head[0] != 0 || head[1] != 0)
                throw new DataFormatException(path, null, "not an IDX file (bad magic).");
            if (head[2] != 0x08) throw new DataFormatException(path, null, $"element type 0x{head[2]:X2} is not unsigned byte (0x08).");
            if (head[3] != rank) throw new DataFormatException(path, null, $"has rank {head[3]}, expected {rank}.");
            var dims = new int[rank];
            Span<byte> dim = stackalloc byte[4];
            long count = 1;
            for (int d = 0; d < rank; d++)
            {
                if (stream.ReadAtLeast(dim, 4, throwOnEndOfStream: false) != 4) throw new DataFormatException(path, null, "truncated header.");
                int v = BinaryPrimitives.ReadInt32BigEndian(dim);
                if (v <= 0) throw new DataFormatException(path, null, $"dimension {d} is {v}.");
                dims[d] = v;
                count *= v;
            }
            if (count > Array.MaxLength) throw new DataFormatException(path, null, $"declares {count:N0} elements, more than one array holds.");
            // Read what is there (never trust the declared size for the allocation), then check the length.
            using var buffer = new MemoryStream();
            var chunk = new byte[1 << 16];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > count) throw new DataFormatException(path, null, $"holds more than the {count:N0} bytes its dimensions declare.");
            }
            if (buffer.Length != count) throw new DataFormatException(path, null, $"holds {buffer.Length:N0} data bytes, its dimensions ({string.Join(" × ", dims)}) declare {count:N0}.");
            return (dims, buffer.ToArray());
        }
        catch (Exception e) when (e is IOException and not DataFormatException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, null, $"cannot read the file ({e.Message}).", e);
        }
    }
}
