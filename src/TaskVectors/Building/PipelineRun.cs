// PipelineRun: the state of one run of a pipeline (fingerprint of θ0, data hashes, what was computed or reused)
// and its phases, in order. See TaskArithmeticPipeline for the protocol.
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.Building;

internal sealed class PipelineRun<TInput>(PlanState<TInput> state, FineTuneOptions[] options, IProgress<PlanProgress>? progress, CancellationToken cancellationToken)
{
    private readonly IEmbeddingModel<TInput> _model = state.Model;
    private readonly PlanCache? _cache = state.CacheFolder is null ? null : new PlanCache(state.CacheFolder);
    private readonly Dictionary<object, string> _dataHashes = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _computed = [], _reused = [];
    private readonly Dictionary<string, TaskFactors> _factors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _factorFiles = new(StringComparer.Ordinal), _factorKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskVector> _vectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _vectorFiles = new(StringComparer.Ordinal);
    private string _fingerprint = "";

    public TaskArithmeticResult Execute()
    {
        cancellationToken.ThrowIfCancellationRequested();
        _fingerprint = ModelFingerprint.Compute(_model);
        var kfac = state.Regularizer is KfacRegularization k ? k.Factors : state.Merge?.NeedsFactors == true ? new KfacOptions() : null;
        if (kfac is not null) EstimateFactors(kfac);
        FineTuneAll();
        foreach (var external in state.TaskVectorFiles)
        {
            var tau = TaskVector.Load(external.Path);
            tau.EnsureBase(_fingerprint, external.Path);
            _vectors.Add(external.Name, tau);
            _vectorFiles.Add(external.Name, external.Path);
        }
        MergedModel? merged = null;
        EvaluationTable? table = state.Evaluation is null && state.Negations.Count == 0 ? null : new EvaluationTable();
        if (state.Merge is { } m) merged = Merge(m, table);
        foreach (var negation in state.Negations) table!.Negations.Add(Negate(negation));
        return new TaskArithmeticResult(_vectors, _vectorFiles, _factors, _factorFiles, merged, table, _computed, _reused);
    }

    // Phase 1: the plan's tasks' factors (cached by base, data and estimator settings), then the given files.
    private void EstimateFactors(KfacOptions kfac)
    {
        foreach (var task in state.Tasks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? key = _cache is null ? null : TaskArithmeticPipeline<TInput>.FactorKey(_fingerprint, DataHash(task.Train), kfac);
            string item = $"factors/{task.Name}";
            TaskFactors? factors = null;
            string? path = key is null ? null : _cache!.FactorPath(key);
            if (path is not null && File.Exists(path))
            {
                try
                {
                    var loaded = TaskFactors.Load(path);
                    if (loaded.BaseFingerprint == _fingerprint) factors = loaded;
                }
                catch (Exception e) when (TaskArithmeticPipeline<TInput>.IsUnreadable(e)) { }
            }
            if (factors is not null)
            {
                _reused.Add(item);
                Report(PlanStage.Factors, task.Name, 1, 1, fromCache: true);
            }
            else
            {
                var relay = progress is null ? null : new InlineProgress<KfacProgress>(p => Report(PlanStage.Factors, task.Name, p.Examples, p.TotalExamples, fromCache: false));
                factors = KfacEstimator.Estimate(_model, task.Train, kfac, relay, cancellationToken);
                if (path is not null) factors.Save(path);
                _computed.Add(item);
            }
            _factors.Add(task.Name, factors);
            if (path is not null)
            {
                _factorKeys.Add(task.Name, key!);
                _factorFiles.Add(task.Name, path);
            }
        }
        foreach (string file in state.FactorFiles)
        {
            var factors = TaskFactors.Load(file, _model);
            _factors.Add(file, factors);
            _factorFiles.Add(file, file);
            if (_cache is not null) _factorKeys.Add(file, ContentHash.File(file));
        }
    }

    // Phase 2: every task's τ, cached by base, data, head, settings and the penalty (with the other tasks' addresses).
    private void FineTuneAll()
    {
        FactorAggregate? aggregate = null;
        if (state.Regularizer is KfacRegularization)
        {
            aggregate = new FactorAggregate();
            foreach (var (name, factors) in _factors) aggregate.Add(name, factors);
        }
        for (int t = 0; t < state.Tasks.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var task = state.Tasks[t];
            string? key = _cache is null ? null
                : TaskArithmeticPipeline<TInput>.FineTuneKey(_fingerprint, DataHash(task.Train), ContentHash.Head(task.Head), options[t], RegularizerText(t));
            string item = $"fine-tune/{task.Name}";
            string? path = key is null ? null : _cache!.TaskVectorPath(key);
            TaskVector? tau = null;
            if (path is not null && File.Exists(path))
            {
                try
                {
                    var loaded = TaskVector.Load(path);
                    if (loaded.BaseFingerprint == _fingerprint) tau = loaded;
                }
                catch (Exception e) when (TaskArithmeticPipeline<TInput>.IsUnreadable(e)) { }
            }
            if (tau is not null)
            {
                _reused.Add(item);
                Report(PlanStage.FineTune, task.Name, 1, 1, fromCache: true);
            }
            else
            {
                var regularizer = Regularizer(t, aggregate);
                var run = options[t] with { Regularizers = regularizer is null ? [] : [regularizer] };
                if (key is not null) run = run with { CheckpointPath = _cache!.CheckpointPath(key), CheckpointEvery = state.CheckpointEvery };
                var relay = progress is null ? null : new InlineProgress<FineTuneProgress>(p => progress.Report(new PlanProgress(PlanStage.FineTune, task.Name, p.Step, p.TotalSteps, false, p.Loss)));
                tau = new FineTuner<TInput>(_model, task.Head, run).Run(task.Train, relay, cancellationToken);
                if (path is not null)
                {
                    tau.Save(path);
                    File.Delete(run.CheckpointPath!);
                }
                _computed.Add(item);
            }
            _vectors.Add(task.Name, tau);
            if (path is not null) _vectorFiles.Add(task.Name, path);
        }
    }

    private IRegularizer? Regularizer(int t, FactorAggregate? aggregate)
    {
        var task = state.Tasks[t];
        switch (state.Regularizer)
        {
            case KfacRegularization k:
                var others = aggregate!.AllBut(task.Name, _factors[task.Name]);
                return k.Diagonal ? new DiagonalGgnRegularizer(others, k.Penalty) : new TakRegularizer(others, k.Penalty);
            case TauJpRegularization j:
                var data = state.Tasks.Where((_, u) => u != t).Select(u => u.Train).ToList();
                return new TauJpRegularizer<TInput>(_model, data, j.Options.BatchSizePerTask, j.Options.Beta, j.Options.Seed);
            default:
                return null;
        }
    }

    // What the penalty of task t depends on: its settings and, in order, every aggregated task's factor address
    // (the aggregate's float64 sums depend on the order) or every other task's data.
    private string RegularizerText(int t) => state.Regularizer switch
    {
        KfacRegularization k => $"kfac diagonal={k.Diagonal} {ContentHash.Settings(k.Penalty)} own={state.Tasks[t].Name} " +
            string.Join(",", _factorKeys.Select(kv => $"{kv.Key}:{kv.Value}")),
        TauJpRegularization j => $"tau-jp {ContentHash.Settings(j.Options)} " +
            string.Join(",", state.Tasks.Where((_, u) => u != t).Select(u => DataHash(u.Train))),
        _ => "none",
    };

    // Phase 3: τ* by the method over every task vector (the plan's, then the given ones); α fixed, or searched on
    // validation data — by the evaluation protocol itself when the plan evaluates, so the table and α agree.
    private MergedModel Merge(MergeSettings settings, EvaluationTable? table)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var vectors = _vectors.Values.ToList();
        var method = settings.Method ?? MergeMethods.Create(settings.MethodName!, settings.NeedsFactors
            ? (settings.Options ?? new MergeOptions()) with { Factors = [.. state.Tasks.Select(t => _factors[t.Name])] }
            : settings.Options);
        var merged = TaskVectorMerge.Merge(vectors, method, null, cancellationToken);
        Report(PlanStage.Merge, null, 1, 1, fromCache: false);
        var alpha = settings.Alpha;
        float chosen = alpha.Candidates[0];
        if (state.Evaluation is { } evaluation)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var options = alpha.IsSearch ? evaluation with { Alphas = alpha.Candidates } : evaluation;
            var tasks = EvaluationTasks();
            var individual = MergeEvaluation.Individual(_model, tasks, [.. state.Tasks.Select(t => _vectors[t.Name])], options);
            Report(PlanStage.Evaluate, null, 1, 2, fromCache: false);
            cancellationToken.ThrowIfCancellationRequested();
            var row = MergeEvaluation.Evaluate(_model, tasks, merged, individual, state.EvaluationLabel ?? Label(method.Name), options);
            table!.Merges.Add(row);
            Report(PlanStage.Evaluate, null, 2, 2, fromCache: false);
            if (alpha.IsSearch) chosen = row.AtBestAlpha.Alpha;
        }
        else if (alpha.IsSearch)
        {
            // The protocol's pick without its table: the first α of highest mean validation accuracy.
            double bestAccuracy = double.NegativeInfinity;
            for (int i = 0; i < alpha.Candidates.Count; i++)
            {
                var scores = new double[state.Tasks.Count];
                for (int t = 0; t < scores.Length; t++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    scores[t] = Evaluator.Accuracy(_model, state.Tasks[t].Head, state.Tasks[t].Validation!, merged, alpha: alpha.Candidates[i]);
                }
                double mean = scores.Average();
                if (mean > bestAccuracy) (bestAccuracy, chosen) = (mean, alpha.Candidates[i]);
                Report(PlanStage.Evaluate, null, i + 1, alpha.Candidates.Count, fromCache: false);
            }
        }
        return new MergedModel(merged, method.Name, chosen);
    }

    private NegationResult Negate(NegationSettings negation)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var tasks = EvaluationTasks();
        var result = MergeEvaluation.Negate(_model, tasks.First(t => t.Name == negation.Task), tasks.First(t => t.Name == negation.Control),
            _vectors[negation.Task], state.EvaluationLabel ?? Label(null), negation.Options);
        Report(PlanStage.Negate, negation.Task, 1, 1, fromCache: false);
        return result;
    }

    private List<EvaluationTask<TInput>> EvaluationTasks() => [.. state.Tasks.Select(t => new EvaluationTask<TInput>(t.Name, t.Head, t.Validation!, t.Test!))];

    // A row label from the plan: "linear FT + task_arithmetic", "TAK (β = 100) + ties", …
    private string Label(string? method)
    {
        string regime = options.Length > 0 && options[0].Regime == Regime.NonLinear ? "non-linear FT" : "linear FT";
        string penalty = state.Regularizer switch
        {
            KfacRegularization { Diagonal: true } k => $" + diagonal GGN (β = {k.Penalty.Beta.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
            KfacRegularization k => $" + TAK (β = {k.Penalty.Beta.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
            TauJpRegularization j => $" + τJp (β = {j.Options.Beta.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
            _ => "",
        };
        return method is null ? regime + penalty : $"{regime}{penalty}, {method}";
    }

    private string DataHash(ILabeledData<TInput> data)
    {
        if (!_dataHashes.TryGetValue(data, out string? hash)) _dataHashes.Add(data, hash = ContentHash.Data(data));
        return hash;
    }

    private void Report(PlanStage stage, string? task, long done, long total, bool fromCache) =>
        progress?.Report(new PlanProgress(stage, task, done, total, fromCache, double.NaN));
}
