// TaskArithmeticPipeline: a checked plan, ready to run. One run:
//   phase 1: per task t (when a curvature regularizer or merge needs them) KFAC factors at θ0 on t's training inputs,
//            plus the factor files given (WithFactorsFrom), aggregated in that order (Eq. 8);
//   phase 2: per task, τ_t from FineTuner with the plan's penalty built from the *other* tasks (TAK: AllBut(t));
//   phase 3: τ* = merge(τ_1, …, τ_T [, given task vectors]); α fixed or the first best on validation; the evaluation
//            table on test data; negations θ0 − α·τ_t.
// Each step makes exactly the library calls a hand-written program would (KfacEstimator.Estimate, FineTuner.Run,
// TaskVectorMerge.Merge, Evaluator.Accuracy), so results are the same bit for bit. With a cache folder, factors and
// task vectors are looked up by content address first, and fine-tunes checkpoint there to resume.
using TaskVectors.Curvature;
using TaskVectors.IO;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.Building;

/// <summary>A checked <see cref="TaskArithmeticPlan{TInput}"/> that can be run any number of times (one run at a time per base model).</summary>
/// <typeparam name="TInput">The model's batch type.</typeparam>
public sealed class TaskArithmeticPipeline<TInput>
{
    private const string FactorsVersion = "factors/v1";
    private const string FineTuneVersion = "fine-tune/v1";
    private static readonly string[] RunOnlySettings = [nameof(FineTuneOptions.Regularizers), nameof(FineTuneOptions.CheckpointPath), nameof(FineTuneOptions.CheckpointEvery)];
    private readonly PlanState<TInput> _state;
    private readonly FineTuneOptions[] _options;

    internal TaskArithmeticPipeline(PlanState<TInput> state)
    {
        _state = state;
        _options = [.. state.Tasks.Select(t => t.Options ?? state.FineTuneDefaults)];
        Check();
    }

    /// <summary>Runs the plan on a thread-pool thread; progress is reported from that thread, in order, as work is done.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (a fine-tune in progress keeps its cache checkpoint, so a re-run resumes).</exception>
    public Task<TaskArithmeticResult> RunAsync(IProgress<PlanProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Run(progress, cancellationToken), cancellationToken);

    /// <summary>Runs the plan on the calling thread; every progress report is made before the work goes on.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (a fine-tune in progress keeps its cache checkpoint, so a re-run resumes).</exception>
    /// <exception cref="InvalidOperationException">A factor file or task vector given belongs to another base model.</exception>
    public TaskArithmeticResult Run(IProgress<PlanProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new PipelineRun<TInput>(_state, _options, progress, cancellationToken).Execute();

    private void Check()
    {
        var s = _state;
        int tasks = s.Tasks.Count, vectors = tasks + s.TaskVectorFiles.Count;
        if (vectors == 0) throw new InvalidOperationException("The plan has no tasks: add one with FineTune (or a task vector with WithTaskVector).");
        if (_options.Select(o => o.Regime).Distinct().Count() > 1)
            throw new InvalidOperationException($"The plan's tasks mix regimes ({string.Join(", ", s.Tasks.Select((t, i) => $"{t.Name}: {_options[i].Regime}"))}); task vectors of one plan share one regime.");
        switch (s.Regularizer)
        {
            case KfacRegularization when tasks + s.FactorFiles.Count < 2:
                throw new InvalidOperationException("A KFAC regularizer needs the factors of at least one other task: fine-tune two tasks or more, or add factor files with WithFactorsFrom.");
            case TauJpRegularization when tasks < 2:
                throw new InvalidOperationException("The τJp regularizer needs the data of at least one other task: fine-tune two tasks or more.");
        }
        if (s.FactorFiles.Count > 0 && s.Regularizer is not KfacRegularization)
            throw new InvalidOperationException("Factor files (WithFactorsFrom) are read by a KFAC regularizer only: add WithKfacRegularizer or WithDiagonalGgnRegularizer.");
        if (s.Merge is { } merge)
        {
            if (merge.NeedsFactors && s.TaskVectorFiles.Count > 0)
                throw new InvalidOperationException($"Merge '{merge.Name}' needs one factor file per task vector; give the task vectors' factors in MergeOptions.Factors.");
            if (merge.Alpha.IsSearch)
                RequireSplit(tasks, t => t.Validation, "validation", $"α is searched on validation data");
        }
        if (s.Evaluation is not null)
        {
            if (s.Merge is null) throw new InvalidOperationException("Evaluate reports the merged model beside each task's own: add a Merge first.");
            RequireSplit(tasks, t => t.Validation, "validation", "Evaluate picks α on validation data");
            RequireSplit(tasks, t => t.Test, "test", "Evaluate reports test accuracy");
        }
        if (s.Negations.Count > 0)
        {
            RequireSplit(tasks, t => t.Validation, "validation", "Negate picks α on validation data");
            RequireSplit(tasks, t => t.Test, "test", "Negate reports test accuracy");
        }
        if (s.CacheFolder is not null && !ContentHash.CanHash<TInput>())
            throw new InvalidOperationException($"The cache addresses data by content, which it can do for image tensors and text batches, not {typeof(TInput).Name}.");
    }

    private void RequireSplit(int tasks, Func<FineTuneTask<TInput>, object?> split, string name, string why)
    {
        if (tasks == 0) throw new InvalidOperationException($"{why}, so the plan needs a fine-tuned task with {name} data.");
        var missing = _state.Tasks.Where(t => split(t) is null).Select(t => t.Name).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"{why}, but these tasks have no {name} data: {string.Join(", ", missing)}.");
    }

    internal static string FactorKey(string fingerprint, string dataHash, KfacOptions options) =>
        ContentHash.Of(FactorsVersion, fingerprint, dataHash, ContentHash.Settings(options));

    internal static string FineTuneKey(string fingerprint, string dataHash, string headHash, FineTuneOptions options, string regularizer) =>
        ContentHash.Of(FineTuneVersion, fingerprint, dataHash, headHash, ContentHash.Settings(options, RunOnlySettings), regularizer);

    internal static bool IsUnreadable(Exception e) => e is SafetensorsFormatException or InvalidDataException or IOException or InvalidOperationException;
}
