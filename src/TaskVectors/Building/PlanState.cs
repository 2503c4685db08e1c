// PlanState: everything a plan has been told, as one immutable value; every builder call returns a new plan over
// a copy with one part changed, so plans branch freely (one base, several experiments).
using System.Collections.Immutable;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.Building;

internal sealed record PlanState<TInput>(
    IEmbeddingModel<TInput> Model,
    ImmutableList<FineTuneTask<TInput>> Tasks,
    FineTuneOptions FineTuneDefaults,
    RegularizerPlan? Regularizer,
    ImmutableList<string> FactorFiles,
    ImmutableList<ExternalTaskVector> TaskVectorFiles,
    MergeSettings? Merge,
    EvaluationOptions? Evaluation,
    string? EvaluationLabel,
    ImmutableList<NegationSettings> Negations,
    string? CacheFolder,
    int CheckpointEvery)
{
    public static PlanState<TInput> Start(IEmbeddingModel<TInput> model) =>
        new(model, [], new FineTuneOptions(), null, [], [], null, null, null, [], null, 0);

    /// <summary>Every task name the plan holds: its fine-tuned tasks and the task vectors it was given.</summary>
    public IEnumerable<string> TaskNames => Tasks.Select(t => t.Name).Concat(TaskVectorFiles.Select(v => v.Name));
}
