// FineTuneCheckpoint: the resumable state of a fine-tuning run in one safetensors file: θ of every
// trainable parameter ("theta/{name}"), the optimizer's state ("optimizer/…"), and metadata (step,
// base-model fingerprint, the settings that must not change on resume: the options, the regularizers'
// identities, the data set and the head). θ is stored rather than τ because θ0 + (θ − θ0) need not equal θ
// in float32, and resuming must be bit-exact. Resuming validates everything before it changes anything:
// another base model or other settings are InvalidOperationException; a damaged file (malformed step,
// optimizer state that no run reaches, non-finite θ) is InvalidDataException naming the file.
using System.Globalization;
using TaskVectors.IO;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Training;

internal sealed class FineTuneCheckpoint(string path, string fingerprint, FineTuneOptions options, string data, string head)
{
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
        ["momentum"] = options.Optimizer == OptimizerKind.SgdMomentum ? options.Momentum.ToString("R", CultureInfo.InvariantCulture) : "n/a",
        ["label_smoothing"] = options.LabelSmoothing.ToString("R", CultureInfo.InvariantCulture),
        ["max_gradient_norm"] = options.MaxGradientNorm is { } max ? max.ToString("R", CultureInfo.InvariantCulture) : "none",
        ["checkpoint_every"] = options.CheckpointEvery.ToString(CultureInfo.InvariantCulture),
        ["regularizers"] = "[" + string.Join("; ", options.Regularizers.Select(r => r.Identity)) + "]",
        ["data"] = data,
        ["head"] = head,
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
        FileHeader.Stamp(metadata, FileHeader.FineTuneCheckpoint);
        metadata["format_version"] = "1";
        metadata[ModelFingerprint.MetadataKey] = fingerprint;
        metadata["step"] = step.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in scalars) metadata[OptimizerPrefix + key] = value;
        SafetensorsWriter.Write(path, all, metadata);
    }

    /// <summary>
    /// Restores θ and the optimizer from the checkpoint when the file exists; returns the step to continue from.
    /// Nothing changes unless the whole checkpoint is valid.
    /// </summary>
    public long TryResume(IReadOnlyList<TrainableParameter> trainables, IOptimizer optimizer)
    {
        if (!File.Exists(path)) return 0;
        using var file = SafetensorsFile.Open(path);
        var meta = file.Metadata;
        FileHeader.Expect(path, meta, allowUnmarked: false, FileHeader.FineTuneCheckpoint);
        if (meta.GetValueOrDefault(ModelFingerprint.MetadataKey) is not { } recorded || recorded != fingerprint)
            throw new InvalidOperationException($"Checkpoint '{path}' belongs to another base model ({Short(meta.GetValueOrDefault(ModelFingerprint.MetadataKey))}, this model is {Short(fingerprint)}).");
        foreach (var (key, value) in Settings())
            if (meta.GetValueOrDefault(key) != value)
                throw new InvalidOperationException($"Checkpoint '{path}' was written with {key}={meta.GetValueOrDefault(key) ?? "(none)"}, but this run has {key}={value}.");
        if (!long.TryParse(meta.GetValueOrDefault("step"), NumberStyles.None, CultureInfo.InvariantCulture, out long step) || step < 1 || step > options.Steps)
            throw new InvalidDataException($"Checkpoint '{path}' has an invalid step '{meta.GetValueOrDefault("step")}' (a checkpoint is written after step 1 … {options.Steps}).");
        var expected = trainables.Select(t => ThetaPrefix + t.Name).ToHashSet(StringComparer.Ordinal);
        var present = file.Tensors.Select(t => t.Name).Where(n => n.StartsWith(ThetaPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        if (!expected.SetEquals(present))
            throw new InvalidDataException($"Checkpoint '{path}' holds θ of other parameters than this run trains: missing {string.Join(", ", expected.Except(present))}; extra {string.Join(", ", present.Except(expected))}.");
        var theta = new Tensor[trainables.Count];
        for (int i = 0; i < trainables.Count; i++)
        {
            var t = trainables[i];
            var info = file.GetInfo(ThetaPrefix + t.Name);
            if (!info.Shape.AsSpan().SequenceEqual(t.Theta.Shape))
                throw new InvalidDataException($"Checkpoint '{path}': {info.Name} is {info.ShapeText}, the parameter is {t.Theta.ShapeText}.");
            theta[i] = new Tensor(t.Theta.Shape);
            file.ReadInto(info.Name, theta[i].Span);
            if (!TensorMath.AllFinite(theta[i].Span))
                throw new InvalidDataException($"Checkpoint '{path}': {info.Name} holds a non-finite value; no run writes one.");
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            if (info.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) tensors[info.Name[OptimizerPrefix.Length..]] = ReadOptimizerTensor(file, info);
        var scalars = meta.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        try
        {
            // The slots are fixed first, so the state is checked against them before the optimizer takes it.
            optimizer.Attach([.. trainables.Select(t => new OptimizerSlot(t.Name, t.Theta, t.Parameter))]);
            optimizer.ImportState(tensors, scalars);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}': its optimizer state is invalid: {e.Message}", e);
        }
        if (optimizer.StepCount != step)
        {
            string key = scalars.Keys.FirstOrDefault(k => k.EndsWith(".step", StringComparison.Ordinal)) ?? "step";
            throw new InvalidDataException($"Checkpoint '{path}': the optimizer's '{key}' is {optimizer.StepCount}, but the checkpoint is at step {step}; one optimizer step is taken per run step.");
        }
        for (int i = 0; i < trainables.Count; i++)
        {
            theta[i].Span.CopyTo(trainables[i].Theta.Span);
            trainables[i].RefreshTau();
        }
        return step;
    }

    private Tensor ReadOptimizerTensor(SafetensorsFile file, SafetensorsTensorInfo info)
    {
        try
        {
            return file.ReadTensor(info.Name);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}': optimizer tensor '{info.Name}' {info.ShapeText} is larger than any parameter.", e);
        }
    }

    /// <summary>The first 12 characters of a fingerprint and "…", or "(none)".</summary>
    internal static string Short(string? fingerprint) => fingerprint is null ? "(none)" : fingerprint.Length <= 12 ? fingerprint : fingerprint[..12] + "…";
}
