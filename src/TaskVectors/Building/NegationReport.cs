// NegationReport: task negation θ0 − α·τ_t: the target task's and the control tasks' test accuracy at the chosen α,
// beside the base model's.
namespace TaskVectors.Building;

/// <summary>The result of negating <paramref name="Task"/> (accuracies are fractions; control = mean over the plan's other tasks).</summary>
/// <param name="Task">The negated task.</param>
/// <param name="Alpha">The α chosen (0 when no α of the grid kept the control tasks' accuracy).</param>
/// <param name="TargetBase">The task's accuracy at θ0.</param>
/// <param name="ControlBase">The other tasks' mean accuracy at θ0.</param>
/// <param name="Target">The task's accuracy at θ0 − α·τ_t.</param>
/// <param name="Control">The other tasks' mean accuracy at θ0 − α·τ_t.</param>
public sealed record NegationReport(string Task, float Alpha, double TargetBase, double ControlBase, double Target, double Control);
