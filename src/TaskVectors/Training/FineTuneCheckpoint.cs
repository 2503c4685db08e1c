// FineTuneCheckpoint: the resumable state of a fine-tuning run in one safetensors file: θ of every
// trainable parameter ("theta/{name}"), the optimizer's state ("optimizer/…"), and metadata (step,
// base-model fingerprint, the settings that must not change on resume). θ is stored rather than τ
// because θ0 + (θ − θ0) need not equal θ in float32, and resuming must be bit-exact.
using System.Globalization;
using TaskVectors.IO;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Training;

internal sealed class FineTuneCheckpoint(string path, string fingerprint, FineTuneOptions options)
{
    private const string Kind = "taskvectors.finetune-checkpoint";
    private const string ThetaPrefix = "theta/";
    private const string OptimizerPrefix = "optimizer/";

    // The settings a resumed run must share with the run that wrote the checkpoint.
    private Dictionary<string, string> Settings() => new(StringComparer.Ordinal)
    {
        ["regime"] = options.Regime.ToString(),
        ["trainable"] = options.Trainable.Name,
        ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        ["steps"] = options.Steps.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["accumulation_steps"] = options.AccumulationSteps.ToString(CultureInfo.InvariantCulture),
        ["optimizer"] = options.Optimizer.ToString(),
        ["learning_rate"] = options.LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = options.WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["warmup_steps"] = options.WarmupSteps.ToString(CultureInfo.InvariantCulture),
    };

    public void Save(long step, IReadOnlyList<TrainableParameter> trainables, IOptimizer optimizer)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var scalars = new Dictionary<string, string>(StringComparer.Ordinal);
        optimizer.ExportState(tensors, scalars);
        var all = new List<(string, Tensor)>(trainables.Count + tensors.Count);
        foreach (var t in trainables) all.Add((ThetaPrefix + t.Name, t.Theta));
        foreach (var (name, tensor) in tensors) all.Add((OptimizerPrefix + name, tensor));
        var metadata = Settings();
        metadata["taskvectors.kind"] = Kind;
        metadata["format_version"] = "1";
        metadata[ModelFingerprint.MetadataKey] = fingerprint;
        metadata["step"] = step.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in scalars) metadata[OptimizerPrefix + key] = value;
        SafetensorsWriter.Write(path, all, metadata);
    }

    /// <summary>Restores θ and the optimizer from the checkpoint when the file exists; returns the step to continue from.</summary>
    public long TryResume(IReadOnlyList<TrainableParameter> trainables, IOptimizer optimizer)
    {
        if (!File.Exists(path)) return 0;
        using var file = SafetensorsFile.Open(path);
        var meta = file.Metadata;
        if (meta.GetValueOrDefault("taskvectors.kind") != Kind)
            throw new InvalidOperationException($"'{path}' is not a TaskVectors fine-tuning checkpoint.");
        if (meta.GetValueOrDefault(ModelFingerprint.MetadataKey) is not { } recorded || recorded != fingerprint)
            throw new InvalidOperationException($"Checkpoint '{path}' belongs to another base model ({Short(meta.GetValueOrDefault(ModelFingerprint.MetadataKey))}, this model is {Short(fingerprint)}).");
        foreach (var (key, value) in Settings())
            if (meta.GetValueOrDefault(key) != value)
                throw new InvalidOperationException($"Checkpoint '{path}' was written with {key}={meta.GetValueOrDefault(key) ?? "(none)"}, but this run has {key}={value}.");
        if (!long.TryParse(meta.GetValueOrDefault("step"), NumberStyles.None, CultureInfo.InvariantCulture, out long step) || step < 0 || step > options.Steps)
            throw new InvalidOperationException($"Checkpoint '{path}' has an invalid step '{meta.GetValueOrDefault("step")}'.");
        var expected = trainables.Select(t => ThetaPrefix + t.Name).ToHashSet(StringComparer.Ordinal);
        var present = file.Tensors.Select(t => t.Name).Where(n => n.StartsWith(ThetaPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        if (!expected.SetEquals(present))
            throw new InvalidOperationException($"Checkpoint '{path}' trains other parameters: missing {string.Join(", ", expected.Except(present))}; extra {string.Join(", ", present.Except(expected))}.");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            if (info.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) tensors[info.Name[OptimizerPrefix.Length..]] = file.ReadTensor(info.Name);
        var scalars = meta.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        foreach (var t in trainables)
        {
            var info = file.GetInfo(ThetaPrefix + t.Name);
            if (!info.Shape.AsSpan().SequenceEqual(t.Theta.Shape))
                throw new InvalidOperationException($"Checkpoint '{path}': {info.Name} is {info.ShapeText}, the parameter is {t.Theta.ShapeText}.");
        }
        optimizer.ImportState(tensors, scalars);
        foreach (var t in trainables)
        {
            file.ReadInto(ThetaPrefix + t.Name, t.Theta.Span);
            t.RefreshTau();
        }
        return step;
    }

    private static string Short(string? fingerprint) => fingerprint is null ? "(none)" : fingerprint[..Math.Min(12, fingerprint.Length)] + "…";
}
