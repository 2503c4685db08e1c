// MergeEvaluation: the paper's evaluation protocol (Porrello et al. 2026, §Protocol; Ilharco et al. 2023): each task
// scored with its own frozen head, in the task vectors' regime; absolute accuracy = mean over tasks, normalized =
// mean of merged / individually fine-tuned accuracy; α = 1 and α picked on validation (reported on test); negation
// θ0 − α·τ_t at the largest α whose control accuracy stays ≥ 95 % of the base model's.
using TaskVectors.Models;

namespace TaskVectors.Merging;

/// <summary>The evaluation protocol of task arithmetic: per-task, merged and negation accuracies.</summary>
public static class MergeEvaluation
{
    /// <summary>Each task's test accuracy with its own task vector at α = 1, in the vectors' regime (the normalization's denominator).</summary>
    /// <exception cref="ArgumentException">Counts differ, or a vector does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">A vector records another base model, or none.</exception>
    public static IReadOnlyList<double> Individual<TInput>(IEmbeddingModel<TInput> model, IReadOnlyList<EvaluationTask<TInput>> tasks,
        IReadOnlyList<TaskVector> vectors, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count != tasks.Count) throw new ArgumentException($"{vectors.Count} task vectors for {tasks.Count} tasks.", nameof(vectors));
        options ??= new EvaluationOptions();
        string fingerprint = ModelFingerprint.Compute(model);
        var result = new double[tasks.Count];
        for (int t = 0; t < tasks.Count; t++)
        {
            vectors[t].EnsureBase(fingerprint, tasks[t].Name);
            result[t] = Evaluator.AccuracyCore(model, tasks[t].Head, tasks[t].Test, vectors[t], vectors[t].Regime, 1f, options.BatchSize);
        }
        return result;
    }

    /// <summary>
    /// Evaluates θ0 + α·τ* on every task (its own head, τ*'s regime): test accuracies at α = 1 and at the α of the grid
    /// with the highest mean validation accuracy, absolute and normalized by <paramref name="individual"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No tasks, counts differ, an individual accuracy is not in (0, 1], or τ* does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">τ* records another base model, or none.</exception>
    public static MergeEvaluationResult Evaluate<TInput>(IEmbeddingModel<TInput> model, IReadOnlyList<EvaluationTask<TInput>> tasks,
        TaskVector merged, IReadOnlyList<double> individual, string method, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(individual);
        ArgumentNullException.ThrowIfNull(method);
        if (tasks.Count == 0) throw new ArgumentException("No tasks to evaluate.", nameof(tasks));
        if (individual.Count != tasks.Count) throw new ArgumentException($"{individual.Count} individual accuracies for {tasks.Count} tasks.", nameof(individual));
        for (int t = 0; t < individual.Count; t++)
            if (!(individual[t] > 0 && individual[t] <= 1))
                throw new ArgumentException($"The individual accuracy of task '{tasks[t].Name}' is {individual[t]}; normalized accuracy needs a value in (0, 1].", nameof(individual));
        options ??= new EvaluationOptions();
        merged.EnsureBase(model, "merged");

        double[] Scores(float alpha, bool test) =>
            [.. tasks.Select(task => Evaluator.AccuracyCore(model, task.Head, test ? task.Test : task.Validation, merged, merged.Regime, alpha, options.BatchSize))];
        MergedAccuracy At(float alpha)
        {
            var perTask = Scores(alpha, test: true);
            return new MergedAccuracy(alpha, perTask, perTask.Average(), perTask.Select((a, t) => a / individual[t]).Average());
        }

        var sweep = options.Alphas.Select(a => new AlphaScore(a, Scores(a, test: false).Average())).ToList();
        return new MergeEvaluationResult(method, [.. tasks.Select(t => t.Name)], [.. individual], At(1f), At(BestAlpha(sweep)), sweep);
    }

    /// <summary>
    /// Task negation: θ0 − α·τ (τ's regime), α the largest of the grid whose control validation accuracy is at least
    /// <see cref="EvaluationOptions.ControlThreshold"/> × θ0's (0 when none is); target and control test accuracies at that α.
    /// </summary>
    /// <exception cref="ArgumentException">τ does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">τ records another base model, or none.</exception>
    public static NegationResult Negate<TInput>(IEmbeddingModel<TInput> model, EvaluationTask<TInput> target, EvaluationTask<TInput> control,
        TaskVector tau, string method, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(tau);
        ArgumentNullException.ThrowIfNull(method);
        options ??= new EvaluationOptions();
        tau.EnsureBase(model, target.Name);
        double Score(EvaluationTask<TInput> task, bool test, float alpha) =>
            Evaluator.AccuracyCore(model, task.Head, test ? task.Test : task.Validation, alpha == 0 ? null : tau, tau.Regime, -alpha, options.BatchSize);

        double baseControlValidation = Score(control, test: false, 0f);
        var sweep = options.Alphas.Select(a => new AlphaScore(a, Score(target, false, a), Score(control, false, a))).ToList();
        float chosen = NegationAlpha(sweep, baseControlValidation, options.ControlThreshold);
        return new NegationResult(method, target.Name, control.Name, Score(target, true, 0f), Score(control, true, 0f),
            chosen, Score(target, true, chosen), Score(control, true, chosen), sweep);
    }

    /// <summary>The first (smallest) α of highest accuracy in a validation sweep.</summary>
    internal static float BestAlpha(IReadOnlyList<AlphaScore> sweep) => sweep.MaxBy(s => s.Accuracy)!.Alpha; // MaxBy keeps the first of equal maxima

    /// <summary>The largest α whose control accuracy is ≥ <paramref name="threshold"/> × <paramref name="baseControl"/>; 0 when none is.</summary>
    internal static float NegationAlpha(IReadOnlyList<AlphaScore> sweep, double baseControl, double threshold) =>
        sweep.Where(s => s.Control >= threshold * baseControl).Select(s => s.Alpha).DefaultIfEmpty(0f).Max();
}
