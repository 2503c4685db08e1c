// ILearningRateSchedule: the learning rate as a function of the 0-based optimizer step.
namespace TaskVectors.Training;

/// <summary>A learning-rate schedule: lr(step) for the 0-based step about to be taken.</summary>
internal interface ILearningRateSchedule
{
    /// <summary>The learning rate for step <paramref name="step"/> (0 for the first step).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    double At(long step);
}
