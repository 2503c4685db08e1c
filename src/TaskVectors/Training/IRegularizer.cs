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

    /// <summary>
    /// Everything that determines the penalty's values (its kind, strength, data or factors), as one string that a
    /// fine-tuning checkpoint records: a run resumes only with regularizers of the same identities, in the same order.
    /// The default is <see cref="Name"/>; a penalty with settings should include them.
    /// </summary>
    string Identity => Name;

    /// <summary>
    /// The fingerprint of the base model θ0 the penalty was made for (the one its curvature factors were estimated
    /// at), or null when it is not tied to one. The fine-tuner refuses a regularizer of another base model.
    /// </summary>
    string? BaseFingerprint => null;

    /// <summary>
    /// Called by the fine-tuner once, before the first step, with the run's trainable parameters: throws
    /// <see cref="InvalidOperationException"/> (or <see cref="ArgumentException"/>) when the penalty cannot apply to them,
    /// e.g. when none of its blocks covers a trainable parameter, so that it would silently penalize nothing.
    /// The default checks nothing.
    /// </summary>
    void Prepare(IReadOnlyList<TrainableParameter> parameters)
    {
    }
}
