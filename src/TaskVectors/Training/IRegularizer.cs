// IRegularizer: a penalty R(τ) on the task vector being trained, applied once per optimizer step
// (not per micro-batch), adding ∂R/∂τ to the gradients. The TAK penalty plugs in here.
namespace TaskVectors.Training;

/// <summary>A penalty on the task vector τ, with its gradient.</summary>
public interface IRegularizer
{
    /// <summary>A short name for progress reports and metadata.</summary>
    string Name { get; }

    /// <summary>
    /// Returns R(τ) for the current τ of <paramref name="parameters"/> and adds ∂R/∂τ_p to each parameter's
    /// <see cref="TrainableParameter.Grad"/>. Called once per optimizer step, after the data gradients.
    /// </summary>
    double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters);
}
