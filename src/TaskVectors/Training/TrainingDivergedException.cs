// TrainingDivergedException: the loss or the gradient became NaN or infinite at a known step.
namespace TaskVectors.Training;

/// <summary>
/// Thrown when a fine-tuning step produces a non-finite loss or gradient. The run stops before the optimizer
/// applies that step; the last checkpoint on disk (if any) is left as it was.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for optimizer step <paramref name="step"/> (1-based).</summary>
    public TrainingDivergedException(long step, string what)
        : base($"Fine-tuning diverged at step {step}: {what}. The last checkpoint (if any) is intact.")
    {
        Step = step;
    }

    /// <summary>The 1-based optimizer step that diverged.</summary>
    public long Step { get; }
}
