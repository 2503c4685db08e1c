// SafetensorsFormatException: a safetensors file whose bytes break the format. The message names the
// file and, where one is at fault, the tensor or header key, so a bad shard in a directory is found at once.
namespace TaskVectors.IO;

/// <summary>
/// Thrown when a safetensors file is malformed (header size, JSON, dtype, shape, offsets, coverage of
/// the data section, duplicate names) or holds a tensor this library cannot convert to float32.
/// </summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception; the message is prefixed with the file and the tensor.</summary>
    /// <param name="filePath">The file at fault.</param>
    /// <param name="tensorName">The tensor or header key at fault, or <c>null</c> when the fault is file-wide.</param>
    /// <param name="detail">What is wrong.</param>
    /// <param name="innerException">The parser error behind this one, if any.</param>
    public SafetensorsFormatException(string filePath, string? tensorName, string detail, Exception? innerException = null)
        : base(Compose(filePath, tensorName, detail), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The path of the malformed file.</summary>
    public string FilePath { get; }

    /// <summary>The tensor name or header key at fault, or <c>null</c> when the fault concerns the whole file.</summary>
    public string? TensorName { get; }

    private static string Compose(string filePath, string? tensorName, string detail) =>
        tensorName switch
        {
            null => $"Invalid safetensors file '{filePath}': {detail}",
            MetadataKey => $"Invalid safetensors file '{filePath}', {MetadataKey}: {detail}",
            _ => $"Invalid safetensors file '{filePath}', tensor '{tensorName}': {detail}",
        };

    // The header key of the string map; faults inside it are reported under this name.
    internal const string MetadataKey = "__metadata__";
}
