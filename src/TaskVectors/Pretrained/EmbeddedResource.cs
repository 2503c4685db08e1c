// EmbeddedResource: reads a manifest resource embedded in a .NET assembly file with
// System.Reflection.Metadata (PEReader), without loading the assembly: the resource's bytes sit in
// the CLI resources directory as a 4-byte little-endian length followed by the data.
using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace TaskVectors.Pretrained;

/// <summary>Embedded-resource access by file offset.</summary>
internal static class EmbeddedResource
{
    /// <summary>The bytes of resource <paramref name="resourceName"/> of assembly <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not an assembly, lacks the resource, or the resource runs past the file.</exception>
    public static byte[] Read(string assemblyPath, string resourceName)
    {
        using var stream = File.OpenRead(assemblyPath);
        long offset;
        using (var pe = new PEReader(stream, PEStreamOptions.LeaveOpen))
        {
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
                throw new InvalidDataException($"{assemblyPath}: not a .NET assembly.");
            var reader = pe.GetMetadataReader();
            long? resourceOffset = null;
            var names = new List<string>();
            foreach (var handle in reader.ManifestResources)
            {
                var resource = reader.GetManifestResource(handle);
                string name = reader.GetString(resource.Name);
                names.Add(name);
                if (name == resourceName && resource.Implementation.IsNil) resourceOffset = resource.Offset;
            }
            if (resourceOffset is null)
                throw new InvalidDataException($"{assemblyPath}: no embedded resource '{resourceName}' (it has: {string.Join(", ", names)}).");
            int rva = pe.PEHeaders.CorHeader.ResourcesDirectory.RelativeVirtualAddress;
            if (!pe.PEHeaders.TryGetDirectoryOffset(pe.PEHeaders.CorHeader.ResourcesDirectory, out int directoryOffset))
                throw new InvalidDataException($"{assemblyPath}: the resources directory (RVA {rva}) lies in no section.");
            offset = directoryOffset + resourceOffset.Value;
        }
        Span<byte> prefix = stackalloc byte[4];
        stream.Position = offset;
        stream.ReadExactly(prefix);
        int length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < 0 || offset + 4 + length > stream.Length)
            throw new InvalidDataException($"{assemblyPath}: resource '{resourceName}' claims {length} bytes at offset {offset}, past the end of the file.");
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
