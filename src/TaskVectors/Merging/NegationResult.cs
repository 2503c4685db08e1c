// NegationResult: task negation θ0 − α·τ_target: target accuracy (lower is better) at the largest α whose control
// accuracy keeps ≥ 95 % of the base model's, α picked on validation, accuracies reported on test.
namespace TaskVectors.Merging;

/// <summary>The negation of one task (<see cref="MergeEvaluation.Negate"/>).</summary>
/// <param name="Method">The row's label.</param>
/// <param name="Target">The negated task.</param>
/// <param name="Control">The control task.</param>
/// <param name="BaseTarget">θ0's test accuracy on the target task.</param>
/// <param name="BaseControl">θ0's test accuracy on the control task.</param>
/// <param name="Alpha">The chosen α (0 when no α of the grid keeps the control).</param>
/// <param name="TargetAccuracy">Test accuracy on the target task at θ0 − α·τ.</param>
/// <param name="ControlAccuracy">Test accuracy on the control task at θ0 − α·τ.</param>
/// <param name="ValidationSweep">Validation target (Accuracy) and control (Control) accuracies at each α.</param>
public sealed record NegationResult(string Method, string Target, string Control, double BaseTarget, double BaseControl,
    float Alpha, double TargetAccuracy, double ControlAccuracy, IReadOnlyList<AlphaScore> ValidationSweep);
