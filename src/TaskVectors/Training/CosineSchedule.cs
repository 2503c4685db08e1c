// CosineSchedule: linear warm-up then half-cosine decay, lr(step) for 0-based steps, exactly the
// `cosine_lr` of the wise-ft / task-vectors / tangent-task-arithmetic code the TAK reference builds on.
namespace TaskVectors.Training;

/// <summary>
/// Linear warm-up followed by cosine decay, as <c>cosine_lr</c> of the wise-ft / task-vectors code
/// (base = <see cref="BaseLearningRate"/>, W = <see cref="WarmupSteps"/>, T = <see cref="TotalSteps"/>,
/// min = <see cref="MinLearningRate"/>):
/// <code>
/// step &lt; W:  lr = base·(step + 1)/W
/// else:      e = step − W, E = T − W,  lr = min + ½·(1 + cos(π·e/E))·(base − min)
/// </code>
/// With min = 0 (the reference) the second line is the reference's 0.5·(1 + cos(π·e/E))·base, in the same
/// double operations: bit-for-bit equal to it with Python's math.cos (numpy's np.cos, which the reference
/// calls, may differ in the last bit for some steps).
/// The reference runs steps 0 … T − 1; beyond its domain this schedule stays at min instead of letting the
/// cosine rise again: e is capped at E, and when E ≤ 0 (W ≥ T) every step from W on gets min (the reference
/// divides by zero there). A warm-up longer than the run is allowed: the run then never leaves the warm-up.
/// </summary>
internal sealed class CosineSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="baseLearningRate">Peak rate, reached at the end of the warm-up; finite, ≥ 0.</param>
    /// <param name="warmupSteps">Warm-up steps W ≥ 0 (0: start at the peak).</param>
    /// <param name="totalSteps">Steps of the run T ≥ 1.</param>
    /// <param name="minLearningRate">Rate the cosine decays to; finite, in [0, base].</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public CosineSchedule(double baseLearningRate, long warmupSteps, long totalSteps, double minLearningRate = 0)
    {
        if (!(baseLearningRate >= 0 && double.IsFinite(baseLearningRate)))
            throw new ArgumentOutOfRangeException(nameof(baseLearningRate), baseLearningRate, "The base learning rate must be finite and non-negative.");
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (!(minLearningRate >= 0 && minLearningRate <= baseLearningRate))
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, $"The minimum learning rate must lie in [0, {baseLearningRate}].");
        BaseLearningRate = baseLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        MinLearningRate = minLearningRate;
    }

    /// <summary>Peak rate.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Warm-up steps W.</summary>
    public long WarmupSteps { get; }

    /// <summary>Steps of the run T.</summary>
    public long TotalSteps { get; }

    /// <summary>Final rate.</summary>
    public double MinLearningRate { get; }

    /// <inheritdoc />
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps) return BaseLearningRate * (step + 1) / WarmupSteps;
        long e = step - WarmupSteps, es = TotalSteps - WarmupSteps;
        if (e >= es) return MinLearningRate;
        return MinLearningRate + 0.5 * (1 + Math.Cos(Math.PI * e / es)) * (BaseLearningRate - MinLearningRate);
    }
}
