// TaskVector: τ = θ_t − θ0 over a set of named parameters (each tensor the parameter's shape), with the metadata
// that says how it was made (base-model fingerprint, regime, trainable set, steps, seed, data), saved as safetensors.
// The algebra (τ_a ± τ_b, α·τ, −τ, Σ τ_t, θ0 + Σ α_t τ_t) checks base, regime, names and shapes of its operands.
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// A task vector τ_t: one finite float32 tensor per fine-tuned parameter (dotted Hugging Face names), plus metadata.
/// Adding it to the base model gives the fine-tuned one: θ_t = θ0 + τ_t (non-linear regime), or the linearized model
/// f(x; θ0) + J(x; θ0)·τ_t (<see cref="Regime"/> Linearized).
/// </summary>
/// <remarks>
/// Every operation between vectors (<c>+</c>, <c>-</c>, <see cref="Sum(IReadOnlyList{TaskVector}, TaskVectorCombineOptions?)"/>)
/// requires the same base fingerprint, the same regime and the same tensor names and shapes, and throws
/// <see cref="TaskVectorMismatchException"/> listing all disagreements otherwise.
/// </remarks>
public sealed class TaskVector
{
    /// <summary>Metadata key of the regime: "linearized" or "non-linear" (absent means non-linear).</summary>
    public const string RegimeKey = "regime";

    private readonly Dictionary<string, Tensor> _tensors;

    /// <summary>Creates a task vector from named tensors (not copied) and metadata.</summary>
    /// <exception cref="ArgumentException">A tensor is null or holds NaN or ±∞, or the metadata's regime is not "linearized" or "non-linear".</exception>
    public TaskVector(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = new Dictionary<string, Tensor>(tensors, StringComparer.Ordinal);
        foreach (var (name, tensor) in _tensors)
        {
            if (tensor is null) throw new ArgumentException($"Task vector tensor '{name}' is null.", nameof(tensors));
            if (!TensorMath.AllFinite(tensor.Span)) throw new ArgumentException($"Task vector tensor '{name}' holds NaN or ±∞.", nameof(tensors));
        }
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        Regime = ParseRegime(Metadata.GetValueOrDefault(RegimeKey))
            ?? throw new ArgumentException($"Task vector metadata \"{RegimeKey}\" is '{Metadata[RegimeKey]}', not 'linearized' or 'non-linear'.", nameof(metadata));
    }

    /// <summary>The tensors τ_p by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>How the vector was made (see <see cref="ModelFingerprint.MetadataKey"/>, <see cref="RegimeKey"/> and the fine-tuner's keys).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The base model's fingerprint recorded in the metadata, or null.</summary>
    public string? BaseFingerprint => Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey);

    /// <summary>
    /// The regime the vector was trained in, from the metadata's <see cref="RegimeKey"/>: a linearized vector is evaluated
    /// through f(x; θ0) + J(x; θ0)·τ, a non-linear one through f(x; θ0 + τ).
    /// </summary>
    public Regime Regime { get; }

    /// <summary>The number of scalars Σ_p |τ_p|.</summary>
    public long ElementCount => _tensors.Values.Sum(t => (long)t.Length);

    /// <summary>τ = θ − θ0 for the parameters of <paramref name="finetuned"/> named in <paramref name="names"/>.</summary>
    /// <exception cref="ArgumentException">A name is missing from the model or θ0, or shapes differ.</exception>
    public static TaskVector Difference(IParameterized finetuned, IReadOnlyDictionary<string, Tensor> theta0, IEnumerable<string> names, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(finetuned);
        ArgumentNullException.ThrowIfNull(theta0);
        ArgumentNullException.ThrowIfNull(names);
        var byName = finetuned.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            var p = byName.GetValueOrDefault(name) ?? throw new ArgumentException($"The model has no parameter '{name}'.", nameof(names));
            var t0 = theta0.GetValueOrDefault(name) ?? throw new ArgumentException($"θ0 has no tensor '{name}'.", nameof(theta0));
            if (!t0.HasShape(p.Value.Shape)) throw new ArgumentException($"θ0's '{name}' is {t0.ShapeText}, the model's {p.Value.ShapeText}.", nameof(theta0));
            var tau = new Tensor(p.Value.Shape);
            TensorMath.Subtract(p.Value.Span, t0.Span, tau.Span);
            tensors.Add(name, tau);
        }
        return new TaskVector(tensors, metadata);
    }

    /// <summary>
    /// The difference of two checkpoints of one architecture: τ_p = θ_p − θ0_p for every parameter p of
    /// <paramref name="finetuned"/> not in <paramref name="options"/>' skip list, stamped with <paramref name="baseModel"/>'s
    /// fingerprint and <paramref name="regime"/>.
    /// </summary>
    /// <exception cref="TaskVectorMismatchException">The two models' parameter names or shapes differ (all differences listed).</exception>
    public static TaskVector Difference(IParameterized finetuned, IParameterized baseModel, Regime regime = Regime.NonLinear, TaskVectorCombineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(finetuned);
        ArgumentNullException.ThrowIfNull(baseModel);
        var skip = (options ?? TaskVectorCombineOptions.Default).Skip;
        var tuned = finetuned.Parameters.Where(p => !skip.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var base0 = baseModel.Parameters.Where(p => !skip.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var mismatches = new List<string>();
        CompareLayouts("the fine-tuned model", tuned.ToDictionary(kv => kv.Key, kv => kv.Value.Shape.ToArray(), StringComparer.Ordinal),
            "the base model", base0.ToDictionary(kv => kv.Key, kv => kv.Value.Shape.ToArray(), StringComparer.Ordinal), mismatches);
        if (mismatches.Count > 0) throw new TaskVectorMismatchException("Checkpoint difference", mismatches);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelFingerprint.MetadataKey] = ModelFingerprint.Compute(baseModel),
            [RegimeKey] = RegimeText(regime),
        };
        return Difference(finetuned, base0, tuned.Keys, metadata);
    }

    /// <summary>τ_a + τ_b (same base, regime, names and shapes).</summary>
    /// <exception cref="TaskVectorMismatchException">The operands disagree.</exception>
    public static TaskVector operator +(TaskVector a, TaskVector b) => Combine("τ_a + τ_b", [a, b], [1f, 1f], null);

    /// <summary>τ_a − τ_b (same base, regime, names and shapes).</summary>
    /// <exception cref="TaskVectorMismatchException">The operands disagree.</exception>
    public static TaskVector operator -(TaskVector a, TaskVector b) => Combine("τ_a − τ_b", [a, b], [1f, -1f], null);

    /// <summary>α·τ.</summary>
    /// <exception cref="ArgumentOutOfRangeException">α is NaN or ±∞.</exception>
    public static TaskVector operator *(float alpha, TaskVector tau) => (tau ?? throw new ArgumentNullException(nameof(tau))).Scale(alpha);

    /// <summary>−τ (task negation: θ0 − τ forgets the task).</summary>
    public static TaskVector operator -(TaskVector tau) => (tau ?? throw new ArgumentNullException(nameof(tau))).Scale(-1f);

    /// <summary>α·τ, a new vector with this one's metadata.</summary>
    /// <exception cref="ArgumentOutOfRangeException">α is NaN or ±∞.</exception>
    /// <exception cref="ArgumentException">α·τ overflows to ±∞.</exception>
    public TaskVector Scale(float alpha)
    {
        CheckAlpha(alpha, nameof(alpha));
        return new TaskVector(_tensors.ToDictionary(kv => kv.Key, kv =>
        {
            var t = new Tensor(kv.Value.Shape);
            TensorMath.Scale(kv.Value.Span, alpha, t.Span);
            return t;
        }, StringComparer.Ordinal), Metadata);
    }

    /// <summary>τ_a + τ_b with <paramref name="options"/> (e.g. skipped tensors).</summary>
    /// <exception cref="TaskVectorMismatchException">The operands disagree.</exception>
    public TaskVector Add(TaskVector other, TaskVectorCombineOptions? options = null) => Combine("τ_a + τ_b", [this, other], [1f, 1f], options);

    /// <summary>τ_a − τ_b with <paramref name="options"/>.</summary>
    /// <exception cref="TaskVectorMismatchException">The operands disagree.</exception>
    public TaskVector Subtract(TaskVector other, TaskVectorCombineOptions? options = null) => Combine("τ_a − τ_b", [this, other], [1f, -1f], options);

    /// <summary>Σ_t τ_t over one or more vectors (same base, regime, names and shapes).</summary>
    /// <exception cref="ArgumentException">The list is empty or holds null.</exception>
    /// <exception cref="TaskVectorMismatchException">The operands disagree (all disagreements listed).</exception>
    public static TaskVector Sum(IReadOnlyList<TaskVector> vectors, TaskVectorCombineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        return Combine("Sum", vectors, [.. Enumerable.Repeat(1f, vectors.Count)], options);
    }

    /// <summary>Σ_t α_t τ_t over one or more vectors, one α per vector.</summary>
    /// <exception cref="ArgumentException">The list is empty, holds null, or has not one finite α per vector.</exception>
    /// <exception cref="TaskVectorMismatchException">The operands disagree.</exception>
    public static TaskVector WeightedSum(IReadOnlyList<TaskVector> vectors, IReadOnlyList<float> alphas, TaskVectorCombineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(alphas);
        if (alphas.Count != vectors.Count) throw new ArgumentException($"{alphas.Count} coefficients for {vectors.Count} task vectors.", nameof(alphas));
        for (int i = 0; i < alphas.Count; i++) CheckAlpha(alphas[i], $"{nameof(alphas)}[{i}]");
        return Combine("Weighted sum", vectors, [.. alphas], options);
    }

    /// <summary>
    /// θ ← θ + α·τ for every tensor of this vector, on <paramref name="model"/>'s parameters, after checking that the
    /// vector was made from this base model (<see cref="EnsureBase(IParameterized, string?)"/>) and that every result is finite. On any error the
    /// model is left untouched.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">α is NaN or ±∞.</exception>
    /// <exception cref="ArgumentException">A tensor has no parameter of that name and shape in the model, or θ + α·τ overflows.</exception>
    /// <exception cref="InvalidOperationException">The vector records another base model, or none.</exception>
    public void AddTo(IParameterized model, float alpha = 1f) => AddTo(model, [this], [alpha]);

    /// <summary>
    /// θ ← θ + Σ_t α_t τ_t (one α per task vector): the merged model of task arithmetic. Every vector is checked against
    /// <paramref name="model"/> (base fingerprint, names, shapes) and every result for finiteness before any parameter changes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An α is NaN or ±∞.</exception>
    /// <exception cref="ArgumentException">Counts differ, a tensor does not fit the model, or a result overflows.</exception>
    /// <exception cref="InvalidOperationException">A vector records another base model, or none.</exception>
    public static void AddTo(IParameterized model, IReadOnlyList<TaskVector> vectors, IReadOnlyList<float> alphas)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(alphas);
        if (vectors.Count == 0) throw new ArgumentException("No task vectors to add.", nameof(vectors));
        if (alphas.Count != vectors.Count) throw new ArgumentException($"{alphas.Count} coefficients for {vectors.Count} task vectors.", nameof(alphas));
        for (int i = 0; i < alphas.Count; i++) CheckAlpha(alphas[i], $"{nameof(alphas)}[{i}]");
        var byName = model.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var v in vectors)
        {
            ArgumentNullException.ThrowIfNull(v, nameof(vectors));
            v.CheckFits(byName);
        }
        string fingerprint = ModelFingerprint.Compute(model);
        foreach (var v in vectors) v.EnsureBase(fingerprint, null);

        // Each touched parameter's new value is built aside and checked, so a failure leaves θ as it was.
        var updated = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int t = 0; t < vectors.Count; t++)
            foreach (var (name, tau) in vectors[t]._tensors)
            {
                if (!updated.TryGetValue(name, out var value)) updated.Add(name, value = byName[name].Value.Span.ToArray());
                TensorMath.AddScaled(tau.Span, alphas[t], value);
            }
        foreach (var (name, value) in updated)
            if (!TensorMath.AllFinite(value))
                throw new ArgumentException($"θ + α·τ of parameter '{name}' overflows to ±∞; the model was left unchanged.", nameof(alphas));
        foreach (var (name, value) in updated) value.CopyTo(byName[name].Value.Span);
    }

    /// <summary>A copy (tensors shared) whose metadata records <paramref name="model"/>'s fingerprint as the base: an explicit claim.</summary>
    public TaskVector WithBase(IParameterized model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return WithMetadata(ModelFingerprint.MetadataKey, ModelFingerprint.Compute(model));
    }

    /// <summary>A copy (tensors shared) whose metadata records <paramref name="regime"/>.</summary>
    public TaskVector WithRegime(Regime regime) => WithMetadata(RegimeKey, RegimeText(regime));

    /// <summary>Writes the vector as safetensors (float32, atomic) with its metadata.</summary>
    public void Save(string path) =>
        SafetensorsWriter.Write(path, _tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal), FileHeader.Stamped(Metadata, FileHeader.TaskVector));

    /// <summary>Reads a task vector file.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors.</exception>
    /// <exception cref="FileKindException">The file declares another kind (factors, a checkpoint …); files without the header are read.</exception>
    /// <exception cref="InvalidDataException">A tensor holds NaN or ±∞, or the regime metadata is invalid (the message names the file and tensor).</exception>
    public static TaskVector Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        FileHeader.Expect(file.FilePath, file.Metadata, allowUnmarked: true, FileHeader.TaskVector, FileHeader.Merged);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors)
        {
            var tensor = file.ReadTensor(info.Name);
            if (!TensorMath.AllFinite(tensor.Span))
                throw new InvalidDataException($"Task vector file '{file.FilePath}': tensor '{info.Name}' holds NaN or ±∞.");
            tensors.Add(info.Name, tensor);
        }
        if (ParseRegime(file.Metadata.GetValueOrDefault(RegimeKey)) is null)
            throw new InvalidDataException($"Task vector file '{file.FilePath}': metadata \"{RegimeKey}\" is '{file.Metadata[RegimeKey]}', not 'linearized' or 'non-linear'.");
        // The header describes the file, not the vector: Save stamps it again.
        return new TaskVector(tensors, file.Metadata.Where(kv => !FileHeader.IsHeaderKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> unless the recorded base fingerprint equals <paramref name="model"/>'s.
    /// <paramref name="source"/> (e.g. the file) is named in the message.
    /// </summary>
    public void EnsureBase(IParameterized model, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        EnsureBase(ModelFingerprint.Compute(model), source);
    }

    internal void EnsureBase(string actual, string? source)
    {
        string what = source is null ? "Task vector" : $"Task vector '{source}'";
        if (BaseFingerprint is null)
            throw new InvalidOperationException($"{what} records no base-model fingerprint, so it cannot be checked against this model ({Short(actual)}); stamp it with WithBase(model) if you know its base.");
        if (!string.Equals(BaseFingerprint, actual, StringComparison.Ordinal))
            throw new InvalidOperationException($"{what} was made from base model {Short(BaseFingerprint)}, not this model ({Short(actual)}).");
    }

    /// <summary>"linearized" or "non-linear": the metadata text of a regime.</summary>
    public static string RegimeText(Regime regime) => regime switch
    {
        Regime.Linearized => "linearized",
        Regime.NonLinear => "non-linear",
        _ => throw new ArgumentOutOfRangeException(nameof(regime), regime, "Unknown regime."),
    };

    /// <summary>Throws unless α is finite.</summary>
    internal static void CheckAlpha(float alpha, string paramName)
    {
        if (!float.IsFinite(alpha)) throw new ArgumentOutOfRangeException(paramName, alpha, "A task-vector coefficient must be finite.");
    }

    /// <summary>
    /// Lists every disagreement of the operands with the first (base fingerprint, regime, tensor names and shapes), leaving
    /// out <paramref name="skip"/>: one line per disagreement naming the operand's label and the tensor.
    /// </summary>
    internal static List<string> Mismatches(IReadOnlyList<(string Label, string? Fingerprint, Regime Regime, IReadOnlyDictionary<string, int[]> Shapes)> operands, IReadOnlySet<string> skip)
    {
        var mismatches = new List<string>();
        var first = operands[0];
        var reference = first.Shapes.Where(kv => !skip.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        for (int i = 1; i < operands.Count; i++)
        {
            var v = operands[i];
            if (!string.Equals(first.Fingerprint, v.Fingerprint, StringComparison.Ordinal))
                mismatches.Add($"{v.Label} was made from base model {Short(v.Fingerprint)}, {first.Label} from {Short(first.Fingerprint)}");
            if (first.Regime != v.Regime)
                mismatches.Add($"{v.Label} is {RegimeText(v.Regime)}, {first.Label} is {RegimeText(first.Regime)}");
            var other = v.Shapes.Where(kv => !skip.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            CompareLayouts(v.Label, other, first.Label, reference, mismatches);
        }
        return mismatches;
    }

    /// <summary>The operand description <see cref="Mismatches"/> compares.</summary>
    internal (string Label, string? Fingerprint, Regime Regime, IReadOnlyDictionary<string, int[]> Shapes) Describe(string label) =>
        (label, BaseFingerprint, Regime, _tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Shape.ToArray(), StringComparer.Ordinal));

    private static void CompareLayouts(string label, Dictionary<string, int[]> shapes, string referenceLabel, Dictionary<string, int[]> reference, List<string> mismatches)
    {
        foreach (var (name, shape) in reference.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!shapes.TryGetValue(name, out var other)) mismatches.Add($"{label} lacks tensor '{name}' of {referenceLabel}");
            else if (!other.AsSpan().SequenceEqual(shape)) mismatches.Add($"tensor '{name}' is {Tensor.ShapeString(other)} in {label}, {Tensor.ShapeString(shape)} in {referenceLabel}");
        }
        foreach (var name in shapes.Keys.Where(n => !reference.ContainsKey(n)).Order(StringComparer.Ordinal))
            mismatches.Add($"{label} has tensor '{name}', which {referenceLabel} lacks");
    }

    private static TaskVector Combine(string operation, IReadOnlyList<TaskVector> vectors, float[] alphas, TaskVectorCombineOptions? options)
    {
        if (vectors.Count == 0) throw new ArgumentException($"{operation}: no task vectors.", nameof(vectors));
        for (int i = 0; i < vectors.Count; i++)
            if (vectors[i] is null) throw new ArgumentException($"{operation}: task vector {i} is null.", nameof(vectors));
        var skip = (options ?? TaskVectorCombineOptions.Default).Skip;
        var mismatches = Mismatches([.. vectors.Select((v, i) => v.Describe($"task vector {i}"))], skip);
        if (mismatches.Count > 0) throw new TaskVectorMismatchException(operation, mismatches);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, first) in vectors[0]._tensors)
        {
            if (skip.Contains(name)) continue;
            var sum = new Tensor(first.Shape);
            for (int t = 0; t < vectors.Count; t++) TensorMath.AddScaled(vectors[t]._tensors[name].Span, alphas[t], sum.Span);
            if (!TensorMath.AllFinite(sum.Span)) throw new ArgumentException($"{operation}: tensor '{name}' overflows to ±∞.", nameof(vectors));
            result.Add(name, sum);
        }
        return new TaskVector(result, CommonMetadata(vectors[0]));
    }

    /// <summary>The metadata a derived vector keeps: base fingerprint and regime.</summary>
    internal static Dictionary<string, string> CommonMetadata(TaskVector like)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [RegimeKey] = RegimeText(like.Regime) };
        if (like.BaseFingerprint is { } fingerprint) metadata[ModelFingerprint.MetadataKey] = fingerprint;
        return metadata;
    }

    private void CheckFits(Dictionary<string, Parameter> byName)
    {
        foreach (var (name, tau) in _tensors)
        {
            var p = byName.GetValueOrDefault(name) ?? throw new ArgumentException($"Task vector tensor '{name}' has no parameter in the model.", "model");
            if (!p.Value.HasShape(tau.Shape)) throw new ArgumentException($"Task vector tensor '{name}' {tau.ShapeText} does not match the parameter {p.Value.ShapeText}.", "model");
        }
    }

    private TaskVector WithMetadata(string key, string value)
    {
        var metadata = new Dictionary<string, string>(Metadata, StringComparer.Ordinal) { [key] = value };
        return new TaskVector(_tensors, metadata);
    }

    internal static Regime? ParseRegime(string? text) => text switch
    {
        null => Regime.NonLinear,
        _ when string.Equals(text, "linearized", StringComparison.OrdinalIgnoreCase) => Regime.Linearized,
        _ when string.Equals(text, "non-linear", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "nonlinear", StringComparison.OrdinalIgnoreCase) => Regime.NonLinear,
        _ => null,
    };

    internal static string Short(string? fingerprint) => fingerprint switch
    {
        null => "(none recorded)",
        { Length: > 12 } => fingerprint[..12] + "…",
        _ => $"'{fingerprint}'",
    };
}
