// MergeEvaluationResult: one row of the paper's merge table: a method's individual accuracies, its merge at α = 1
// and at the α picked on validation data (reported on test), and the validation sweep behind that pick.
namespace TaskVectors.Merging;

/// <summary>The evaluation of one merged task vector over all tasks (<see cref="MergeEvaluation.Evaluate"/>).</summary>
/// <param name="Method">The row's label (e.g. "TAK + task arithmetic").</param>
/// <param name="Tasks">Task names, in order.</param>
/// <param name="Individual">Each task's test accuracy with its own fine-tuned vector (the normalization's denominator).</param>
/// <param name="AtAlphaOne">Test accuracies at α = 1.</param>
/// <param name="AtBestAlpha">Test accuracies at the α of highest mean validation accuracy (the first such α of the grid).</param>
/// <param name="ValidationSweep">Mean validation accuracy at each α of the grid.</param>
public sealed record MergeEvaluationResult(string Method, IReadOnlyList<string> Tasks, IReadOnlyList<double> Individual,
    MergedAccuracy AtAlphaOne, MergedAccuracy AtBestAlpha, IReadOnlyList<AlphaScore> ValidationSweep);
