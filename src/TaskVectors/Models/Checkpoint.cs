// Checkpoint: strict loading and saving of a model's parameters as safetensors, keyed by their dotted
// Hugging Face names. Loading validates every name and shape before it writes a single value.
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>Loads and saves <see cref="IParameterized"/> models as safetensors files.</summary>
public static class Checkpoint
{
    /// <summary>
    /// Tensors Hugging Face stores that are buffers, not parameters (e.g. the int64 "position_ids"), and
    /// that strict loading therefore ignores.
    /// </summary>
    public static IReadOnlyList<string> IgnoredBufferSuffixes { get; } = [".position_ids"];

    /// <summary>Loads strictly with exact names, after removing <paramref name="stripPrefix"/> from the file's names.</summary>
    /// <exception cref="CheckpointMismatchException">Names, shapes or dtypes differ; lists every problem.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors.</exception>
    public static void Load(IParameterized model, string path, string stripPrefix) =>
        Load(model, path, CheckpointLoadOptions.Exact with { StripPrefix = stripPrefix });

    /// <summary>
    /// Loads every parameter of <paramref name="model"/> from <paramref name="path"/>. After the name mapping of
    /// <paramref name="options"/> (default: exact names plus legacy LayerNorm names), the file must hold exactly the
    /// model's parameter names, with the same shapes and a float dtype; buffers in <see cref="IgnoredBufferSuffixes"/>
    /// are skipped. Parameters that <see cref="CheckpointLoadOptions.AllowMissingPrefixes"/> lets the file lack keep their
    /// values. On any difference nothing is loaded.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">Names, shapes or dtypes differ; lists every problem.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors.</exception>
    /// <exception cref="FileKindException">The file declares another kind (a task vector, factors, a fine-tuning checkpoint); files without the header (converted weights of older versions, other tools' files) are read.</exception>
    public static void Load(IParameterized model, string path, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new CheckpointLoadOptions();
        using var file = SafetensorsFile.Open(path);
        FileHeader.Expect(file.FilePath, file.Metadata, allowUnmarked: true, FileHeader.Checkpoint);
        var byName = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var info in file.Tensors)
        {
            if (IgnoredBufferSuffixes.Any(s => info.Name.EndsWith(s, StringComparison.Ordinal))) continue;
            string? name = options.Map(info.Name);
            if (name is null) continue;
            if (!byName.TryAdd(name, info)) unexpected.Add($"{info.Name} {info.ShapeText} (maps to '{name}' like {byName[name].Name})");
        }
        var missing = new List<string>();
        var misshaped = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in model.Parameters)
        {
            known.Add(p.Name);
            if (!byName.TryGetValue(p.Name, out var info))
            {
                if (!options.AllowsMissing(p.Name)) missing.Add($"{p.Name} {p.Value.ShapeText}");
            }
            else if (!info.Shape.AsSpan().SequenceEqual(p.Value.Shape))
                misshaped.Add($"{p.Name}: model {p.Value.ShapeText}, file {info.ShapeText}");
            else if (!info.DType.IsReadableAsSingle())
                misshaped.Add($"{p.Name}: dtype {info.DType.GetHeaderName()} cannot be read as float32");
        }
        foreach (var (name, info) in byName)
            if (!known.Contains(name)) unexpected.Add($"{info.Name} {info.ShapeText}");
        if (missing.Count + unexpected.Count + misshaped.Count > 0)
            throw new CheckpointMismatchException(path, missing, unexpected, misshaped);
        foreach (var p in model.Parameters)
            if (byName.TryGetValue(p.Name, out var info)) file.ReadInto(info.Name, p.Value.Span);
    }

    /// <summary>
    /// Saves every parameter of <paramref name="model"/> to <paramref name="path"/> (float32, atomic write),
    /// under its dotted name, with <paramref name="metadata"/> in the header.
    /// </summary>
    public static void Save(IParameterized model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in model.Parameters)
            if (!seen.Add(p.Name)) throw new ArgumentException($"The model has two parameters named '{p.Name}'.", nameof(model));
        var header = FileHeader.Stamped(metadata, FileHeader.Checkpoint);
        // The saved weights' own fingerprint, so a merge into this file as a base can check its task vectors' base.
        header.TryAdd(ModelFingerprint.MetadataKey, ModelFingerprint.Compute(model));
        SafetensorsWriter.Write(path, model.Parameters.Select(p => (p.Name, p.Value)), header);
    }

    /// <summary>Copies of every parameter's values, keyed by name (a snapshot such as θ0).</summary>
    public static Dictionary<string, Tensor> Snapshot(IParameterized model) =>
        model.Parameters.ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
}
