// IMergeMethod: the per-tensor merge seam (mergekit's MergeMethod idea): given the T task vectors' values of one
// tensor, write the merged task vector's values. Methods are registered by name in MergeMethods.
namespace TaskVectors.Merging;

/// <summary>
/// A model-merging method applied tensor by tensor: for each parameter p it maps τ_1[p], …, τ_T[p] to the merged
/// τ*[p]; the merged model is θ0 + α·τ* (α chosen at evaluation). A method sees one tensor at a time (and, where its
/// paper needs them, the same layer's sibling tensors and the tasks' curvature factors), so files can be merged as a
/// stream without holding T models.
/// </summary>
public interface IMergeMethod
{
    /// <summary>The registry name (e.g. "ties").</summary>
    string Name { get; }

    /// <summary>
    /// Called once before the first tensor with what is being merged; a method checks here what it needs (e.g. one
    /// factor file per task of the same base model) and throws <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    void Prepare(MergePlan plan) { }

    /// <summary>Writes τ*[p] for the tensor <paramref name="tensor"/> into <paramref name="destination"/> (its length).</summary>
    void Merge(MergeTensor tensor, Span<float> destination);
}
