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
        MergedModel? merged = state.Merge is { } m ? Merge(m) : null;
        EvaluationReport? evaluation = state.Evaluation is { } e ? Evaluate(merged!, e) : null;
        var negations = state.Negations.Select(Negate).ToList();
        return new TaskArithmeticResult(_vectors, _vectorFiles, _factors, _factorFiles, merged, evaluation, negations, _computed, _reused);
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

    // Phase 3: τ* by the method over every task vector (the plan's, then the given ones), α fixed or searched.
    private MergedModel Merge(MergeSettings settings)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var vectors = _vectors.Values.ToList();
        var method = settings.Method ?? MergeMethods.Create(settings.MethodName!, settings.NeedsFactors
            ? (settings.Options ?? new MergeOptions()) with { Factors = [.. state.Tasks.Select(t => _factors[t.Name])] }
            : settings.Options);
        var merged = TaskVectorMerge.Merge(vectors, method, null, cancellationToken);
        Report(PlanStage.Merge, null, 1, 1, fromCache: false);
        var alphas = settings.Alpha.Candidates;
        float best = alphas[0];
        if (settings.Alpha.IsSearch)
        {
            double bestAccuracy = double.NegativeInfinity;
            int done = 0;
            foreach (float alpha in alphas)
            {
                double absolute = 0;
                foreach (var task in state.Tasks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    absolute += Evaluator.Accuracy(_model, task.Head, task.Validation!, merged, alpha: alpha, batchSize: state.Evaluation?.BatchSize ?? 128) / state.Tasks.Count;
                }
                if (absolute > bestAccuracy)
                {
                    bestAccuracy = absolute;
                    best = alpha;
                }
                Report(PlanStage.Evaluate, null, ++done, alphas.Count, fromCache: false);
            }
        }
        return new MergedModel(merged, method.Name, best);
    }

    private EvaluationReport Evaluate(MergedModel merged, EvaluationOptions evaluation)
    {
        var rows = new List<TaskEvaluation>(state.Tasks.Count);
        foreach (var task in state.Tasks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double individual = Accuracy(task, task.Test!, _vectors[task.Name], 1f, evaluation.BatchSize);
            double atOne = Accuracy(task, task.Test!, merged.TaskVector, 1f, evaluation.BatchSize);
            double atAlpha = merged.Alpha == 1f ? atOne : Accuracy(task, task.Test!, merged.TaskVector, merged.Alpha, evaluation.BatchSize);
            rows.Add(new TaskEvaluation(task.Name, individual, atOne, atAlpha));
            Report(PlanStage.Evaluate, task.Name, rows.Count, state.Tasks.Count, fromCache: false);
        }
        return new EvaluationReport(merged.Method, merged.Alpha, rows);
    }

    // θ0 − α·τ_t over the grid: the α of lowest target accuracy among those whose control accuracy stays ≥ threshold ×
    // the base model's, chosen on validation data when every task has it, else on test data; reported on test data.
    private NegationReport Negate(NegationSettings negation)
    {
        var target = state.Tasks.First(t => t.Name == negation.Task);
        var controls = state.Tasks.Where(t => t.Name != negation.Task).ToList();
        var tau = _vectors[negation.Task];
        bool validation = state.Tasks.All(t => t.Validation is not null);
        int batch = state.Evaluation?.BatchSize ?? 128;
        (double Target, double Control) Measure(float alpha, bool test)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ILabeledData<TInput> Split(FineTuneTask<TInput> t) => test || !validation ? t.Test! : t.Validation!;
            double control = 0;
            foreach (var c in controls) control += Accuracy(c, Split(c), alpha == 0 ? null : tau, -alpha, batch) / controls.Count;
            return (Accuracy(target, Split(target), alpha == 0 ? null : tau, -alpha, batch), control);
        }
        var baseSelect = Measure(0, test: false);
        float chosen = 0;
        double lowest = double.PositiveInfinity;
        int done = 0;
        foreach (float alpha in negation.Options.Alphas)
        {
            var (t, c) = Measure(alpha, test: false);
            if (c >= negation.Options.ControlThreshold * baseSelect.Control && t < lowest)
            {
                lowest = t;
                chosen = alpha;
            }
            Report(PlanStage.Negate, negation.Task, ++done, negation.Options.Alphas.Count, fromCache: false);
        }
        var baseTest = Measure(0, test: true);
        var atChosen = chosen == 0 ? baseTest : Measure(chosen, test: true);
        return new NegationReport(negation.Task, chosen, baseTest.Target, baseTest.Control, atChosen.Target, atChosen.Control);
    }

    private double Accuracy(FineTuneTask<TInput> task, ILabeledData<TInput> data, TaskVector? tau, float alpha, int batchSize) =>
        Evaluator.Accuracy(_model, task.Head, data, tau, alpha: alpha, batchSize: batchSize);

    private string DataHash(ILabeledData<TInput> data)
    {
        if (!_dataHashes.TryGetValue(data, out string? hash)) _dataHashes.Add(data, hash = ContentHash.Data(data));
        return hash;
    }

    private void Report(PlanStage stage, string? task, long done, long total, bool fromCache) =>
        progress?.Report(new PlanProgress(stage, task, done, total, fromCache, double.NaN));
}
