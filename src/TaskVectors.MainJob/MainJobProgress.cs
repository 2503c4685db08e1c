// MainJobProgress: one progress report of the main job: the row, the phase (zero-shot, factors, fine-tune, evaluate),
// the method and task at work, how far the phase is and the time it has left at its current rate.
namespace TaskVectors.MainJob;

/// <summary>A progress report of the main job.</summary>
/// <param name="Row">The row ("text", "vision").</param>
/// <param name="Method">The method at work (e.g. "linear FT + TAK (β = 100)"), or null for row-level phases.</param>
/// <param name="Phase">"zero-shot", "factors", "fine-tune" or "evaluate".</param>
/// <param name="Task">The task at work, if any.</param>
/// <param name="Fraction">How much of the phase is done, in [0, 1].</param>
/// <param name="Elapsed">Time spent in the phase so far.</param>
/// <param name="Remaining">The phase's estimated time left (elapsed · (1 − f) / f); null before any work is done.</param>
/// <param name="FromCache">The item was taken from the cache.</param>
public sealed record MainJobProgress(string Row, string? Method, string Phase, string? Task, double Fraction, TimeSpan Elapsed, TimeSpan? Remaining, bool FromCache);
