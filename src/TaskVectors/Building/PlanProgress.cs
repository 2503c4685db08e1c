// PlanProgress: one progress report of a plan's run. Reports arrive synchronously, on the thread doing the work
// and in order (pass an InlineProgress to handle them as they happen).
namespace TaskVectors.Building;

/// <summary>
/// Progress of <paramref name="Stage"/> for <paramref name="Task"/>: <paramref name="Done"/> of <paramref name="Total"/>
/// units. An item taken from the cache reports once, with <paramref name="FromCache"/> true and Done = Total.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Task">The task (null for the merge).</param>
/// <param name="Done">Units done (examples, steps, tensors or measurements).</param>
/// <param name="Total">Units planned.</param>
/// <param name="FromCache">Whether the result was reused from the cache rather than computed.</param>
/// <param name="Loss">The fine-tuning step's loss (NaN in other stages).</param>
public readonly record struct PlanProgress(PlanStage Stage, string? Task, long Done, long Total, bool FromCache, double Loss)
{
    /// <summary>Whether this report ends its item (Done = Total).</summary>
    public bool Completed => Done >= Total;
}
