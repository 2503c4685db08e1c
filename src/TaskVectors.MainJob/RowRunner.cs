// RowRunner: the protocol on one row (generic over the batch type). Phase 1/2 through the builder (factors and task
// vectors in its content-addressed cache), phase 3 here: individual, task arithmetic and TIES at α = 1 and at the α
// picked on validation, negation (control = the next task, α the largest keeping its validation accuracy ≥ 95 % of
// θ0's). Linearized vectors are scored through LinearizedEmbeddings (f0 once per split, one JVP pass per vector and
// split, every α for free); non-linear ones by evaluating θ0 + α·τ per α. Evaluations are cached as JSON.
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Building;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.MainJob;

internal sealed class RowRunner<TInput>
{
    private readonly BenchmarkRow<TInput> _row;
    private readonly MainJobOptions _options;
    private readonly ProtocolSettings _settings;
    private readonly string _cacheFolder;
    private readonly EvaluationCache _cache;
    private readonly PhaseReporter _reporter;
    private readonly CancellationToken _ct;
    private readonly IReadOnlyList<FineTuneTask<TInput>> _tasks;
    private readonly string[] _names;
    private string _fingerprint = "", _dataKey = "";
    private float[][]? _f0Validation, _f0Test;
    private double[] _zeroShot = [];

    public RowRunner(BenchmarkRow<TInput> row, MainJobOptions options, ProtocolSettings settings, string cacheFolder, IProgress<MainJobProgress>? progress, CancellationToken ct)
    {
        _row = row;
        _options = options;
        _settings = settings;
        _cacheFolder = cacheFolder;
        _cache = new EvaluationCache(cacheFolder);
        _reporter = new PhaseReporter(progress, row.Name);
        _ct = ct;
        _tasks = row.Tasks;
        if (_tasks.Count < 2) throw new ArgumentException($"Row '{row.Name}' has {_tasks.Count} tasks; task arithmetic needs two or more.", nameof(row));
        foreach (var t in _tasks)
            if (t.Validation is null || t.Test is null) throw new ArgumentException($"Task '{t.Name}' of row '{row.Name}' needs validation and test data.", nameof(row));
        _names = [.. _tasks.Select(t => t.Name)];
    }

    private IEmbeddingModel<TInput> Model => _row.Base;

    public RowReport Run()
    {
        var clock = Stopwatch.StartNew();
        _ct.ThrowIfCancellationRequested();
        _fingerprint = ModelFingerprint.Compute(Model);
        _dataKey = string.Join(";", _tasks.Select(t => $"{t.Name}:{ContentHash.Data(t.Validation!)}:{ContentHash.Data(t.Test!)}:{ContentHash.Head(t.Head)}"));
        _zeroShot = ZeroShot();
        var report = new RowReport { Name = _row.Name, Tasks = _names, ZeroShot = _zeroShot };
        switch (_options.Command)
        {
            case MainJobCommand.Protocol:
                report = report with { Methods = [.. _settings.Methods.Select(m => RunMethod(m, BetaOf(m), ties: true, negation: true))] };
                break;
            case MainJobCommand.BetaSweep:
                var tak = _settings.Methods.First(m => m.Penalty == Penalty.Tak && m.Regime == Regime.Linearized);
                report = report with
                {
                    BetaSweep = [.. _options.BetaGrid.Select(b => RunMethod(tak with { Label = $"linear FT + TAK (β = {b.ToString(CultureInfo.InvariantCulture)})" }, b, ties: false, negation: false))],
                };
                break;
            case MainJobCommand.Eq7VsEq8:
                report = report with { Equations = CompareEquations(), FactorSaturation = FactorSaturation() };
                break;
        }
        return report with { Seconds = clock.Elapsed.TotalSeconds };
    }

    // The β a protocol method runs at: τJp has its own (it weighs raw embedding changes, not the loss curvature).
    private double BetaOf(MethodSpec method) => method.Penalty == Penalty.TauJp ? _options.TauJpBeta : _options.Beta;

    // θ0's test accuracy per task; f0 of every split is computed on the way (cached in memory for the linear scores).
    private double[] ZeroShot()
    {
        string key = EvaluationCache.Key("zero-shot", _fingerprint, _dataKey);
        if (_cache.TryLoad<double[]>("zero-shot", key) is { Length: var n } cached && n == _tasks.Count)
        {
            _reporter.Report(null, "zero-shot", null, 1, fromCache: true);
            return cached;
        }
        EnsurePrimal();
        var result = _tasks.Select((t, i) => LinearizedEmbeddings.Accuracy(t.Head, t.Test!, _f0Test![i], [])).ToArray();
        _cache.Save("zero-shot", key, result);
        return result;
    }

    private void EnsurePrimal()
    {
        if (_f0Validation is not null) return;
        int T = _tasks.Count;
        _f0Validation = new float[T][];
        _f0Test = new float[T][];
        for (int t = 0; t < T; t++)
        {
            _reporter.Report(null, "zero-shot", _names[t], t / (double)T);
            _f0Validation[t] = LinearizedEmbeddings.Primal(Model, _tasks[t].Validation!, _settings.EvaluationBatch, _ct);
            _f0Test[t] = LinearizedEmbeddings.Primal(Model, _tasks[t].Test!, _settings.EvaluationBatch, _ct);
        }
        _reporter.Report(null, "zero-shot", null, 1);
    }

    // A method's report is cached by everything it is computed from (base, data, heads, settings), so a re-run takes
    // it without loading a task vector; a miss trains (the builder reuses what it has) and evaluates.
    private MethodReport RunMethod(MethodSpec method, double beta, bool ties, bool negation)
    {
        string key = EvaluationCache.Key("method", _fingerprint, _dataKey, method.Label, method.RegimeText, method.Trainable.Name, method.Penalty.ToString(),
            beta.ToString("R", CultureInfo.InvariantCulture), ContentHash.Settings(_settings.Kfac), _settings.TauJpBatchPerTask.ToString(CultureInfo.InvariantCulture),
            ContentHash.Settings(_row.FineTuneDefaults), string.Join(";", _tasks.Select(t => $"{ContentHash.Data(t.Train)}:{(t.Options is null ? "" : ContentHash.Settings(t.Options))}")),
            string.Join(",", _settings.LinearAlphas), string.Join(",", _settings.NonLinearAlphas), string.Join(",", _settings.NegationAlphas),
            $"ties={ties} negation={negation} non-linear-negation={_settings.NonLinearNegation}");
        if (_cache.TryLoad<MethodReport>("method", key) is { } cached)
        {
            _reporter.Report(method.Label, "fine-tune", null, 1, fromCache: true);
            _reporter.Report(method.Label, "evaluate", null, 1, fromCache: true);
            return cached with { TrainSeconds = 0 };
        }
        var (vectors, files, seconds) = Train(method, beta);
        var report = Evaluate(method, vectors, files, ties, negation) with
        {
            Beta = method.Penalty == Penalty.None ? null : beta,
            TrainSeconds = seconds,
        };
        _cache.Save("method", key, report);
        return report;
    }

    // Phases 1 and 2 through the builder; returns τ_t per task, their cache files and the seconds spent computing.
    private (IReadOnlyList<TaskVector> Vectors, IReadOnlyList<string> Files, double Seconds) Train(MethodSpec method, double beta)
    {
        var clock = Stopwatch.StartNew();
        var result = Plan(method, beta).Run(Relay(method.Label), _ct);
        double seconds = result.Computed.Count == 0 ? 0 : clock.Elapsed.TotalSeconds;
        return ([.. _names.Select(n => result.TaskVectors[n])], [.. _names.Select(n => result.TaskVectorFiles[n])], seconds);
    }

    private TaskArithmeticPlan<TInput> Plan(MethodSpec method, double beta)
    {
        var defaults = _row.FineTuneDefaults with { Regime = method.Regime, Trainable = method.Trainable };
        var plan = TaskArithmetic.Base(Model).WithFineTuneOptions(defaults).WithCache(_cacheFolder);
        foreach (var task in _tasks)
            plan = plan.FineTune(task.Options is null ? task : task with { Options = task.Options with { Regime = method.Regime, Trainable = method.Trainable } });
        return method.Penalty switch
        {
            Penalty.Tak => plan.WithKfacRegularizer(beta, _settings.Kfac),
            Penalty.DiagonalGgn => plan.WithDiagonalGgnRegularizer(beta, _settings.Kfac),
            Penalty.TauJp => plan.WithTauJpRegularizer(new TauJpOptions { Beta = beta, BatchSizePerTask = _settings.TauJpBatchPerTask }),
            _ => plan,
        };
    }

    private InlineProgress<PlanProgress> Relay(string method) => new(p =>
    {
        if (p.Stage is not (PlanStage.Factors or PlanStage.FineTune) || p.Task is null) return;
        int t = Array.IndexOf(_names, p.Task);
        double within = p.Total > 0 ? p.Done / (double)p.Total : 1;
        _reporter.Report(method, p.Stage == PlanStage.Factors ? "factors" : "fine-tune", p.Task, (Math.Max(t, 0) + within) / _tasks.Count, p.FromCache);
    });

    private MethodReport Evaluate(MethodSpec method, IReadOnlyList<TaskVector> vectors, IReadOnlyList<string> files, bool ties, bool negation)
    {
        bool linear = method.Regime == Regime.Linearized;
        negation &= linear || _settings.NonLinearNegation;
        var alphas = linear ? _settings.LinearAlphas : _settings.NonLinearAlphas;
        var negationAlphas = linear ? _settings.NegationAlphas : _settings.NonLinearAlphas;
        string key = EvaluationCache.Key("evaluate", _fingerprint, _dataKey, method.Label, method.RegimeText, string.Join(",", files.Select(Path.GetFileName)),
            string.Join(",", alphas), string.Join(",", negationAlphas), $"ties={ties} negation={negation}");
        if (_cache.TryLoad<MethodReport>("evaluate", key) is { } cached)
        {
            _reporter.Report(method.Label, "evaluate", null, 1, fromCache: true);
            return cached;
        }
        var clock = Stopwatch.StartNew();
        var scorer = new Scorer(this, method.Label, linear, work: linear
            ? _tasks.Count * (4 + (ties ? 2 : 0) + (negation ? 3 : 0))
            : _tasks.Count * ((alphas.Count + 3) * (ties ? 2 : 1) + 1 + (negation ? 2 * negationAlphas.Count + 2 : 0)));
        if (linear) EnsurePrimal();
        var individual = _tasks.Select((_, t) => scorer.Score(vectors[t], $"tau{t}", t, test: true, 1f)).ToArray();
        var sum = TaskVector.Sum(vectors);
        var report = new MethodReport
        {
            Method = method.Label,
            Regime = method.RegimeText,
            Trainable = method.Trainable.Name,
            TaskArithmetic = Merged(scorer, sum, "sum", $"{method.Label}, task arithmetic", individual, alphas),
            Ties = ties ? Merged(scorer, TaskVectorMerge.Merge(vectors, MergeMethods.Create("ties"), null, _ct), "ties", $"{method.Label}, ties", individual, alphas) : null,
            Negations = negation ? [.. _tasks.Select((_, t) => Negate(scorer, vectors[t], t, method.Label, negationAlphas))] : [],
        };
        report = report with { EvaluateSeconds = clock.Elapsed.TotalSeconds };
        _cache.Save("evaluate", key, report);
        return report;
    }

    private MergeEvaluationResult Merged(Scorer scorer, TaskVector merged, string id, string label, double[] individual, IReadOnlyList<float> alphas)
    {
        var sweep = alphas.Select(a => new AlphaScore(a, _tasks.Select((_, t) => scorer.Score(merged, id, t, test: false, a)).Average())).ToList();
        MergedAccuracy At(float alpha)
        {
            var perTask = _tasks.Select((_, t) => scorer.Score(merged, id, t, test: true, alpha)).ToArray();
            var normalized = perTask.Select((a, t) => individual[t] > 0 ? a / individual[t] : throw new InvalidOperationException(
                $"Task '{_names[t]}' has individual accuracy 0; normalized accuracy is undefined.")).Average();
            return new MergedAccuracy(alpha, perTask, perTask.Average(), normalized);
        }
        return new MergeEvaluationResult(label, _names, individual, At(1f), At(MergeEvaluation.BestAlpha(sweep)), sweep);
    }

    // θ0 − α·τ_t; the control is the next task (cyclic); α the largest whose control validation accuracy is ≥ the
    // threshold × θ0's (0 when none is), reported on test.
    private NegationResult Negate(Scorer scorer, TaskVector tau, int t, string label, IReadOnlyList<float> alphas)
    {
        int c = (t + 1) % _tasks.Count;
        string id = $"tau{t}";
        double baseControl = scorer.Score(tau, id, c, test: false, 0f);
        var sweep = alphas.Select(a => new AlphaScore(a, scorer.Score(tau, id, t, test: false, -a), scorer.Score(tau, id, c, test: false, -a))).ToList();
        float chosen = MergeEvaluation.NegationAlpha(sweep, baseControl, new EvaluationOptions().ControlThreshold);
        return new NegationResult(label, _names[t], _names[c], _zeroShot[t], _zeroShot[c], chosen,
            scorer.Score(tau, id, t, test: true, -chosen), scorer.Score(tau, id, c, test: true, -chosen), sweep);
    }

    // Eq. 8 (the builder's "all but t" aggregate) against Eq. 7 (one Kronecker term per other task), both linearized TAK.
    private IReadOnlyList<MethodReport> CompareEquations()
    {
        var spec = _settings.Methods.First(m => m.Penalty == Penalty.Tak && m.Regime == Regime.Linearized);
        // Eq. 8 is the protocol's TAK method (its report is reused when the protocol ran); its factors feed Eq. 7.
        var protocolTak = RunMethod(spec, _options.Beta, ties: true, negation: true);
        var eq8 = protocolTak with
        {
            Method = $"{spec.Label}, Eq. 8",
            TaskArithmetic = protocolTak.TaskArithmetic with { Method = $"{spec.Label}, Eq. 8, task arithmetic" },
            Ties = null,
            Negations = [],
        };
        var eq8Result = Plan(spec, _options.Beta).Run(Relay(eq8.Method), _ct);

        var eq7Spec = spec with { Label = $"{spec.Label}, Eq. 7" };
        var clock = Stopwatch.StartNew();
        bool computed = false;
        var defaults = _row.FineTuneDefaults with { Regime = Regime.Linearized, Trainable = spec.Trainable };
        var vectors = new List<TaskVector>();
        var files = new List<string>();
        for (int t = 0; t < _tasks.Count; t++)
        {
            _ct.ThrowIfCancellationRequested();
            var task = _tasks[t];
            var options = (task.Options ?? defaults) with { Regime = Regime.Linearized, Trainable = spec.Trainable };
            var others = _names.Where((_, u) => u != t).ToList();
            string key = EvaluationCache.Key("eq7", _fingerprint, ContentHash.Data(task.Train), ContentHash.Head(task.Head), ContentHash.Settings(options),
                _options.Beta.ToString("R", CultureInfo.InvariantCulture), string.Join(",", others.Select(u => Path.GetFileName(eq8Result.FactorFiles[u]))));
            string path = Path.Combine(_cacheFolder, "main-job", $"eq7-{key}.safetensors");
            TaskVector tau;
            if (File.Exists(path)) tau = TaskVector.Load(path);
            else
            {
                var regularizer = new TakRegularizer(FactorAggregate.PerTask(others.Select(u => eq8Result.Factors[u])), new TakOptions { Beta = _options.Beta });
                var relay = new InlineProgress<FineTuneProgress>(p => _reporter.Report(eq7Spec.Label, "fine-tune", task.Name, (t + p.Step / (double)p.TotalSteps) / _tasks.Count));
                tau = new FineTuner<TInput>(Model, task.Head, options with { Regularizers = [regularizer] }).Run(task.Train, relay, _ct);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                tau.Save(path);
                computed = true;
            }
            vectors.Add(tau);
            files.Add(path);
        }
        double seconds = computed ? clock.Elapsed.TotalSeconds : 0;
        var eq7 = Evaluate(eq7Spec, vectors, files, ties: false, negation: false) with { Beta = _options.Beta, TrainSeconds = seconds };
        return [eq8, eq7];
    }

    // Each task's factors from n examples (every n of the settings) against those of the largest n. Factor files of
    // MiniLM are large (hundreds of MB each), so only the errors are kept: in memory two estimates at a time, and the
    // resulting points in the JSON cache.
    private IReadOnlyList<FactorSaturationPoint> FactorSaturation()
    {
        var sizes = _settings.FactorSizes.Order().ToArray();
        string key = EvaluationCache.Key("saturation", _fingerprint, string.Join(",", sizes), ContentHash.Settings(_settings.Kfac),
            string.Join(";", _tasks.Select(t => ContentHash.Data(t.Train))));
        if (_cache.TryLoad<List<FactorSaturationPoint>>("saturation", key) is { } cached)
        {
            _reporter.Report("factor saturation", "factors", null, 1, fromCache: true);
            return cached;
        }
        var errors = new (double A, double G)[sizes.Length, _tasks.Count];
        var seconds = new double[sizes.Length];
        for (int t = 0; t < _tasks.Count; t++)
        {
            TaskFactors? reference = null;
            for (int s = sizes.Length - 1; s >= 0; s--)
            {
                _reporter.Report("factor saturation", "factors", $"{_names[t]}, {sizes[s]} examples", (t + (sizes.Length - 1 - s) / (double)sizes.Length) / _tasks.Count);
                var clock = Stopwatch.StartNew();
                var factors = KfacEstimator.Estimate(Model, _tasks[t].Train, _settings.Kfac with { MaxExamples = sizes[s], Diagonal = false }, null, _ct);
                seconds[s] += clock.Elapsed.TotalSeconds;
                reference ??= factors;
                errors[s, t] = FactorErrors(factors, reference);
            }
        }
        var points = sizes.Select((n, s) => new FactorSaturationPoint(n, Enumerable.Range(0, _tasks.Count).Average(t => errors[s, t].A),
            Enumerable.Range(0, _tasks.Count).Average(t => errors[s, t].G), seconds[s])).ToList();
        _cache.Save("saturation", key, points);
        return points;
    }

    // Mean over blocks of ‖X/N − R/N_R‖_F / ‖R/N_R‖_F for A and for G.
    internal static (double A, double G) FactorErrors(TaskFactors estimate, TaskFactors reference)
    {
        double sumA = 0, sumG = 0;
        int blocks = 0;
        foreach (var r in reference.Blocks)
        {
            var e = estimate.FindBlock(r.Name) ?? throw new ArgumentException($"Block '{r.Name}' is missing from the estimate.", nameof(estimate));
            sumA += RelativeError(e.A, e.Count, r.A, r.Count);
            sumG += RelativeError(e.G, e.Count, r.G, r.Count);
            blocks++;
        }
        return (sumA / blocks, sumG / blocks);
    }

    private static double RelativeError(double[] x, long nx, double[] r, long nr)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < r.Length; i++)
        {
            double a = x[i] / nx, b = r[i] / nr;
            diff += (a - b) * (a - b);
            norm += b * b;
        }
        return Math.Sqrt(diff / norm);
    }

    // Accuracy of θ0 + α·v on task t's validation or test split, in the method's regime. Linearized: f0 + α·J·v with
    // J·v computed once per (vector, task, split); non-linear: one evaluation of the model per call.
    private sealed class Scorer(RowRunner<TInput> runner, string method, bool linear, int work)
    {
        private readonly Dictionary<(string, int, bool), float[]> _tangents = [];
        private int _done;

        public double Score(TaskVector v, string id, int t, bool test, float alpha)
        {
            var task = runner._tasks[t];
            var data = test ? task.Test! : task.Validation!;
            if (linear || alpha == 0)
            {
                runner.EnsurePrimal();
                var primal = (test ? runner._f0Test! : runner._f0Validation!)[t];
                if (alpha == 0) return LinearizedEmbeddings.Accuracy(task.Head, data, primal, []);
                if (!_tangents.TryGetValue((id, t, test), out var tangent))
                {
                    Progress(task.Name);
                    _tangents.Add((id, t, test), tangent = LinearizedEmbeddings.Tangent(runner.Model, data, v, runner._settings.EvaluationBatch, runner._ct));
                }
                return LinearizedEmbeddings.Accuracy(task.Head, data, primal, [(alpha, tangent)]);
            }
            Progress(task.Name);
            runner._ct.ThrowIfCancellationRequested();
            return Evaluator.Accuracy(runner.Model, task.Head, data, v, alpha: alpha, batchSize: runner._settings.EvaluationBatch);
        }

        private void Progress(string task) => runner._reporter.Report(method, "evaluate", task, Math.Min(1, _done++ / (double)Math.Max(1, work)));
    }
}
