// ConstantSchedule: lr(step) = lr for every step.
namespace TaskVectors.Training;

/// <summary>A constant learning rate: lr(step) = <see cref="LearningRate"/>.</summary>
internal sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>A schedule that always returns <paramref name="learningRate"/> (finite, ≥ 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite.</exception>
    public ConstantSchedule(double learningRate)
    {
        if (!(learningRate >= 0 && double.IsFinite(learningRate)))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and non-negative.");
        LearningRate = learningRate;
    }

    /// <summary>The rate.</summary>
    public double LearningRate { get; }

    /// <inheritdoc />
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return LearningRate;
    }
}
