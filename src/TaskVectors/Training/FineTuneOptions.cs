// FineTuneOptions: everything that determines a fine-tuning run. Defaults follow the paper's
// reference training (AdamW, lr 3e-4, weight decay 0.1, cosine schedule with 500 warm-up steps,
// batch 128, the linearized-TAK trainable set).
using TaskVectors.Models;

namespace TaskVectors.Training;

/// <summary>Settings of one fine-tuning run. Effective batch = <see cref="BatchSize"/> × <see cref="AccumulationSteps"/>.</summary>
public sealed record FineTuneOptions
{
    /// <summary>Non-linear or linearized (tangent) fine-tuning.</summary>
    public Regime Regime { get; init; } = Regime.Linearized;

    /// <summary>Which parameters are trained (and so appear in the task vector).</summary>
    public ParameterSelection Trainable { get; init; } = ParameterSelection.LinearizedTak;

    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Examples per micro-batch (one forward/backward).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Micro-batches whose gradients are averaged into one optimizer step.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

    /// <summary>Peak learning rate of the cosine schedule.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>Weight decay λ (decoupled for AdamW, coupled for SGD), applied to θ = θ0 + τ as in the reference.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Momentum μ for <see cref="OptimizerKind.SgdMomentum"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Linear warm-up steps of the cosine schedule.</summary>
    public int WarmupSteps { get; init; } = 500;

    /// <summary>Clip the global gradient norm to this value; null disables clipping.</summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>Label smoothing ε of the cross-entropy.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Seed of the data order; the same seed and data give a bit-identical task vector.</summary>
    public ulong Seed { get; init; }

    /// <summary>Penalties on τ applied once per optimizer step (e.g. the TAK regularizer).</summary>
    public IReadOnlyList<IRegularizer> Regularizers { get; init; } = [];

    /// <summary>
    /// Where the run keeps its resumable checkpoint. When the file exists at start, the run resumes from it
    /// (after checking it belongs to the same base model and settings). Null: no checkpoints.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Write the checkpoint every this many optimizer steps (and after the last); 0 writes only after the last.</summary>
    /// <remarks>The checkpoint's directory must exist when the run starts (it is checked then, not at the first save).</remarks>
    public int CheckpointEvery { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        static void Positive(double value, string name)
        {
            if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be positive and finite, not {value}.", name);
        }
        static void NonNegative(double value, string name)
        {
            if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be non-negative and finite, not {value}.", name);
        }
        if (!Enum.IsDefined(Regime)) throw new ArgumentException($"Unknown regime {Regime}.", nameof(Regime));
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentException($"Unknown optimizer {Optimizer}.", nameof(Optimizer));
        ArgumentNullException.ThrowIfNull(Trainable, nameof(Trainable));
        ArgumentNullException.ThrowIfNull(Regularizers, nameof(Regularizers));
        for (int i = 0; i < Regularizers.Count; i++)
            if (Regularizers[i] is null) throw new ArgumentException($"Regularizers[{i}] is null.", nameof(Regularizers));
        Positive(Steps, nameof(Steps));
        Positive(BatchSize, nameof(BatchSize));
        Positive(AccumulationSteps, nameof(AccumulationSteps));
        Positive(LearningRate, nameof(LearningRate));
        NonNegative(WeightDecay, nameof(WeightDecay));
        NonNegative(Momentum, nameof(Momentum));
        NonNegative(WarmupSteps, nameof(WarmupSteps));
        NonNegative(CheckpointEvery, nameof(CheckpointEvery));
        if (MaxGradientNorm is { } m) Positive(m, nameof(MaxGradientNorm));
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) throw new ArgumentException($"LabelSmoothing must be in [0, 1), not {LabelSmoothing}.", nameof(LabelSmoothing));
    }
}
