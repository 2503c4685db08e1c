// MethodReport: one method's results on a row: its task-arithmetic and TIES merge rows (individual, merged at α = 1
// and at the validation-picked α, absolute and normalized, the validation α sweep) and its negations.
using TaskVectors.Merging;

namespace TaskVectors.MainJob;

/// <summary>One method of a row (e.g. linearized FT + TAK).</summary>
public sealed record MethodReport
{
    /// <summary>The method's label, as printed.</summary>
    public required string Method { get; init; }

    /// <summary>"linearized" or "non-linear".</summary>
    public required string Regime { get; init; }

    /// <summary>The trainable set (<see cref="TaskVectors.Training.ParameterSelection.Name"/>).</summary>
    public required string Trainable { get; init; }

    /// <summary>β of the method's penalty; null without one.</summary>
    public double? Beta { get; init; }

    /// <summary>Task arithmetic: θ0 + α·Σ_t τ_t.</summary>
    public required MergeEvaluationResult TaskArithmetic { get; init; }

    /// <summary>TIES (top 20 %, sign election, disjoint mean); null where the command skips it.</summary>
    public MergeEvaluationResult? Ties { get; init; }

    /// <summary>θ0 − α·τ_t for every task t, control task t + 1 (cyclic), α the largest keeping control ≥ 95 % of θ0's.</summary>
    public IReadOnlyList<NegationResult> Negations { get; init; } = [];

    /// <summary>Seconds the fine-tunes (and factors) took in the run that computed them; 0 when all came from the cache.</summary>
    public double TrainSeconds { get; init; }

    /// <summary>Seconds the evaluation took in the run that computed it.</summary>
    public double EvaluateSeconds { get; init; }
}
