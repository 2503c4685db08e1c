// TaskArithmeticPlanExtensions: the builder's features. Each returns a new plan and checks its arguments at the
// call (β < 0 or NaN, steps ≤ 0, a duplicate task name, an unknown merge method, …), never deep inside a run.
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Training;

namespace TaskVectors.Building;

/// <summary>The steps of a <see cref="TaskArithmeticPlan{TInput}"/>.</summary>
public static class TaskArithmeticPlanExtensions
{
    /// <summary>Adds a task to fine-tune into τ_t (repeat for every task).</summary>
    /// <exception cref="ArgumentException">The name is empty or taken, the data is empty, or the head does not fit the data or the model.</exception>
    public static TaskArithmeticPlan<TInput> FineTune<TInput>(this TaskArithmeticPlan<TInput> plan, string name, ILabeledData<TInput> train, CosineHead head,
        ILabeledData<TInput>? validation = null, ILabeledData<TInput>? test = null, FineTuneOptions? options = null) =>
        plan.FineTune(new FineTuneTask<TInput>(name, train, head) { Validation = validation, Test = test, Options = options });

    /// <summary>Adds a task to fine-tune into τ_t (repeat for every task).</summary>
    /// <exception cref="ArgumentException">The name is taken, or the head's width is not the model's embedding width.</exception>
    public static TaskArithmeticPlan<TInput> FineTune<TInput>(this TaskArithmeticPlan<TInput> plan, FineTuneTask<TInput> task)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(task);
        CheckNewName(plan, task.Name, nameof(task));
        if (task.Head.Features != plan.Model.EmbeddingDim)
            throw new ArgumentException($"Task '{task.Name}': head '{task.Head.Name}' takes {task.Head.Features}-dimensional embeddings; the base model produces {plan.Model.EmbeddingDim}.", nameof(task));
        return plan.With(s => s with { Tasks = s.Tasks.Add(task) });
    }

    /// <summary>The fine-tuning settings of every task that names none (default: <see cref="FineTuneOptions"/>' defaults).</summary>
    /// <exception cref="ArgumentException">A setting is invalid, or the options carry regularizers.</exception>
    public static TaskArithmeticPlan<TInput> WithFineTuneOptions<TInput>(this TaskArithmeticPlan<TInput> plan, FineTuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        PlanChecks.FineTune(options, nameof(options));
        return plan.With(s => s with { FineTuneDefaults = options });
    }

    /// <summary>
    /// TAK: each task t is fine-tuned with L = CE + β·[Σ_l tr(G*_l ΔW_l A*_l ΔW_lᵀ) + c_ln·Σ_p Δw_pᵀ F*_p Δw_p + …], the
    /// factors A*, G*, F* aggregated (Eq. 8) from every <em>other</em> task's KFAC factors at θ0 — the plan's tasks
    /// (phase 1, on their training inputs, labels unused) and any factor files given with <c>WithFactorsFrom</c>.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="beta">β ≥ 0 (default 100, the paper's main tables).</param>
    /// <param name="factors">How the factors are estimated (default: Monte-Carlo, 1 probe, expand, fused q/k/v, batch 64).</param>
    /// <param name="penalty">c_ln, c_proj and the projection blocks (β is taken from <paramref name="beta"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">β or a coefficient is negative, NaN or ∞; a factor setting is invalid.</exception>
    public static TaskArithmeticPlan<TInput> WithKfacRegularizer<TInput>(this TaskArithmeticPlan<TInput> plan, double beta = 100, KfacOptions? factors = null, TakOptions? penalty = null) =>
        plan.WithCurvature(diagonal: false, beta, factors, penalty);

    /// <summary>
    /// The dataless diagonal-GGN baseline: like <see cref="WithKfacRegularizer"/> but the penalty is β·Σ D*⊙ΔW², D* the
    /// other tasks' aggregated diagonal GGN (the factors are estimated with diagonals).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">β or a coefficient is negative, NaN or ∞; a factor setting is invalid.</exception>
    public static TaskArithmeticPlan<TInput> WithDiagonalGgnRegularizer<TInput>(this TaskArithmeticPlan<TInput> plan, double beta = 100, KfacOptions? factors = null, TakOptions? penalty = null) =>
        plan.WithCurvature(diagonal: true, beta, factors, penalty);

    /// <summary>The data-based τJp baseline: β·(1/B) Σ_x ‖J(x; θ0)·τ‖² over the other tasks' training inputs.</summary>
    public static TaskArithmeticPlan<TInput> WithTauJpRegularizer<TInput>(this TaskArithmeticPlan<TInput> plan, TauJpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.With(s => s with { Regularizer = new TauJpRegularization(options ?? new TauJpOptions()) });
    }

    /// <summary>Fine-tunes without a penalty (the default; undoes a regularizer set on the plan this one branches from).</summary>
    public static TaskArithmeticPlan<TInput> WithoutRegularizer<TInput>(this TaskArithmeticPlan<TInput> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.With(s => s with { Regularizer = null });
    }

    /// <summary>
    /// Adds other parties' factor files to the curvature every task is regularized against (the multi-party setting:
    /// their data never leaves them). The files must be of this base model (checked when the plan runs).
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static TaskArithmeticPlan<TInput> WithFactorsFrom<TInput>(this TaskArithmeticPlan<TInput> plan, params IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(files);
        var list = files.Select(f => ExistingFile(f, nameof(files))).ToList();
        if (list.Count == 0) throw new ArgumentException("No factor files given.", nameof(files));
        return plan.With(s => s with { FactorFiles = s.FactorFiles.AddRange(list) });
    }

    /// <summary>
    /// Adds a task vector computed elsewhere to the merge (under <paramref name="name"/>, default the file's name). It
    /// must be of this base model and the plan's regime (checked when the plan runs).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The name is taken.</exception>
    public static TaskArithmeticPlan<TInput> WithTaskVector<TInput>(this TaskArithmeticPlan<TInput> plan, string file, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string path = ExistingFile(file, nameof(file));
        name ??= Path.GetFileName(path);
        CheckNewName(plan, name, nameof(name));
        return plan.With(s => s with { TaskVectorFiles = s.TaskVectorFiles.Add(new ExternalTaskVector(name, path)) });
    }

    /// <summary>
    /// Merges the task vectors with the registered method <paramref name="method"/> (<see cref="MergeMethods.Names"/>):
    /// τ* = method(τ_1, …, τ_T), merged model θ0 + α·τ*. "regmean" and "fisher" receive the tasks' factors.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="method">A registered name, e.g. "task_arithmetic", "ties", "regmean".</param>
    /// <param name="alpha">A fixed α (a float converts) or <see cref="AlphaSelection.Search"/>; default α = 1.</param>
    /// <param name="options">The method's hyperparameters.</param>
    /// <exception cref="ArgumentException">No method has that name.</exception>
    public static TaskArithmeticPlan<TInput> Merge<TInput>(this TaskArithmeticPlan<TInput> plan, string method, AlphaSelection? alpha = null, MergeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(method);
        if (!MergeMethods.Names.Contains(method))
            throw new ArgumentException($"No merge method is named '{method}'; known: {string.Join(", ", MergeMethods.Names)}.", nameof(method));
        return plan.With(s => s with { Merge = new MergeSettings(method, options, null, alpha ?? AlphaSelection.Fixed(1f)) });
    }

    /// <summary>Merges the task vectors with <paramref name="method"/> (given everything it needs); merged model θ0 + α·τ*.</summary>
    public static TaskArithmeticPlan<TInput> Merge<TInput>(this TaskArithmeticPlan<TInput> plan, IMergeMethod method, AlphaSelection? alpha = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(method);
        return plan.With(s => s with { Merge = new MergeSettings(null, null, method, alpha ?? AlphaSelection.Fixed(1f)) });
    }

    /// <summary>
    /// Adds the merge row of the evaluation table (<see cref="MergeEvaluation"/>): each task's test accuracy with its own
    /// τ_t (individual), and the merged model's at α = 1 and at the α picked on validation data, absolute (mean over tasks)
    /// and normalized (mean of merged / individual). α is swept over the merge's search grid, or over
    /// <see cref="EvaluationOptions.Alphas"/> when the merge's α is fixed. Every task needs validation and test data.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="options">The protocol's settings (grid, batch size).</param>
    /// <param name="label">The row's label (default: the regularizer and the merge method).</param>
    public static TaskArithmeticPlan<TInput> Evaluate<TInput>(this TaskArithmeticPlan<TInput> plan, EvaluationOptions? options = null, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (label is not null) ArgumentException.ThrowIfNullOrWhiteSpace(label);
        return plan.With(s => s with { Evaluation = options ?? new EvaluationOptions(), EvaluationLabel = label });
    }

    /// <summary>
    /// Adds a negation row: θ0 − α·τ_<paramref name="task"/>, α the largest of the grid whose accuracy on
    /// <paramref name="control"/> stays ≥ <see cref="EvaluationOptions.ControlThreshold"/> × the base model's (picked on
    /// validation data, reported on test data; <see cref="MergeEvaluation.Negate"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Either task is not (yet) a fine-tuned task of the plan, they are the same, or the task is negated already.</exception>
    public static TaskArithmeticPlan<TInput> Negate<TInput>(this TaskArithmeticPlan<TInput> plan, string task, string control, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(control);
        foreach (var (name, parameter) in new[] { (task, nameof(task)), (control, nameof(control)) })
            if (!plan.Tasks.Any(t => t.Name == name))
                throw new ArgumentException($"The plan has no fine-tuned task '{name}' (tasks: {string.Join(", ", plan.Tasks.Select(t => t.Name))}); add it with FineTune first.", parameter);
        if (task == control) throw new ArgumentException($"Task '{task}' cannot be its own control.", nameof(control));
        if (plan.State.Negations.Any(n => n.Task == task)) throw new ArgumentException($"Task '{task}' is negated already.", nameof(task));
        return plan.With(s => s with { Negations = s.Negations.Add(new NegationSettings(task, control, options ?? new EvaluationOptions())) });
    }

    /// <summary>
    /// Keeps factors and task vectors in <paramref name="folder"/>, addressed by their content (base fingerprint, data
    /// hash, settings): a re-run recomputes nothing that is valid there, a changed setting recomputes only what depends on
    /// it, and an interrupted fine-tune resumes from its checkpoint, written every <paramref name="checkpointEvery"/> steps
    /// (0: after the last only).
    /// </summary>
    /// <exception cref="ArgumentException">The folder is empty, or <paramref name="checkpointEvery"/> is negative.</exception>
    public static TaskArithmeticPlan<TInput> WithCache<TInput>(this TaskArithmeticPlan<TInput> plan, string folder, int checkpointEvery = 100)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfNegative(checkpointEvery);
        string full = Path.GetFullPath(folder);
        return plan.With(s => s with { CacheFolder = full, CheckpointEvery = checkpointEvery });
    }

    private static TaskArithmeticPlan<TInput> WithCurvature<TInput>(this TaskArithmeticPlan<TInput> plan, bool diagonal, double beta, KfacOptions? factors, TakOptions? penalty)
    {
        ArgumentNullException.ThrowIfNull(plan);
        PlanChecks.Beta(beta, nameof(beta));
        var tak = (penalty ?? new TakOptions()) with { Beta = beta };
        tak.Validate();
        var kfac = factors ?? new KfacOptions();
        if (diagonal) kfac = kfac with { Diagonal = true };
        kfac.Validate();
        return plan.With(s => s with { Regularizer = new KfacRegularization(diagonal, tak, kfac) });
    }

    private static void CheckNewName<TInput>(TaskArithmeticPlan<TInput> plan, string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameter);
        if (plan.State.TaskNames.Contains(name, StringComparer.Ordinal))
            throw new ArgumentException($"The plan already has a task named '{name}'; task names must be unique.", parameter);
    }

    private static string ExistingFile(string file, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file, parameter);
        string full = Path.GetFullPath(file);
        return File.Exists(full) ? full : throw new FileNotFoundException($"No such file: '{file}'.", full);
    }
}
