// CurvatureRole: how KFAC covers one parameter of a registered model.
namespace TaskVectors.Models;

/// <summary>Which curvature block, if any, covers a parameter.</summary>
public enum CurvatureRole
{
    /// <summary>No block and no exclusion: KFAC estimation fails naming the parameter.</summary>
    None,

    /// <summary>Weight or bias of an <see cref="Layers.IKfacLayer"/>: part of a Kronecker block A ⊗ G.</summary>
    Kronecker,

    /// <summary>A per-sample-gradient parameter (<see cref="Layers.IPerSampleGradients"/>): a dense block F = Σ_n g_n g_nᵀ.</summary>
    Dense,

    /// <summary>Declared without curvature on purpose (e.g. a position embedding): TAK leaves it unpenalized.</summary>
    Excluded,
}
