// TaskVector: τ = θ_t − θ0 over a set of named parameters, with the metadata that says how it was made
// (base-model fingerprint, regime, trainable set, steps, seed, data), saved as safetensors.
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// A task vector τ_t: one tensor per fine-tuned parameter (dotted Hugging Face names), plus metadata.
/// Adding it to the base model gives the fine-tuned one: θ_t = θ0 + τ_t.
/// </summary>
public sealed class TaskVector
{
    private readonly Dictionary<string, Tensor> _tensors;

    /// <summary>Creates a task vector from named tensors (not copied) and metadata.</summary>
    public TaskVector(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = new Dictionary<string, Tensor>(tensors, StringComparer.Ordinal);
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
    }

    /// <summary>The tensors τ_p by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>How the vector was made (see <see cref="ModelFingerprint.MetadataKey"/> and the fine-tuner's keys).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The base model's fingerprint recorded in the metadata, or null.</summary>
    public string? BaseFingerprint => Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey);

    /// <summary>τ = θ − θ0 for the parameters of <paramref name="finetuned"/> named in <paramref name="names"/>.</summary>
    public static TaskVector Difference(IParameterized finetuned, IReadOnlyDictionary<string, Tensor> theta0, IEnumerable<string> names, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var byName = finetuned.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            var p = byName.GetValueOrDefault(name) ?? throw new ArgumentException($"The model has no parameter '{name}'.", nameof(names));
            var t0 = theta0.GetValueOrDefault(name) ?? throw new ArgumentException($"θ0 has no tensor '{name}'.", nameof(theta0));
            var tau = new Tensor(p.Value.Shape);
            TensorMath.Subtract(p.Value.Span, t0.Span, tau.Span);
            tensors.Add(name, tau);
        }
        return new TaskVector(tensors, metadata);
    }

    /// <summary>
    /// θ ← θ + α·τ for every tensor of this vector, on <paramref name="model"/>'s parameters.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor has no parameter of that name and shape in the model.</exception>
    public void AddTo(IParameterized model, float alpha = 1f)
    {
        var byName = model.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, tau) in _tensors)
        {
            var p = byName.GetValueOrDefault(name) ?? throw new ArgumentException($"Task vector tensor '{name}' has no parameter in the model.", nameof(model));
            if (!p.Value.HasShape(tau.Shape)) throw new ArgumentException($"Task vector tensor '{name}' {tau.ShapeText} does not match the parameter {p.Value.ShapeText}.", nameof(model));
        }
        foreach (var (name, tau) in _tensors) TensorMath.AddScaled(tau.Span, alpha, byName[name].Value.Span);
    }

    /// <summary>Writes the vector as safetensors (float32, atomic) with its metadata.</summary>
    public void Save(string path) => SafetensorsWriter.Write(path, _tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal), Metadata);

    /// <summary>Reads a task vector file.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors.</exception>
    public static TaskVector Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors) tensors.Add(info.Name, file.ReadTensor(info.Name));
        return new TaskVector(tensors, file.Metadata);
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> unless the recorded base fingerprint equals <paramref name="model"/>'s.
    /// </summary>
    public void EnsureBase(IParameterized model, string? source = null)
    {
        string actual = ModelFingerprint.Compute(model);
        if (BaseFingerprint is null)
            throw new InvalidOperationException($"Task vector {source ?? ""} records no base-model fingerprint.".Replace("  ", " "));
        if (!string.Equals(BaseFingerprint, actual, StringComparison.Ordinal))
            throw new InvalidOperationException($"Task vector {source ?? ""} was made from base model {BaseFingerprint[..12]}…, not this model ({actual[..12]}…).".Replace("  ", " "));
    }
}
