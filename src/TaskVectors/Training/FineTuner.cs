// FineTuner: fine-tunes an embedding model on one task through a frozen cosine head and returns the
// task vector τ = θ_t − θ0 of the trainable parameters. One optimizer step:
//   for each of A micro-batches (B examples): f = f(x; θ) (non-linear) or f(x; θ0) + J(x; θ0)·τ (linearized),
//     L = CE(head(f), y) / A, backward → ∂L/∂τ accumulates in Parameter.Grad
//   + Σ regularizers' ∂R/∂τ; clip the global norm; optimizer step on θ = θ0 + τ with the scheduled lr;
//   θ checked finite before it is checkpointed. Loss, penalty, gradient norm and θ that are NaN/∞ stop the run.
// The model is left at θ0 when Run returns or throws.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
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
    /// <exception cref="TrainingDivergedException">A loss, penalty, gradient or the updated θ became NaN/∞ (names the step; the last checkpoint stays intact).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the last checkpoint stays intact).</exception>
    /// <exception cref="InvalidOperationException">
    /// A regularizer was made for another base model or covers no trainable parameter; or the checkpoint belongs to another
    /// base model, or was written with other settings (the message names the first that differs).
    /// </exception>
    /// <exception cref="InvalidDataException">The checkpoint is damaged: malformed metadata or optimizer state, non-finite θ or moments (names the file).</exception>
    /// <exception cref="IO.SafetensorsFormatException">The checkpoint is not a valid safetensors file.</exception>
    /// <exception cref="DirectoryNotFoundException">The checkpoint's directory does not exist (checked before the first step).</exception>
    /// <exception cref="IOException">The checkpoint path is a directory (checked before the first step), or a checkpoint cannot be written.</exception>
    public TaskVector Run(ILabeledData<TInput> data, IProgress<FineTuneProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckData(data);
        var options = Options;
        if (options.CheckpointPath is not null) CheckCheckpointLocation(options.CheckpointPath);
        string fingerprint = ModelFingerprint.Compute(_model);
        foreach (var r in options.Regularizers)
            if (r.BaseFingerprint is { } made && made != fingerprint)
                throw new InvalidOperationException(
                    $"Regularizer '{r.Name}' was made for base model {FineTuneCheckpoint.Short(made)}, not for this model ({FineTuneCheckpoint.Short(fingerprint)}); " +
                    "its curvature only applies at the θ0 it was estimated at.");
        var selected = options.Trainable.Select(_model);
        var trainables = new List<TrainableParameter>(selected.Count);
        foreach (var p in selected)
        {
            var theta0 = p.Value.Clone();
            trainables.Add(new TrainableParameter(p, theta0, options.Regime == Regime.Linearized ? p.Value.Clone() : p.Value));
        }
        var slots = trainables.Select(t => new OptimizerSlot(t.Name, t.Theta, t.Parameter)).ToList();
        IOptimizer optimizer = options.Optimizer == OptimizerKind.AdamW
            ? new AdamW(new AdamWOptions { WeightDecay = options.WeightDecay })
            : new SgdMomentum(options.Momentum, options.WeightDecay);
        var schedule = new CosineSchedule(options.LearningRate, options.WarmupSteps, options.Steps);
        foreach (var r in options.Regularizers) r.Prepare(trainables);
        var checkpoint = options.CheckpointPath is null ? null
            : new FineTuneCheckpoint(options.CheckpointPath, fingerprint, options, DataIdentity(data), HeadIdentity(_head));
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
                // A finite gradient can still overflow θ (a huge learning rate): never checkpoint or return such a θ.
                for (int i = 0; i < trainables.Count; i++)
                    if (!TensorMath.AllFinite(trainables[i].Theta.Span))
                        throw new TrainingDivergedException(step + 1, $"θ of '{trainables[i].Name}' is not finite after the optimizer step (learning rate {lr})");
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

    // The checkpoint is first written after a step: a path that cannot be written must fail before any work is done.
    private static void CheckCheckpointLocation(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"The checkpoint path '{full}' is a directory; it must name a file.");
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The directory '{directory}' of the checkpoint path '{full}' does not exist.");
    }

    // The data set as a checkpoint records it: description, size and a hash of the labels (inputs are of any type
    // TInput and are not hashed).
    private static string DataIdentity(ILabeledData<TInput> data)
    {
        var labels = new int[data.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = data.Label(i);
        return $"{data.Description}; {data.Count} examples; labels {Hash(MemoryMarshal.AsBytes(labels.AsSpan()))}";
    }

    // The frozen head as a checkpoint records it: name, size, logit scale and a hash of the class embeddings.
    private static string HeadIdentity(CosineHead head) => string.Create(CultureInfo.InvariantCulture,
        $"{head.Name}; {head.Classes}x{head.Features}; scale {head.LogitScale:R}; embeddings {Hash(MemoryMarshal.AsBytes(head.Weight.Value.Span))}");

    private static string Hash(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

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
