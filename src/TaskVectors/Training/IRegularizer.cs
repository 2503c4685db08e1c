// IRegularizer: a penalty R(τ) on the task vector being trained, applied once per optimizer step
// (not per micro-batch), adding ∂R/∂τ to the gradients. The TAK and τJp penalties plug in here.
// The step index is passed in so that a penalty that samples data is a pure function of (seed, step):
// a run resumed from a checkpoint then sees exactly the batches an uninterrupted run would.
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
    /// <param name="parameters">The trainable parameters; τ_p is <see cref="TrainableParameter.Tau"/>.</param>
    /// <param name="step">
    /// The 0-based index of the optimizer step (0 … <see cref="FineTuneOptions.Steps"/> − 1). A regularizer that
    /// samples data (or anything else random) must make its choice a pure function of (its seed, <paramref name="step"/>)
    /// and keep no other state that changes its result, so that a run resumed at step k matches an uninterrupted run;
    /// a data-free penalty (TAK) ignores it.
    /// </param>
    double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long step);
}
