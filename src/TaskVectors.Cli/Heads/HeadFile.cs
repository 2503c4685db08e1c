// HeadFile: a task's frozen cosine head as a safetensors file (kind "head"): tensor "class_embeddings" (classes, D), the
// logit scale, the head's name, how it was made and its base's fingerprint. The task-vector owner ships it beside the
// task vector so that anyone can evaluate the task on a merged model.
using System.Globalization;
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;

namespace TaskVectors.Cli.Heads;

internal static class HeadFile
{
    public const string TensorName = "class_embeddings";
    public const string NameKey = "head_name";
    public const string ScaleKey = "logit_scale";
    public const string InitKey = "head_init";

    /// <summary>Writes <paramref name="head"/> (atomic).</summary>
    public static void Save(CosineHead head, string path, string baseFingerprint, string init)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [NameKey] = head.Name,
            [ScaleKey] = head.LogitScale.ToString("R", CultureInfo.InvariantCulture),
            [InitKey] = init,
            [ModelFingerprint.MetadataKey] = baseFingerprint,
        };
        SafetensorsWriter.Write(path, [(TensorName, head.Weight.Value)], FileHeader.Stamped(metadata, FileHeader.Head));
    }

    /// <summary>Reads a head file and the base fingerprint it records.</summary>
    /// <exception cref="FileKindException">The file is not a head file.</exception>
    /// <exception cref="InvalidDataException">The tensor or the scale is missing or malformed (names the file).</exception>
    public static (CosineHead Head, string? BaseFingerprint) Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        FileHeader.Expect(file.FilePath, file.Metadata, allowUnmarked: false, FileHeader.Head);
        if (!file.TryGetInfo(TensorName, out var info) || info!.Shape.Length != 2)
            throw new InvalidDataException($"Head file '{path}' has no 2-d tensor \"{TensorName}\".");
        if (!float.TryParse(file.Metadata.GetValueOrDefault(ScaleKey), NumberStyles.Float, CultureInfo.InvariantCulture, out float scale) || !float.IsFinite(scale) || scale <= 0)
            throw new InvalidDataException($"Head file '{path}': metadata \"{ScaleKey}\" is missing or not a positive number.");
        var embeddings = file.ReadTensor(TensorName);
        if (!embeddings.Span.ToArray().All(float.IsFinite)) throw new InvalidDataException($"Head file '{path}': \"{TensorName}\" holds NaN or ±∞.");
        string name = file.Metadata.GetValueOrDefault(NameKey) ?? Path.GetFileNameWithoutExtension(path);
        return (new CosineHead(name, embeddings, scale), file.Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey));
    }
}
