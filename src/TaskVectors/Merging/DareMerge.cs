// DareMerge: DARE (Yu et al., ICML 2024, "Language Models are Super Mario"): drop each entry of τ_t with
// probability p and rescale the kept ones by 1/(1 − p), then combine by task arithmetic (dare_linear) or by TIES's
// sign election and disjoint mean without the magnitude trim (dare_ties), as mergekit's generalized task arithmetic
// does (github.com/arcee-ai/mergekit, merge_methods/generalized_task_arithmetic.py). Masks are seeded per task and
// tensor (seed, task index, tensor name), so a streamed merge draws the same masks in any order.
using System.Text;
using TaskVectors.Tensors;

namespace TaskVectors.Merging;

/// <summary>
/// DARE: τ̃_t = (m_t ⊙ τ_t) / (1 − p) with m_t,i ~ Bernoulli(1 − p) (p = <see cref="MergeOptions.DropRate"/>, seeded by
/// <see cref="MergeOptions.Seed"/>), then τ* = Σ_t τ̃_t ("dare_linear") or TIES's elect + disjoint mean of the τ̃_t ("dare_ties").
/// </summary>
public sealed class DareMerge : IMergeMethod
{
    private readonly TiesMerge _buffers = new();

    /// <summary>Creates DARE combined by task arithmetic (<paramref name="ties"/> false) or by TIES's sign election (true).</summary>
    public DareMerge(bool ties, MergeOptions? options = null)
    {
        Ties = ties;
        Options = options ?? new MergeOptions();
    }

    /// <summary>Whether the rescaled vectors are combined by TIES's elect + disjoint mean (else summed).</summary>
    public bool Ties { get; }

    /// <summary>The options (<see cref="MergeOptions.DropRate"/>, <see cref="MergeOptions.Seed"/>).</summary>
    public MergeOptions Options { get; }

    /// <inheritdoc />
    public string Name => Ties ? "dare_ties" : "dare_linear";

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int d = tensor.Length;
        var dropped = _buffers.Buffers(tensor.TaskCount, d);
        for (int t = 0; t < tensor.TaskCount; t++) Drop(tensor.Task(t), dropped[t].AsSpan(0, d), MaskSeed(Options.Seed, t, tensor.Name), Options.DropRate);
        if (Ties) MergeKernels.ElectAndDisjointMean(dropped, destination);
        else
        {
            destination.Clear();
            foreach (var x in dropped) System.Numerics.Tensors.TensorPrimitives.Add(destination, x.AsSpan(0, d), destination);
        }
    }

    /// <summary>destination = m ⊙ x / (1 − p), m_i = [u_i ≥ p], u_i the i-th uniform draw of <see cref="Rng"/>(seed).</summary>
    internal static void Drop(ReadOnlySpan<float> x, Span<float> destination, ulong seed, double p)
    {
        var rng = new Rng(seed);
        float scale = (float)(1 / (1 - p));
        for (int i = 0; i < x.Length; i++) destination[i] = rng.NextDouble() < p ? 0f : x[i] * scale;
    }

    /// <summary>The mask stream of task t and tensor <paramref name="name"/>: FNV-1a of the name's UTF-8 bytes mixed with seed and t.</summary>
    internal static ulong MaskSeed(ulong seed, int task, string name)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(name)) hash = (hash ^ b) * 1099511628211UL;
        return seed ^ (hash * 0x9E3779B97F4A7C15UL) ^ ((ulong)(task + 1) * 0xBF58476D1CE4E5B9UL);
    }
}
