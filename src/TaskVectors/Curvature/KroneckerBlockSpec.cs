// KroneckerBlockSpec: the shape of one KFAC block: Linear members sharing one input of width `in`,
// with A over [a; 1] ((in+1)², or in² without biases) and G over the concatenated outputs (Σ out)².
using System.Collections.ObjectModel;

namespace TaskVectors.Curvature;

/// <summary>
/// A Kronecker block over the members' stacked parameters ΔW = [W_1 b_1; W_2 b_2; …] (rows: the members'
/// outputs in order, GDim = Σ out; columns: the shared input plus a bias column, ADim = in + 1, or in without biases).
/// In the row-major flattening of ΔW, entry (o, i) ↦ o·ADim + i, the curvature block is G ⊗ A:
/// F[(o,i),(o′,i′)] = G[o,o′]·A[i,i′], so vec(ΔW)ᵀ F vec(ΔW) = tr(G ΔW A ΔWᵀ).
/// </summary>
public sealed class KroneckerBlockSpec
{
    /// <summary>Creates a block spec; all members have a bias or none has.</summary>
    /// <exception cref="ArgumentException">
    /// No members, a non-positive width, members that disagree on having a bias, or widths so large that A (ADim²), G (GDim²)
    /// or ΔW (GDim·ADim) would exceed <see cref="Array.MaxLength"/> entries.
    /// </exception>
    internal KroneckerBlockSpec(string name, IReadOnlyList<KroneckerMember> members, int inFeatures)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        if (members.Count == 0) throw new ArgumentException($"KFAC block '{name}' has no members.", nameof(members));
        bool hasBias = members[0].Bias is not null;
        foreach (var m in members)
        {
            ArgumentNullException.ThrowIfNull(m);
            if (m.OutFeatures <= 0) throw new ArgumentException($"KFAC block '{name}': member '{m.Weight}' has {m.OutFeatures} outputs.", nameof(members));
            if ((m.Bias is not null) != hasBias)
                throw new ArgumentException($"KFAC block '{name}': members must all have a bias or none; '{m.Weight}' differs.", nameof(members));
        }
        long gDim = members.Sum(m => (long)m.OutFeatures), aDim = inFeatures + (hasBias ? 1L : 0L);
        if (Math.Max(gDim, aDim) > Array.MaxLength / Math.Max(gDim, aDim))
            throw new ArgumentException($"KFAC block '{name}': G is {gDim}×{gDim} and A {aDim}×{aDim}, more than an array of {Array.MaxLength} entries holds.", nameof(members));
        Name = name;
        Members = new ReadOnlyCollection<KroneckerMember>([.. members]);
        InFeatures = inFeatures;
        HasBias = hasBias;
        GDim = (int)gDim;
    }

    /// <summary>The block's name: the Linear's name, or for fused members "{prefix}.{leaf₁}+{leaf₂}+…".</summary>
    public string Name { get; }

    /// <summary>The Linear layers in the block, in output order.</summary>
    internal IReadOnlyList<KroneckerMember> Members { get; }

    /// <summary>Width of the shared input a.</summary>
    public int InFeatures { get; }

    /// <summary>Whether the members have biases (then ā = [a; 1]).</summary>
    public bool HasBias { get; }

    /// <summary>Side of A: in + 1 with biases, in without.</summary>
    public int ADim => InFeatures + (HasBias ? 1 : 0);

    /// <summary>Side of G: Σ over members of their output widths.</summary>
    public int GDim { get; }

    /// <summary>Whether <paramref name="other"/> describes the same block (name, members, widths).</summary>
    public bool SameAs(KroneckerBlockSpec other) =>
        other is not null && Name == other.Name && InFeatures == other.InFeatures && HasBias == other.HasBias && Members.SequenceEqual(other.Members);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: A {ADim}×{ADim}, G {GDim}×{GDim}";
}
