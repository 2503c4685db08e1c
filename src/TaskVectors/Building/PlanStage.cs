// PlanStage: the stages a plan's run reports progress for, in the order they run.
namespace TaskVectors.Building;

/// <summary>A stage of a plan's run.</summary>
public enum PlanStage
{
    /// <summary>Phase 1: a task's KFAC factors at θ0 (progress in examples).</summary>
    Factors = 0,

    /// <summary>Phase 2: a task's fine-tune (progress in optimizer steps).</summary>
    FineTune = 1,

    /// <summary>Phase 3: the merge (progress in tensors).</summary>
    Merge = 2,

    /// <summary>Accuracy measurements: α search and the evaluation table (progress in measurements).</summary>
    Evaluate = 3,

    /// <summary>Task negation (progress in α values tried).</summary>
    Negate = 4,
}
