// TaskArithmeticMerge: τ* = Σ_t τ_t (Ilharco et al., ICLR 2023, "Editing models with task arithmetic"); the
// merged model is θ0 + α·τ*, α picked on validation data.
namespace TaskVectors.Merging;

/// <summary>Task arithmetic: τ*[p] = Σ_t τ_t[p]. Registered as "task_arithmetic".</summary>
public sealed class TaskArithmeticMerge : IMergeMethod
{
    /// <inheritdoc />
    public string Name => "task_arithmetic";

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        MergeKernels.Sum(tensor, destination);
    }
}
