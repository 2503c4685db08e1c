// TextRowOptions: how the text row is cut for a profile: truncation length, caps on the evaluation splits and the
// fine-tuning settings (MiniLM dominates the main job's cost, so the quick profile trims all of them).
using TaskVectors.Training;

namespace TaskVectors.MainJob.Text;

/// <summary>Settings of <see cref="TextRow.Load"/>.</summary>
public sealed record TextRowOptions
{
    /// <summary>Truncation length in tokens, [CLS] and [SEP] included (≥ 8).</summary>
    public int MaxLength { get; init; } = 64;

    /// <summary>At most this many training examples per task (evenly strided, so every class keeps its share).</summary>
    public int MaxTrain { get; init; } = int.MaxValue;

    /// <summary>At most this many validation examples per task (evenly strided).</summary>
    public int MaxValidation { get; init; } = int.MaxValue;

    /// <summary>At most this many test examples per task (evenly strided).</summary>
    public int MaxTest { get; init; } = int.MaxValue;

    /// <summary>The row's fine-tuning defaults (regime and trainable set are set per method by the protocol).</summary>
    public FineTuneOptions FineTune { get; init; } = new() { Steps = 300, BatchSize = 16, WarmupSteps = 30, LearningRate = 1e-4, Seed = 1 };

    /// <summary>
    /// The full profile (measured on 2 cores, see the README): 48 tokens (above the 90th percentile of the WordNet and
    /// emoji tasks and the median fortune; spam keeps its subject and first lines), all training examples, 96 validation
    /// and 192 test examples per task, 100 steps of 16 at lr 3e-4. Every example at 64 tokens and 300 steps (the property
    /// defaults) was estimated at ≈ 12 h on 2 cores.
    /// </summary>
    public static TextRowOptions Full { get; } = new()
    {
        MaxLength = 48,
        MaxValidation = 96,
        MaxTest = 192,
        FineTune = new() { Steps = 100, BatchSize = 16, WarmupSteps = 10, LearningRate = 3e-4, Seed = 1 },
    };

    /// <summary>
    /// The quick profile (measured on 2 cores, see the README): 24 tokens, 48 validation and 96 test examples per task,
    /// 40 steps of 16 at a high learning rate — enough to specialize the task vectors, not to converge.
    /// </summary>
    public static TextRowOptions Quick { get; } = new()
    {
        MaxLength = 24,
        MaxValidation = 48,
        MaxTest = 96,
        FineTune = new() { Steps = 40, BatchSize = 16, WarmupSteps = 4, LearningRate = 5e-4, Seed = 1 },
    };

    internal void Validate()
    {
        if (MaxLength < 8) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "At least 8 tokens.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTrain, nameof(MaxTrain));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxValidation, nameof(MaxValidation));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTest, nameof(MaxTest));
        ArgumentNullException.ThrowIfNull(FineTune, nameof(FineTune));
        FineTune.Validate();
    }
}
