// TiesMerge: TIES-Merging (Yadav et al., NeurIPS 2023): per task, trim τ_t to its top-k % magnitudes (per tensor
// here, as in mergekit, so files stream); elect the sign γ = sgn(Σ_t τ̂_t); average the entries that agree with γ.
// Follows the official code (github.com/prateeksr/TIES-Merging, ties_merging_utils.py): threshold by kthvalue,
// zero signs set to the majority sign, mean over agreeing non-zero entries.
namespace TaskVectors.Merging;

/// <summary>
/// TIES-Merging: τ̂_t = τ_t ⊙ [|τ_t| ≥ k-th largest magnitude] (k = <see cref="MergeOptions.Density"/> of the tensor's
/// entries), γ = sgn(Σ_t τ̂_t), τ*_i = mean{τ̂_t,i : sgn(τ̂_t,i) = γ_i}. Registered as "ties".
/// </summary>
public sealed class TiesMerge : IMergeMethod
{
    private float[] _scratch = [];
    private float[][] _trimmed = [];

    /// <summary>Creates the method with density k (fraction of entries kept per task and tensor).</summary>
    public TiesMerge(MergeOptions? options = null) => Options = options ?? new MergeOptions();

    /// <summary>The options (<see cref="MergeOptions.Density"/>).</summary>
    public MergeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "ties";

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int d = tensor.Length;
        var trimmed = Buffers(tensor.TaskCount, d);
        for (int t = 0; t < tensor.TaskCount; t++)
        {
            var x = tensor.Task(t);
            float threshold = MergeKernels.TrimThreshold(x, Options.Density, _scratch);
            MergeKernels.KeepAtLeast(x, threshold, trimmed[t].AsSpan(0, d));
        }
        MergeKernels.ElectAndDisjointMean(trimmed, destination);
    }

    // One trimmed copy per task and one selection scratch, grown to the largest tensor and reused.
    internal float[][] Buffers(int tasks, int length)
    {
        if (_scratch.Length < length) _scratch = new float[length];
        if (_trimmed.Length != tasks || (tasks > 0 && _trimmed[0].Length < length))
            _trimmed = [.. Enumerable.Range(0, tasks).Select(_ => new float[length])];
        return _trimmed;
    }
}
