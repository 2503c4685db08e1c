// TaskEvaluation: one row of a plan's evaluation table: a task's test accuracy with its own task vector and with
// the merged model at α = 1 and at the plan's α.
namespace TaskVectors.Building;

/// <summary>Test accuracies (fractions in [0, 1]) of task <paramref name="Task"/>.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Individual">θ0 + τ_t (the task's own vector, its own regime).</param>
/// <param name="MergedAtOne">θ0 + 1·τ*.</param>
/// <param name="MergedAtAlpha">θ0 + α·τ*, α the plan's.</param>
public sealed record TaskEvaluation(string Task, double Individual, double MergedAtOne, double MergedAtAlpha);
