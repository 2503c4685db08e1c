// FineTuneProgress: what a fine-tuning run reports after each optimizer step.
namespace TaskVectors.Training;

/// <summary>Progress of a fine-tuning run after optimizer step <see cref="Step"/> (1-based) of <see cref="TotalSteps"/>.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Optimizer steps planned.</param>
/// <param name="Loss">Mean cross-entropy of the step's examples.</param>
/// <param name="Penalty">Sum of the regularizers' penalties R(τ) (0 without regularizers).</param>
/// <param name="LearningRate">Learning rate used for the step.</param>
/// <param name="GradientNorm">Global gradient norm before clipping.</param>
/// <param name="ExamplesPerSecond">Throughput of this step.</param>
public readonly record struct FineTuneProgress(long Step, long TotalSteps, double Loss, double Penalty, double LearningRate, double GradientNorm, double ExamplesPerSecond);
