// KroneckerBlock: one task's KFAC sums for a block: S_A (ADim × ADim) and S_G (GDim × GDim), float64,
// row-major and symmetric, the number of samples N they sum over, and optionally the diagonal-GGN sum
// S_D (GDim × ADim, the layout of ΔW = [W | b]) from the same probe pass.
namespace TaskVectors.Curvature;

/// <summary>
/// The factor sums of one block on one task: S_A = Σ ā āᵀ and S_G = Σ g gᵀ (with the token and probe weights of
/// <see cref="KfacOptions"/>), and N, the number of samples (examples, not tokens). The KFAC block is
/// (S_G/N) ⊗ (S_A/N) in the layout <see cref="KroneckerBlockSpec"/> describes.
/// </summary>
public sealed class KroneckerBlock
{
    /// <summary>Creates a block of zero sums and count 0, with a zero diagonal sum if <paramref name="diagonal"/>.</summary>
    public KroneckerBlock(KroneckerBlockSpec spec, bool diagonal = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        A = new double[(long)spec.ADim * spec.ADim];
        G = new double[(long)spec.GDim * spec.GDim];
        Diagonal = diagonal ? new double[(long)spec.GDim * spec.ADim] : null;
    }

    /// <summary>Wraps existing sums (not copied); <paramref name="diagonal"/> is optional.</summary>
    /// <exception cref="ArgumentException">A, G or the diagonal has the wrong length, or the count is negative.</exception>
    public KroneckerBlock(KroneckerBlockSpec spec, double[] a, double[] g, long count, double[]? diagonal = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(g);
        if (a.LongLength != (long)spec.ADim * spec.ADim) throw new ArgumentException($"KFAC block '{spec.Name}': A has {a.Length} entries, not {spec.ADim}².", nameof(a));
        if (g.LongLength != (long)spec.GDim * spec.GDim) throw new ArgumentException($"KFAC block '{spec.Name}': G has {g.Length} entries, not {spec.GDim}².", nameof(g));
        if (diagonal is not null && diagonal.LongLength != (long)spec.GDim * spec.ADim)
            throw new ArgumentException($"KFAC block '{spec.Name}': the diagonal has {diagonal.Length} entries, not {spec.GDim}·{spec.ADim}.", nameof(diagonal));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Spec = spec;
        A = a;
        G = g;
        Diagonal = diagonal;
        Count = count;
    }

    /// <summary>The block's members and sizes.</summary>
    public KroneckerBlockSpec Spec { get; }

    /// <summary>The block name (<see cref="KroneckerBlockSpec.Name"/>).</summary>
    public string Name => Spec.Name;

    /// <summary>S_A, row-major ADim × ADim.</summary>
    public double[] A { get; }

    /// <summary>S_G, row-major GDim × GDim.</summary>
    public double[] G { get; }

    /// <summary>
    /// S_D, the diagonal of the block's GGN before Kronecker factoring, row-major GDim × ADim in the layout of
    /// ΔW = [W | b]: with the token weights w_r of <see cref="KfacOptions.TokenMode"/> and probe weights w_p,
    /// S_D[o, i] = Σ_n Σ_probes w_p Σ_r w_r g_r[o]² ā_r[i]² (expand; reduce uses the token sum g_n and mean ā_n).
    /// Null unless <see cref="KfacOptions.Diagonal"/> was set. The block's diagonal GGN is S_D / N.
    /// </summary>
    public double[]? Diagonal { get; }

    /// <summary>N, the samples summed into S_A and S_G.</summary>
    public long Count { get; set; }
}
