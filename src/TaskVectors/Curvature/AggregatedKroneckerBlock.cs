// AggregatedKroneckerBlock: the curvature of one block aggregated over other tasks, as a sum of
// weighted Kronecker terms Σ_k w_k (G_k ⊗ A_k), and optionally the aggregated diagonal GGN D* (GDim × ADim).
namespace TaskVectors.Curvature;

/// <summary>
/// A block's aggregated curvature Σ_k w_k (G_k ⊗ A_k); the TAK penalty is Σ_k w_k tr(G_k ΔW A_k ΔWᵀ). The diagonal-GGN
/// penalty uses <paramref name="Diagonal"/> instead: Σ_{o,i} D*[o, i]·ΔW[o, i]².
/// </summary>
/// <param name="Spec">The block's members and sizes.</param>
/// <param name="Terms">The weighted terms: one for Eq. 8, one per other task for Eq. 7.</param>
/// <param name="Diagonal">D*, row-major GDim × ADim in the layout of ΔW = [W | b], or null when the factors carry no diagonals.</param>
internal sealed record AggregatedKroneckerBlock(KroneckerBlockSpec Spec, IReadOnlyList<KroneckerTerm> Terms, double[]? Diagonal = null);
