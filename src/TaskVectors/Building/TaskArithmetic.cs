// TaskArithmetic: the entry point of the fluent builder. A plan starts from one base model θ0:
//   TaskArithmetic.Base(model).FineTune(…).FineTune(…).WithKfacRegularizer(β).Merge("task_arithmetic", AlphaSelection.Search(…)).Evaluate()
// and runs with RunAsync (or Build() once, then Run/RunAsync).
using TaskVectors.Merging;
using TaskVectors.Models;

namespace TaskVectors.Building;

/// <summary>Starts task-arithmetic plans (<see cref="TaskArithmeticPlan{TInput}"/>) from a base model θ0.</summary>
public static class TaskArithmetic
{
    /// <summary>
    /// A plan on <paramref name="model"/> as it is now (θ0). The plan never changes the model's weights: fine-tuning,
    /// curvature estimation and evaluation leave it at θ0. Do not change the model while plans on it run.
    /// </summary>
    public static TaskArithmeticPlan<TInput> Base<TInput>(IEmbeddingModel<TInput> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new TaskArithmeticPlan<TInput>(PlanState<TInput>.Start(model));
    }

    /// <summary>A plan on the pretrained model called <paramref name="name"/>, loaded now through <paramref name="resolver"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, or the resolver does not know it.</exception>
    /// <exception cref="InvalidOperationException">The resolver returned no model.</exception>
    public static TaskArithmeticPlan<TInput> Base<TInput>(string name, IBaseModelResolver<TInput> resolver)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(resolver);
        return Base(resolver.Resolve(name) ?? throw new InvalidOperationException($"The resolver returned no model for '{name}'."));
    }

    /// <summary>A plan on the pretrained model called <paramref name="name"/>, loaded now by <paramref name="resolve"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, or <paramref name="resolve"/> does not know it.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="resolve"/> returned no model.</exception>
    public static TaskArithmeticPlan<TInput> Base<TInput>(string name, Func<string, IEmbeddingModel<TInput>> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        return Base(name, new DelegateResolver<TInput>(resolve));
    }

    /// <summary>
    /// Merges task-vector files into a base checkpoint: τ* = <paramref name="method"/>(τ_1, …, τ_T), streamed, then
    /// θ0 + α·τ* written to <paramref name="output"/> (atomic; every base tensor, τ* added where it has the tensor).
    /// The base is checked to be the task vectors' own: its tensors, hashed in file or name order, must give their
    /// recorded fingerprint, or its metadata must record it (<see cref="ModelFingerprint.MetadataKey"/>).
    /// </summary>
    /// <param name="baseFile">The base checkpoint θ0 (safetensors).</param>
    /// <param name="taskVectorFiles">Task-vector files of that base, one regime.</param>
    /// <param name="output">The merged checkpoint to write.</param>
    /// <param name="method">A registered merge method (<see cref="MergeMethods.Names"/>).</param>
    /// <param name="alpha">α, finite.</param>
    /// <param name="options">The method's hyperparameters.</param>
    /// <param name="unverifiedBase">Merge even when the base cannot be verified (an explicit request).</param>
    /// <param name="progress">Reports the merge tensor by tensor.</param>
    /// <param name="cancellationToken">Cancels; nothing is written.</param>
    /// <exception cref="ArgumentException">No task vectors, an unknown method, or a non-finite α.</exception>
    /// <exception cref="InvalidOperationException">The base is not verifiably the vectors' base, or a tensor does not fit it.</exception>
    /// <exception cref="TaskVectorMismatchException">The task vectors disagree on base, regime, names or shapes.</exception>
    public static void MergeIntoBase(string baseFile, IReadOnlyList<string> taskVectorFiles, string output, string method = "task_arithmetic",
        float alpha = 1f, MergeOptions? options = null, bool unverifiedBase = false, IProgress<MergeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseFile);
        ArgumentNullException.ThrowIfNull(taskVectorFiles);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        if (taskVectorFiles.Count == 0) throw new ArgumentException("No task-vector files to merge.", nameof(taskVectorFiles));
        PlanChecks.Alpha(alpha, nameof(alpha));
        BaseFileMerge.Run(baseFile, taskVectorFiles, output, MergeMethods.Create(method, options), alpha, unverifiedBase, progress, cancellationToken);
    }

    private sealed class DelegateResolver<TInput>(Func<string, IEmbeddingModel<TInput>> resolve) : IBaseModelResolver<TInput>
    {
        public IEmbeddingModel<TInput> Resolve(string name) => resolve(name);
    }
}
