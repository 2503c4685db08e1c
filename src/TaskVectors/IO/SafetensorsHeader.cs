// SafetensorsHeader: the validated content of a safetensors JSON header — tensor entries ordered by
// where their bytes lie in the data section, and the __metadata__ string map (empty when absent).
namespace TaskVectors.IO;

/// <summary>A parsed and validated header.</summary>
/// <param name="Tensors">Entries ordered by (data begin, data end, position in the header).</param>
/// <param name="Metadata">The <c>__metadata__</c> map in header order; empty when the key is absent or null.</param>
internal sealed record SafetensorsHeader(SafetensorsTensorInfo[] Tensors, Dictionary<string, string> Metadata);
