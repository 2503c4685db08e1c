// PlanChecks: the argument checks the builder's calls share, so an invalid setting fails at the call that sets it.
using TaskVectors.Training;

namespace TaskVectors.Building;

internal static class PlanChecks
{
    /// <summary>Validates fine-tuning settings a plan will use; the plan owns regularizers and checkpoints.</summary>
    public static FineTuneOptions FineTune(FineTuneOptions options, string parameter)
    {
        ArgumentNullException.ThrowIfNull(options, parameter);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Invalid fine-tuning settings: {e.Message}", parameter, e);
        }
        if (options.Regularizers.Count > 0)
            throw new ArgumentException("Fine-tuning settings of a plan carry no regularizers: use WithKfacRegularizer, WithDiagonalGgnRegularizer or WithTauJpRegularizer.", parameter);
        return options;
    }

    /// <summary>β ≥ 0 and finite.</summary>
    public static double Beta(double beta, string parameter) =>
        beta >= 0 && double.IsFinite(beta) ? beta : throw new ArgumentOutOfRangeException(parameter, beta, "The regularizer strength β must be finite and non-negative.");

    /// <summary>α finite.</summary>
    public static float Alpha(float alpha, string parameter) =>
        float.IsFinite(alpha) ? alpha : throw new ArgumentOutOfRangeException(parameter, alpha, "α must be finite.");
}
