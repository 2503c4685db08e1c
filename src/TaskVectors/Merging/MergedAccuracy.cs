// MergedAccuracy: test accuracies of a merged model at one α: per task, absolute (their mean) and normalized
// (mean over tasks of merged / individually fine-tuned accuracy).
namespace TaskVectors.Merging;

/// <summary>A merged model's test accuracies at <paramref name="Alpha"/>.</summary>
/// <param name="Alpha">The coefficient α of θ0 + α·τ*.</param>
/// <param name="PerTask">Accuracy on each task's test data with its own head, in task order.</param>
/// <param name="Absolute">Mean of <paramref name="PerTask"/>.</param>
/// <param name="Normalized">Mean over tasks of PerTask[t] / individual[t].</param>
public sealed record MergedAccuracy(float Alpha, IReadOnlyList<double> PerTask, double Absolute, double Normalized);
