// TakOptions: the weights of the TAK penalty: β overall, c_ln for the dense blocks (LayerNorm γ/β and
// the class embedding), c_proj for the final projection's Kronecker block; reference defaults.
namespace TaskVectors.Curvature;

/// <summary>
/// R(τ) = β·[Σ_l tr(G*_l ΔW_l A*_l ΔW_lᵀ) + c_ln·Σ_p Δw_pᵀ F*_p Δw_p + c_proj·tr(G*_proj ΔW_proj A*_proj ΔW_projᵀ)], where the
/// first sum runs over every Kronecker block except the projection blocks.
/// </summary>
public sealed record TakOptions
{
    /// <summary>β, the penalty strength (default 100, the paper's main tables; its sweep favours 100–1000).</summary>
    public double Beta { get; init; } = 100;

    /// <summary>
    /// c_ln, the weight of every dense block (default 10). It applies to LayerNorm γ and β and also to the class
    /// embedding: the reference weights all its "other" dense blocks alike, and DESIGN.md names no separate weight.
    /// </summary>
    public double LayerNormCoefficient { get; init; } = 10;

    /// <summary>c_proj, the weight of the final projection's block (default 0.1).</summary>
    public double ProjectionCoefficient { get; init; } = 0.1;

    /// <summary>
    /// Names of the Kronecker blocks weighted by <see cref="ProjectionCoefficient"/> instead of 1 (default: CLIP's
    /// "visual_projection" and "text_projection").
    /// </summary>
    public IReadOnlyList<string> ProjectionBlocks { get; init; } = ["visual_projection", "text_projection"];

    /// <summary>c_b of a Kronecker block: <see cref="ProjectionCoefficient"/> for a projection block, else 1.</summary>
    public double BlockCoefficient(string blockName) => ProjectionBlocks.Contains(blockName) ? ProjectionCoefficient : 1.0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a negative or non-finite weight.</summary>
    public void Validate()
    {
        Check(Beta, nameof(Beta));
        Check(LayerNormCoefficient, nameof(LayerNormCoefficient));
        Check(ProjectionCoefficient, nameof(ProjectionCoefficient));
        ArgumentNullException.ThrowIfNull(ProjectionBlocks);
    }

    private static void Check(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, "TAK weights must be finite and non-negative.");
    }
}
