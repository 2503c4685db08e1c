// TaskArithmeticResult: what a plan's run produced: the task vectors (and their files in the cache), the factor
// files, the merged model, the evaluation table, negations, and which items were computed or reused.
using TaskVectors.Curvature;
using TaskVectors.Merging;
using TaskVectors.Models;

namespace TaskVectors.Building;

/// <summary>The outputs of one run of a plan.</summary>
public sealed class TaskArithmeticResult
{
    internal TaskArithmeticResult(IReadOnlyDictionary<string, TaskVector> taskVectors, IReadOnlyDictionary<string, string> taskVectorFiles,
        IReadOnlyDictionary<string, TaskFactors> factors, IReadOnlyDictionary<string, string> factorFiles, MergedModel? merged,
        EvaluationTable? evaluation, IReadOnlyList<string> computed, IReadOnlyList<string> reused)
    {
        TaskVectors = taskVectors;
        TaskVectorFiles = taskVectorFiles;
        Factors = factors;
        FactorFiles = factorFiles;
        Merged = merged;
        Evaluation = evaluation;
        Computed = computed;
        Reused = reused;
    }

    /// <summary>τ_t per task: the plan's fine-tuned tasks in order, then the task vectors it was given.</summary>
    public IReadOnlyDictionary<string, TaskVector> TaskVectors { get; }

    /// <summary>The file of each task vector (in the cache, or the file it was given as); empty without a cache.</summary>
    public IReadOnlyDictionary<string, string> TaskVectorFiles { get; }

    /// <summary>Phase 1's factors per task (the plan's tasks, then the factor files given); empty when no step needed them.</summary>
    public IReadOnlyDictionary<string, TaskFactors> Factors { get; }

    /// <summary>The factor file of each entry of <see cref="Factors"/> (in the cache, or as given); the plan's own are absent without a cache.</summary>
    public IReadOnlyDictionary<string, string> FactorFiles { get; }

    /// <summary>The merge's result; null when the plan has no merge.</summary>
    public MergedModel? Merged { get; }

    /// <summary>
    /// The evaluation table: the merge row (with <c>Evaluate</c>) and one row per <c>Negate</c>; null when the plan has
    /// neither. Tables of several plans combine by concatenating their rows.
    /// </summary>
    public EvaluationTable? Evaluation { get; }

    /// <summary>The items this run computed ("factors/name", "fine-tune/name").</summary>
    public IReadOnlyList<string> Computed { get; }

    /// <summary>The items this run took from the cache.</summary>
    public IReadOnlyList<string> Reused { get; }
}
