// TaskArithmetic: the entry point of the fluent builder. A plan starts from one base model θ0:
//   TaskArithmetic.Base(model).FineTune(…).FineTune(…).WithKfacRegularizer(β).Merge("task_arithmetic", AlphaSelection.Search(…)).Evaluate()
// and runs with RunAsync (or Build() once, then Run/RunAsync).
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

    private sealed class DelegateResolver<TInput>(Func<string, IEmbeddingModel<TInput>> resolve) : IBaseModelResolver<TInput>
    {
        public IEmbeddingModel<TInput> Resolve(string name) => resolve(name);
    }
}
