// FineTuner: fine-tunes an embedding model on one task through a frozen cosine head and returns the
// task vector τ = θ_t − θ0 of the trainable parameters. One optimizer step:
//   for each of A micro-batches (B examples): f = f(x; θ) (non-linear) or f(x; θ0) + J(x; θ0)·τ (linearized),
//     L = CE(head(f), y) / A, backward → ∂L/∂τ accumulates in Parameter.Grad
//   + Σ regularizers' ∂R/∂τ; clip the global norm; optimizer step on θ = θ0 + τ with the scheduled lr.
// The model is left at θ0 when Run returns or throws.
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Training;

/// <summary>
/// Fine-tunes <typeparamref name="TInput"/> → embedding models in the non-linear or linearized regime
/// (see <see cref="Regime"/>), deterministically for a given seed, resumably, with progress and cancellation.
/// </summary>
public sealed class FineTuner<TInput>
{
    private readonly IEmbeddingModel<TInput> _model;
    private readonly CosineHead _head;
    private readonly SoftmaxCrossEntropy _loss;
    private Tensor? _linearized;

    /// <summary>Prepares a fine-tuner; <paramref name="head"/> is frozen (its class embeddings never change).</summary>
    /// <exception cref="ArgumentException">The options are invalid, or the head's width is not the model's embedding width.</exception>
    public FineTuner(IEmbeddingModel<TInput> model, CosineHead head, FineTuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (head.Features != model.EmbeddingDim)
            throw new ArgumentException($"Head '{head.Name}' takes {head.Features}-dimensional embeddings; the model produces {model.EmbeddingDim}.", nameof(head));
        _model = model;
        _head = head;
        Options = options;
        _loss = new SoftmaxCrossEntropy(options.LabelSmoothing);
    }

    /// <summary>The run's settings.</summary>
    public FineTuneOptions Options { get; }

    /// <summary>
    /// Runs <see cref="FineTuneOptions.Steps"/> optimizer steps on <paramref name="data"/> (resuming from the
    /// checkpoint when one exists) and returns τ with metadata. The model's parameters are θ0 again afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">The data is empty, or a label is outside the head's classes.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN/∞ (names the step; the last checkpoint stays intact).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the last checkpoint stays intact).</exception>
    /// <exception cref="InvalidOperationException">The checkpoint belongs to another base model or other settings.</exception>
    public TaskVector Run(ILabeledData<TInput> data, IProgress<FineTuneProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckData(data);
        var options = Options;
        string fingerprint = ModelFingerprint.Compute(_model);
        var selected = options.Trainable.Select(_model);
        var trainables = new List<TrainableParameter>(selected.Count);
        foreach (var p in selected)
        {
            var theta0 = p.Value.Clone();
            trainables.Add(new TrainableParameter(p, theta0, options.Regime == Regime.Linearized ? p.Value.Clone() : p.Value));
        }
        var slots = trainables.Select(t => new OptimizerSlot(t.Name, t.Theta, t.Grad)).ToList();
        IOptimizer optimizer = options.Optimizer == OptimizerKind.AdamW
            ? new AdamW(new AdamWOptions { WeightDecay = options.WeightDecay })
            : new SgdMomentum(options.Momentum, options.WeightDecay);
        var schedule = new CosineSchedule(options.LearningRate, options.WarmupSteps, options.Steps);
        var checkpoint = options.CheckpointPath is null ? null : new FineTuneCheckpoint(options.CheckpointPath, fingerprint, options);
        long start = checkpoint?.TryResume(trainables, optimizer) ?? 0;

        foreach (var p in _model.Parameters) p.Tangent = null;
        // Parameters outside the trainable set need no gradient: their Backward work (weight-gradient GEMMs) is skipped.
        var requiresGrad = _model.Parameters.Select(p => p.RequiresGrad).ToArray();
        var trainableSet = selected.ToHashSet();
        foreach (var p in _model.Parameters) p.RequiresGrad = trainableSet.Contains(p);
        if (options.Regime == Regime.Linearized)
            foreach (var t in trainables) t.Parameter.Tangent = t.Tau;

        var sampler = new EpochSampler(data.Count, options.Seed);
        var batch = data.CreateBatch(options.BatchSize);
        var indices = new int[options.BatchSize];
        var labels = new int[options.BatchSize];
        var allParameters = _model.Parameters;
        try
        {
            for (long step = start; step < options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long started = Stopwatch.GetTimestamp();
                for (int i = 0; i < allParameters.Count; i++) allParameters[i].ZeroGrad();
                double loss = 0;
                for (int a = 0; a < options.AccumulationSteps; a++)
                {
                    sampler.Fill((step * options.AccumulationSteps + a) * options.BatchSize, indices);
                    data.Fill(batch, indices);
                    for (int i = 0; i < indices.Length; i++) labels[i] = data.Label(indices[i]);
                    loss += MicroBatch(batch, labels, options.AccumulationSteps) / options.AccumulationSteps;
                }
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(step + 1, $"the loss is {loss}");
                double penalty = 0;
                for (int r = 0; r < options.Regularizers.Count; r++) penalty += options.Regularizers[r].AddPenaltyGradient(trainables, step);
                if (!double.IsFinite(penalty)) throw new TrainingDivergedException(step + 1, $"the regularizers' penalty is {penalty}");
                double norm = options.MaxGradientNorm is { } max
                    ? GradientClipping.ClipByGlobalNorm(slots, max)
                    : GradientClipping.GlobalNorm(slots);
                if (!double.IsFinite(norm)) throw new TrainingDivergedException(step + 1, $"the gradient norm is {norm}");
                double lr = schedule.At(step);
                optimizer.Step(slots, lr);
                foreach (var t in trainables) t.RefreshTau();

                bool last = step + 1 == options.Steps;
                if (checkpoint is not null && (last || (options.CheckpointEvery > 0 && (step + 1) % options.CheckpointEvery == 0)))
                    checkpoint.Save(step + 1, trainables, optimizer);
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                progress?.Report(new FineTuneProgress(step + 1, options.Steps, loss, penalty, lr, norm,
                    options.BatchSize * options.AccumulationSteps / Math.Max(seconds, 1e-9)));
            }
            return TaskVectorOf(trainables, data, fingerprint);
        }
        finally
        {
            for (int i = 0; i < requiresGrad.Length; i++) allParameters[i].RequiresGrad = requiresGrad[i];
            foreach (var t in trainables)
            {
                t.Parameter.Tangent = null;
                if (options.Regime == Regime.NonLinear) t.Theta0.Span.CopyTo(t.Parameter.Value.Span);
            }
        }
    }

    // One micro-batch: forward (or JVP), head, loss, backward. Returns the batch's mean loss.
    private double MicroBatch(TInput batch, int[] labels, int accumulation)
    {
        Tensor f;
        if (Options.Regime == Regime.Linearized)
        {
            var d = _model.Jvp(batch);
            f = Tensor.Ensure(ref _linearized, d.Primal.Shape);
            TensorMath.Add(d.Primal.Span, d.Tangent.Span, f.Span);
        }
        else f = _model.Forward(batch);
        double loss = _loss.Forward(_head.Forward(f), labels);
        _model.Backward(_head.Backward(_loss.Backward(1f / accumulation)));
        return loss;
    }

    private void CheckData(ILabeledData<TInput> data)
    {
        if (data.Count == 0) throw new ArgumentException($"The dataset '{data.Description}' is empty.", nameof(data));
        for (int i = 0; i < data.Count; i++)
        {
            int label = data.Label(i);
            if ((uint)label >= (uint)_head.Classes)
                throw new ArgumentException($"Example {i} of '{data.Description}' has label {label}, outside the head's {_head.Classes} classes.", nameof(data));
        }
    }

    private TaskVector TaskVectorOf(List<TrainableParameter> trainables, ILabeledData<TInput> data, string fingerprint)
    {
        var o = Options;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            ["taskvectors.kind"] = "task-vector",
            [ModelFingerprint.MetadataKey] = fingerprint,
            ["regime"] = o.Regime == Regime.Linearized ? "linearized" : "non-linear",
            ["trainable"] = o.Trainable.Name,
            ["steps"] = o.Steps.ToString(CultureInfo.InvariantCulture),
            ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = (o.BatchSize * o.AccumulationSteps).ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = o.Optimizer.ToString(),
            ["learning_rate"] = o.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["weight_decay"] = o.WeightDecay.ToString("R", CultureInfo.InvariantCulture),
            ["regularizers"] = string.Join(",", o.Regularizers.Select(r => r.Name)),
            ["data"] = data.Description,
        };
        return new TaskVector(trainables.ToDictionary(t => t.Name, t => t.Tau.Clone(), StringComparer.Ordinal), metadata);
    }
}
