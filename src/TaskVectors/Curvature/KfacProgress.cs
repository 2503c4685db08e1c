// KfacProgress: what the estimator reports after each batch (examples done of the total, elapsed time).
namespace TaskVectors.Curvature;

/// <summary>Progress of a factor estimation, reported after every batch.</summary>
/// <param name="Examples">Examples processed so far.</param>
/// <param name="TotalExamples">Examples the estimation will process.</param>
/// <param name="Batches">Batches processed so far.</param>
/// <param name="Elapsed">Time since the estimation started.</param>
public readonly record struct KfacProgress(int Examples, int TotalExamples, int Batches, TimeSpan Elapsed);
