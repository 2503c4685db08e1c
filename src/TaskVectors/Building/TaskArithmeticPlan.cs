// TaskArithmeticPlan: the immutable core of the fluent builder. It only holds what it has been told (PlanState);
// the features (FineTune, WithKfacRegularizer, Merge, Evaluate, …) are extension methods that return a new plan,
// and Build() checks the whole plan once and yields the pipeline that runs it.
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.Building;

/// <summary>
/// A task-arithmetic experiment on one base model θ0: phase 1 (KFAC factors of every task at θ0, when a curvature
/// regularizer or merge needs them), phase 2 (each task fine-tuned into τ_t, optionally penalized against the others),
/// phase 3 (merge θ0 + α·τ*, evaluate, negate). Immutable: every call returns a new plan, so one plan can be branched
/// into several experiments. Start one with <see cref="TaskArithmetic.Base{TInput}(IEmbeddingModel{TInput})"/>.
/// </summary>
/// <typeparam name="TInput">The model's batch type.</typeparam>
public sealed class TaskArithmeticPlan<TInput>
{
    internal TaskArithmeticPlan(PlanState<TInput> state) => State = state;

    internal PlanState<TInput> State { get; }

    /// <summary>The base model θ0.</summary>
    public IEmbeddingModel<TInput> Model => State.Model;

    /// <summary>The tasks to fine-tune, in order.</summary>
    public IReadOnlyList<FineTuneTask<TInput>> Tasks => State.Tasks;

    /// <summary>The fine-tuning settings of tasks that name none.</summary>
    public FineTuneOptions FineTuneDefaults => State.FineTuneDefaults;

    /// <summary>The folder of the content-addressed cache; null: nothing is kept between runs.</summary>
    public string? CacheFolder => State.CacheFolder;

    internal TaskArithmeticPlan<TInput> With(Func<PlanState<TInput>, PlanState<TInput>> change) => new(change(State));

    /// <summary>Checks the whole plan and returns the pipeline that runs it (any number of times).</summary>
    /// <exception cref="InvalidOperationException">The plan is incomplete or inconsistent (the message says what is missing).</exception>
    public TaskArithmeticPipeline<TInput> Build() => new(State);

    /// <summary><see cref="Build"/>, then <see cref="TaskArithmeticPipeline{TInput}.RunAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The plan is incomplete or inconsistent (thrown here, before any work).</exception>
    public Task<TaskArithmeticResult> RunAsync(IProgress<PlanProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Build().RunAsync(progress, cancellationToken);

    /// <summary><see cref="Build"/>, then <see cref="TaskArithmeticPipeline{TInput}.Run"/> on the calling thread.</summary>
    /// <exception cref="InvalidOperationException">The plan is incomplete or inconsistent (thrown here, before any work).</exception>
    public TaskArithmeticResult Run(IProgress<PlanProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Build().Run(progress, cancellationToken);
}
