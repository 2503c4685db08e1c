// FactorSaturationPoint: how far a task's KFAC factors from n examples are from those of the most examples measured:
// relative Frobenius errors ‖Â/N̂ − A/N‖_F / ‖A/N‖_F of the per-example means, averaged over blocks and tasks.
namespace TaskVectors.MainJob;

/// <summary>Factor saturation at one number of examples per task.</summary>
/// <param name="Examples">Examples per task the factors were estimated from.</param>
/// <param name="RelativeErrorA">Mean over tasks and blocks of the relative Frobenius error of A's mean against the reference.</param>
/// <param name="RelativeErrorG">The same for G.</param>
/// <param name="Seconds">Time to estimate the factors of all tasks.</param>
public sealed record FactorSaturationPoint(int Examples, double RelativeErrorA, double RelativeErrorG, double Seconds);
