// KroneckerTerm: one weighted Kronecker product w·(G ⊗ A) of an aggregated block: the penalty adds
// w·tr(G ΔW A ΔWᵀ). Eq. 8 has one term per block; Eq. 7 one per other task.
namespace TaskVectors.Curvature;

/// <summary>A term w·(G ⊗ A) of a block's curvature (A: ADim², G: GDim², row-major, symmetric, float64).</summary>
/// <param name="Weight">The term's weight w.</param>
/// <param name="A">The input factor, ADim × ADim.</param>
/// <param name="G">The output factor, GDim × GDim.</param>
internal sealed record KroneckerTerm(double Weight, double[] A, double[] G);
