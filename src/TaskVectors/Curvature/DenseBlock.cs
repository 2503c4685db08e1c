// DenseBlock: one task's full curvature sum for a parameter vector: S_F = Σ_n g_n g_nᵀ (d × d, float64,
// row-major, symmetric), g_n the per-sample gradient of sᵀf, and the number of samples N.
namespace TaskVectors.Curvature;

/// <summary>The dense sum S_F of one parameter on one task, and its sample count N; the block is S_F / N.</summary>
public sealed class DenseBlock
{
    /// <summary>Creates a block of zero sums and count 0.</summary>
    public DenseBlock(DenseBlockSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Dim);
        Spec = spec;
        F = new double[(long)spec.Dim * spec.Dim];
    }

    /// <summary>Wraps an existing sum (not copied).</summary>
    /// <exception cref="ArgumentException">F has the wrong length, or the count is negative.</exception>
    public DenseBlock(DenseBlockSpec spec, double[] f, long count)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(f);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Dim);
        if (f.LongLength != (long)spec.Dim * spec.Dim) throw new ArgumentException($"Dense block '{spec.Parameter}': F has {f.Length} entries, not {spec.Dim}².", nameof(f));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Spec = spec;
        F = f;
        Count = count;
    }

    /// <summary>The parameter and its size.</summary>
    public DenseBlockSpec Spec { get; }

    /// <summary>The parameter name.</summary>
    public string Parameter => Spec.Parameter;

    /// <summary>S_F, row-major Dim × Dim.</summary>
    public double[] F { get; }

    /// <summary>N, the samples summed into S_F.</summary>
    public long Count { get; set; }
}
