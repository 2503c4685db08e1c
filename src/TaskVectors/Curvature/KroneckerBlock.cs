// KroneckerBlock: one task's KFAC sums for a block: S_A (ADim × ADim) and S_G (GDim × GDim), float64,
// row-major and symmetric, and the number of samples N they sum over.
namespace TaskVectors.Curvature;

/// <summary>
/// The factor sums of one block on one task: S_A = Σ ā āᵀ and S_G = Σ g gᵀ (with the token and probe weights of
/// <see cref="KfacOptions"/>), and N, the number of samples (examples, not tokens). The KFAC block is
/// (S_G/N) ⊗ (S_A/N) in the layout <see cref="KroneckerBlockSpec"/> describes.
/// </summary>
public sealed class KroneckerBlock
{
    /// <summary>Creates a block of zero sums and count 0.</summary>
    public KroneckerBlock(KroneckerBlockSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        A = new double[(long)spec.ADim * spec.ADim];
        G = new double[(long)spec.GDim * spec.GDim];
    }

    /// <summary>Wraps existing sums (not copied).</summary>
    /// <exception cref="ArgumentException">A or G has the wrong length, or the count is negative.</exception>
    public KroneckerBlock(KroneckerBlockSpec spec, double[] a, double[] g, long count)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(g);
        if (a.LongLength != (long)spec.ADim * spec.ADim) throw new ArgumentException($"KFAC block '{spec.Name}': A has {a.Length} entries, not {spec.ADim}².", nameof(a));
        if (g.LongLength != (long)spec.GDim * spec.GDim) throw new ArgumentException($"KFAC block '{spec.Name}': G has {g.Length} entries, not {spec.GDim}².", nameof(g));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Spec = spec;
        A = a;
        G = g;
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

    /// <summary>N, the samples summed into S_A and S_G.</summary>
    public long Count { get; set; }
}
