// FileMergeInputs: task-vector safetensors files, memory-mapped; each read converts one tensor of one file into a
// caller buffer and checks it is finite, so memory stays at about one tensor per input.
using System.Numerics.Tensors;
using TaskVectors.IO;
using TaskVectors.Models;

namespace TaskVectors.Merging;

internal sealed class FileMergeInputs : MergeInputs
{
    private readonly SafetensorsFile[] _files;
    private readonly (string Label, string? Fingerprint, Regime Regime, IReadOnlyDictionary<string, int[]> Shapes)[] _descriptions;
    private long _bytesRead;

    /// <exception cref="InvalidDataException">A file's regime metadata is invalid (the message names the file).</exception>
    /// <exception cref="SafetensorsFormatException">A file is not valid safetensors.</exception>
    public FileMergeInputs(IReadOnlyList<string> paths)
    {
        _files = new SafetensorsFile[paths.Count];
        _descriptions = new (string, string?, Regime, IReadOnlyDictionary<string, int[]>)[paths.Count];
        try
        {
            for (int t = 0; t < paths.Count; t++)
            {
                var file = _files[t] = SafetensorsFile.Open(paths[t]);
                FileHeader.Expect(file.FilePath, file.Metadata, allowUnmarked: true, FileHeader.TaskVector, FileHeader.Merged);
                var regime = TaskVector.ParseRegime(file.Metadata.GetValueOrDefault(TaskVector.RegimeKey))
                    ?? throw new InvalidDataException($"Task vector file '{file.FilePath}': metadata \"{TaskVector.RegimeKey}\" is '{file.Metadata[TaskVector.RegimeKey]}', not 'linearized' or 'non-linear'.");
                _descriptions[t] = ($"'{file.FilePath}'", file.Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey), regime,
                    file.Tensors.ToDictionary(i => i.Name, i => i.Shape.ToArray(), StringComparer.Ordinal));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override int Count => _files.Length;

    public override long BytesRead => _bytesRead;

    public override (string Label, string? Fingerprint, Regime Regime, IReadOnlyDictionary<string, int[]> Shapes) Describe(int t) => _descriptions[t];

    public override ReadOnlyMemory<float> Read(int t, string name, float[] buffer)
    {
        var file = _files[t];
        var info = file.GetInfo(name);
        var span = buffer.AsSpan(0, (int)info.ElementCount);
        file.ReadInto(name, span);
        file.ReleasePages(name); // One pass: the mapped pages leave the resident set, so memory stays at the buffers.
        if (!TensorPrimitives.IsFiniteAll<float>(span))
            throw new InvalidDataException($"Task vector file '{file.FilePath}': tensor '{name}' holds NaN or ±∞.");
        _bytesRead += info.ByteLength;
        return buffer.AsMemory(0, span.Length);
    }

    public override void Dispose()
    {
        foreach (var f in _files) f?.Dispose();
    }
}
