// FactorIndex: where each merged tensor lives in the tasks' KFAC factor files: a Linear member of a Kronecker block
// (its rows o0..o0+out of ΔW = [W | b], weight columns 0..in, bias column in) or a dense block; checked against the
// merge: one factor set per task vector, same base model, same block layout, every block's tensors present.
using TaskVectors.Curvature;

namespace TaskVectors.Merging;

internal sealed class FactorIndex
{
    private readonly Dictionary<string, (int Block, KroneckerMember Member, int RowOffset)> _linear = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _dense = new(StringComparer.Ordinal);

    private FactorIndex(IReadOnlyList<TaskFactors> factors) => Factors = factors;

    public IReadOnlyList<TaskFactors> Factors { get; }

    public static FactorIndex Build(string method, MergeOptions options, MergePlan plan, bool needDiagonal)
    {
        var factors = options.Factors
            ?? throw new ArgumentException($"{method} needs one set of KFAC factors per task vector (MergeOptions.Factors).", nameof(options));
        if (factors.Count != plan.TaskCount)
            throw new ArgumentException($"{method}: {factors.Count} factor sets for {plan.TaskCount} task vectors.", nameof(options));
        if (plan.BaseFingerprint is null)
            throw new ArgumentException($"{method}: the task vectors record no base-model fingerprint, so their factors cannot be checked against them.", nameof(plan));
        for (int t = 0; t < factors.Count; t++)
        {
            if (!string.Equals(factors[t].BaseFingerprint, plan.BaseFingerprint, StringComparison.Ordinal))
                throw new ArgumentException($"{method}: the factors of task {t} ({plan.Sources[t]}) were computed on another base model than the task vectors'.", nameof(options));
            if (!factors[t].SameLayout(factors[0]))
                throw new ArgumentException($"{method}: the factors of task {t} ({plan.Sources[t]}) have another block layout than task 0's.", nameof(options));
            if (factors[t].Count <= 0)
                throw new ArgumentException($"{method}: the factors of task {t} ({plan.Sources[t]}) sum over no examples.", nameof(options));
            if (needDiagonal && !factors[t].HasDiagonal)
                throw new ArgumentException($"{method}: the factors of task {t} ({plan.Sources[t]}) carry no diagonal GGN; estimate them with KfacOptions.Diagonal = true.", nameof(options));
        }
        var index = new FactorIndex(factors);
        var shapes = plan.Tensors.ToDictionary(x => x.Name, x => x.Shape, StringComparer.Ordinal);
        var blocks = factors[0].Blocks;
        for (int b = 0; b < blocks.Count; b++)
        {
            int offset = 0;
            foreach (var m in blocks[b].Spec.Members)
            {
                if (shapes.TryGetValue(m.Weight, out var w) && !w.AsSpan().SequenceEqual([m.OutFeatures, blocks[b].Spec.InFeatures]))
                    throw new ArgumentException($"{method}: tensor '{m.Weight}' is {Tensors.Tensor.ShapeString(w)} but its factor block '{blocks[b].Name}' expects [{m.OutFeatures}, {blocks[b].Spec.InFeatures}].", nameof(plan));
                index._linear[m.Weight] = (b, m, offset);
                if (m.Bias is not null) index._linear[m.Bias] = (b, m, offset);
                offset += m.OutFeatures;
            }
        }
        var dense = factors[0].DenseBlocks;
        for (int d = 0; d < dense.Count; d++)
        {
            if (shapes.TryGetValue(dense[d].Parameter, out var shape) && Tensors.Tensor.CheckedLength(shape) != dense[d].Spec.Dim)
                throw new ArgumentException($"{method}: tensor '{dense[d].Parameter}' has {Tensors.Tensor.CheckedLength(shape)} entries but its dense factor block {dense[d].Spec.Dim}.", nameof(plan));
            index._dense[dense[d].Parameter] = d;
        }
        return index;
    }

    /// <summary>The Kronecker block, member and row offset covering <paramref name="name"/> (weight or bias), if any.</summary>
    public bool TryLinear(string name, out int block, out KroneckerMember member, out int rowOffset)
    {
        bool found = _linear.TryGetValue(name, out var entry);
        (block, member, rowOffset) = entry;
        return found;
    }

    /// <summary>The dense block of <paramref name="name"/>, or −1.</summary>
    public int Dense(string name) => _dense.GetValueOrDefault(name, -1);
}
