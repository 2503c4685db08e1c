// TrainingDivergedException: the loss, the gradient or θ after the update became NaN or infinite at a known step.
namespace TaskVectors.Training;

/// <summary>
/// Thrown when a fine-tuning step produces a non-finite loss, penalty or gradient (the run stops before the optimizer
/// step), or a non-finite θ after the optimizer step (e.g. a learning rate that overflows float32; the run stops
/// before that θ is checkpointed or returned). The last checkpoint on disk (if any) is left as it was, and no τ is returned.
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
