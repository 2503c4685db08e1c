// Evaluator: accuracy of a model with a task vector applied, in the regime the vector was trained in:
//   non-linear: argmax head(f(x; θ0 + α·τ));  linearized: argmax head(f(x; θ0) + J(x; θ0)·(α·τ)).
// The model's parameters and tangents are as they were when it returns.
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Merging;

/// <summary>Top-1 accuracy of an embedding model through a frozen cosine head, optionally with a task vector applied.</summary>
public static class Evaluator
{
    /// <summary>
    /// The fraction of <paramref name="data"/> whose argmax logit equals its label, for the model at θ0 + α·τ (regime
    /// NonLinear) or its linearization f(x; θ0) + J(x; θ0)·α·τ (Linearized). <paramref name="taskVector"/> null evaluates
    /// θ0 itself. The regime is the vector's own (<see cref="TaskVector.Regime"/>); <paramref name="regime"/> may only name
    /// another one together with <paramref name="overrideRegime"/> = true, an explicit request.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">α is NaN or ±∞, or the batch size is not positive.</exception>
    /// <exception cref="ArgumentException">
    /// A task-vector tensor has no parameter of that name and shape, a label is outside the head, an embedding is NaN or
    /// ±∞ (e.g. NaN images; the message names the dataset and examples), or <paramref name="regime"/> differs from the
    /// vector's without <paramref name="overrideRegime"/>.
    /// </exception>
    /// <exception cref="InvalidOperationException">The task vector records another base model, or none.</exception>
    public static double Accuracy<TInput>(IEmbeddingModel<TInput> model, CosineHead head, ILabeledData<TInput> data,
        TaskVector? taskVector = null, Regime? regime = null, float alpha = 1f, int batchSize = 128, bool overrideRegime = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Regime effective = EffectiveRegime(taskVector, regime, overrideRegime);
        if (taskVector is not null)
        {
            TaskVector.CheckAlpha(alpha, nameof(alpha));
            var byName = model.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
            foreach (var (name, tau) in taskVector.Tensors) Find(byName, name, tau);
            taskVector.EnsureBase(model);
        }
        return AccuracyCore(model, head, data, taskVector, effective, alpha, batchSize);
    }

    /// <summary>The regime an evaluation runs in: the vector's, unless another is asked for explicitly.</summary>
    internal static Regime EffectiveRegime(TaskVector? taskVector, Regime? regime, bool overrideRegime)
    {
        if (regime is { } r && !Enum.IsDefined(r)) throw new ArgumentOutOfRangeException(nameof(regime), r, "Unknown regime.");
        if (taskVector is null) return regime ?? Regime.NonLinear;
        if (regime is { } asked && asked != taskVector.Regime && !overrideRegime)
            throw new ArgumentException(
                $"The task vector is {TaskVector.RegimeText(taskVector.Regime)} but evaluation was asked for in the {TaskVector.RegimeText(asked)} regime; " +
                "pass overrideRegime: true to evaluate it through the other model on purpose.", nameof(regime));
        return regime ?? taskVector.Regime;
    }

    /// <summary>
    /// <see cref="Accuracy"/> without the base-model check (the caller has made it once, e.g. the evaluation protocol).
    /// </summary>
    internal static double AccuracyCore<TInput>(IEmbeddingModel<TInput> model, CosineHead head, ILabeledData<TInput> data,
        TaskVector? taskVector, Regime regime, float alpha, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        TaskVector.CheckAlpha(alpha, nameof(alpha));
        if (data.Count == 0) throw new ArgumentException($"The dataset '{data.Description}' is empty.", nameof(data));
        var byName = model.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var tangents = new List<(Parameter Parameter, Tensor? Saved)>();
        Dictionary<string, Tensor>? theta0 = null;
        try
        {
            if (taskVector is not null)
            {
                if (regime == Regime.Linearized)
                {
                    foreach (var (name, tau) in taskVector.Tensors)
                    {
                        var p = Find(byName, name, tau);
                        var t = new Tensor(tau.Shape);
                        TensorMath.Scale(tau.Span, alpha, t.Span);
                        tangents.Add((p, p.Tangent));
                        p.Tangent = t;
                    }
                    foreach (var p in model.Parameters)
                        if (!taskVector.Tensors.ContainsKey(p.Name) && p.Tangent is not null)
                        {
                            tangents.Add((p, p.Tangent));
                            p.Tangent = null;
                        }
                }
                else
                {
                    theta0 = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                    foreach (var (name, tau) in taskVector.Tensors)
                    {
                        var p = Find(byName, name, tau);
                        theta0.Add(name, p.Value.Clone());
                        TensorMath.AddScaled(tau.Span, alpha, p.Value.Span);
                    }
                }
            }
            return Count(model, head, data, linearized: taskVector is not null && regime == Regime.Linearized, batchSize) / (double)data.Count;
        }
        finally
        {
            foreach (var (p, saved) in tangents) p.Tangent = saved;
            if (theta0 is not null)
                foreach (var (name, value) in theta0) value.Span.CopyTo(byName[name].Value.Span);
        }
    }

    private static Parameter Find(Dictionary<string, Parameter> byName, string name, Tensor tau)
    {
        var p = byName.GetValueOrDefault(name) ?? throw new ArgumentException($"Task vector tensor '{name}' has no parameter in the model.");
        if (!p.Value.HasShape(tau.Shape)) throw new ArgumentException($"Task vector tensor '{name}' {tau.ShapeText} does not match the parameter {p.Value.ShapeText}.");
        return p;
    }

    private static int Count<TInput>(IEmbeddingModel<TInput> model, CosineHead head, ILabeledData<TInput> data, bool linearized, int batchSize)
    {
        int correct = 0;
        Tensor? sum = null;
        TInput? batch = default;
        var indices = new int[batchSize];
        var labels = new int[batchSize];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            if (batch is null || n != batchSize) batch = data.CreateBatch(n);
            for (int i = 0; i < n; i++)
            {
                indices[i] = start + i;
                labels[i] = data.Label(start + i);
                if ((uint)labels[i] >= (uint)head.Classes)
                    throw new ArgumentException($"Example {start + i} of '{data.Description}' has label {labels[i]}, outside the head's {head.Classes} classes.", nameof(data));
            }
            data.Fill(batch, indices.AsSpan(0, n));
            Tensor f;
            if (linearized)
            {
                var d = model.Jvp(batch);
                f = Tensor.Ensure(ref sum, d.Primal.Shape);
                TensorMath.Add(d.Primal.Span, d.Tangent.Span, f.Span);
            }
            else f = model.Forward(batch);
            if (!TensorMath.AllFinite(f.Span))
                throw new ArgumentException($"Examples {start}..{start + n - 1} of '{data.Description}' give NaN or ±∞ embeddings (non-finite inputs or weights); no accuracy is computed.", nameof(data));
            correct += SoftmaxCrossEntropy.CountCorrect(head.Forward(f), labels.AsSpan(0, n));
        }
        return correct;
    }
}
