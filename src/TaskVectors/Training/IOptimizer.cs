// IOptimizer: a first-order optimizer that updates a fixed, ordered list of slots in place once per
// step, and whose state (moments, step count) round-trips bit-exactly through checkpoints.
using TaskVectors.Tensors;

namespace TaskVectors.Training;

/// <summary>
/// An optimizer over a fixed list of <see cref="OptimizerSlot"/>s. The first <see cref="Step"/> (or
/// <see cref="Attach"/>) fixes the slot list, in order, names and shapes, and allocates the state; every
/// later step must pass the same list (the slot objects may be new, the names and shapes may not change)
/// and allocates nothing. State is keyed by slot name, so a checkpoint written by
/// <see cref="ExportState"/> and read back by <see cref="ImportState"/> continues the run bit-for-bit.
/// An optimizer is not thread-safe: one call at a time (each step parallelizes internally).
/// </summary>
internal interface IOptimizer
{
    /// <summary>Steps taken so far (t after the latest step; 0 before the first).</summary>
    long StepCount { get; }

    /// <summary>
    /// Fixes the slot list and allocates the state without stepping, so that a following
    /// <see cref="ImportState"/> is checked against the slots at once and the first <see cref="Step"/>
    /// allocates nothing. Optional: the first <see cref="Step"/> does the same. Calling it again with the
    /// same list does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">Two slots share a name, or the list differs from the one fixed earlier or from imported state.</exception>
    void Attach(IReadOnlyList<OptimizerSlot> slots);

    /// <summary>
    /// Takes one step t = <see cref="StepCount"/> + 1 with learning rate <paramref name="learningRate"/>:
    /// updates every slot's value in place from its gradient. Results do not depend on the thread count.
    /// </summary>
    /// <exception cref="ArgumentException">The slot list differs from the one fixed by the first step, or from imported state.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative or not finite.</exception>
    void Step(IReadOnlyList<OptimizerSlot> slots, double learningRate);

    /// <summary>
    /// Adds the state to the two maps: copies of the per-slot tensors (keyed "{optimizer}.{kind}.{slot name}",
    /// written only once a step has been taken) and scalars formatted with the invariant culture (the step
    /// count, and the hyperparameters with round-trip precision). Existing entries with the same keys are
    /// replaced; other entries are left alone, so one pair of maps can hold a whole checkpoint.
    /// </summary>
    void ExportState(IDictionary<string, Tensor> tensors, IDictionary<string, string> scalars);

    /// <summary>
    /// Restores state written by <see cref="ExportState"/> (entries under other keys are ignored), copying
    /// the tensors, so that the next <see cref="Step"/> continues exactly as the exporting run did. Everything
    /// is validated before anything changes: the step count, the recorded hyperparameters (where present they
    /// must equal this optimizer's), a complete and consistent set of tensors with values a run can reach (finite;
    /// AdamW's v also non-negative) and, once the slot list is known,
    /// their names and shapes (against the slots at once after <see cref="Attach"/> or a step, else at the
    /// next <see cref="Step"/>, which then throws before changing anything).
    /// </summary>
    /// <exception cref="ArgumentException">The state is incomplete, inconsistent, written with other hyperparameters or for other slots; the message names the key or slot.</exception>
    void ImportState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> scalars);
}
