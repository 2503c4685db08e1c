// ModelFingerprint: a SHA-256 over a model's parameter names, shapes and float32 values, in parameter
// order, so files derived from a base model θ0 (task vectors, factors, checkpoints) can prove which
// base they belong to.
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TaskVectors.Layers;

namespace TaskVectors.Models;

/// <summary>Identifies a set of parameter values: SHA-256 of (name, shape, little-endian float32 bytes) for each parameter.</summary>
public static class ModelFingerprint
{
    /// <summary>Metadata key under which files store the fingerprint of their base model.</summary>
    public const string MetadataKey = "base_model_fingerprint";

    /// <summary>The lowercase hex SHA-256 of <paramref name="model"/>'s parameters.</summary>
    public static string Compute(IParameterized model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[4];
        foreach (var p in model.Parameters)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(p.Name));
            sha.AppendData([0]);
            foreach (int d in p.Value.Shape)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, d);
                sha.AppendData(number);
            }
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Fingerprints are defined over little-endian float32 bytes.");
            sha.AppendData(MemoryMarshal.AsBytes((ReadOnlySpan<float>)p.Value.Span));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
