// ConsensusMerge and TALL masks (Wang et al., ICML 2024, "Localizing Task Information for Improved Model Merging
// and Compression"; official code github.com/nik-dim/tall_masks): τ_MTL = Σ_t τ_t, the TALL mask of task t is
// m_t = [|τ_t| ≥ λ·|τ_MTL − τ_t|]; Consensus keeps τ_MTL where at least k masks are on; TALL reconstructs one task
// as m_t ⊙ τ_MTL. Both are local to a tensor, so one streaming pass suffices.
namespace TaskVectors.Merging;

/// <summary>
/// Consensus merging ("consensus"): τ* = τ_MTL ⊙ [Σ_t m_t ≥ k] with m_t = [|τ_t| ≥ λ·|τ_MTL − τ_t|], τ_MTL = Σ_t τ_t
/// (λ = <see cref="MergeOptions.Lambda"/>, k = <see cref="MergeOptions.MinTasks"/>). With <c>tall: true</c> ("tall") it
/// returns task t's TALL-mask reconstruction m_t ⊙ τ_MTL instead (t = <see cref="MergeOptions.TallTask"/>).
/// </summary>
public sealed class ConsensusMerge : IMergeMethod
{
    /// <summary>Creates Consensus merging, or (<paramref name="tall"/>) the TALL reconstruction of one task.</summary>
    public ConsensusMerge(bool tall = false, MergeOptions? options = null)
    {
        Tall = tall;
        Options = options ?? new MergeOptions();
    }

    /// <summary>Whether the method returns one task's TALL reconstruction rather than the consensus merge.</summary>
    public bool Tall { get; }

    /// <summary>The options (<see cref="MergeOptions.Lambda"/>, <see cref="MergeOptions.MinTasks"/>, <see cref="MergeOptions.TallTask"/>).</summary>
    public MergeOptions Options { get; }

    /// <inheritdoc />
    public string Name => Tall ? "tall" : "consensus";

    /// <inheritdoc />
    public void Prepare(MergePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (Tall && Options.TallTask >= plan.TaskCount)
            throw new ArgumentException($"TALL task {Options.TallTask} does not exist among {plan.TaskCount} task vectors.", nameof(plan));
    }

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        MergeKernels.Sum(tensor, destination);
        float lambda = (float)Options.Lambda;
        for (int i = 0; i < destination.Length; i++)
        {
            float mtl = destination[i];
            bool keep;
            if (Tall)
            {
                float x = tensor.Task(Options.TallTask)[i];
                keep = Math.Abs(x) >= lambda * Math.Abs(mtl - x);
            }
            else
            {
                int votes = 0;
                for (int t = 0; t < tensor.TaskCount; t++)
                {
                    float x = tensor.Task(t)[i];
                    if (Math.Abs(x) >= lambda * Math.Abs(mtl - x)) votes++;
                }
                keep = votes >= Options.MinTasks;
            }
            if (!keep) destination[i] = 0f;
        }
    }
}
