// AggregatedDenseBlock: the dense curvature F* (d × d) of one parameter aggregated over other tasks.
namespace TaskVectors.Curvature;

/// <summary>A parameter's aggregated dense block F* = Σ_u S^F_u / Σ_u N_u (row-major d × d, float64).</summary>
/// <param name="Spec">The parameter and its size.</param>
/// <param name="F">F*, Dim × Dim.</param>
internal sealed record AggregatedDenseBlock(DenseBlockSpec Spec, double[] F);
