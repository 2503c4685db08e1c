// KfacTokenMode: how a Linear layer applied to every token of a sample (weight sharing) enters its
// KFAC factors: tokens as extra samples scaled by 1/R ("expand"), or summed over tokens first ("reduce").
namespace TaskVectors.Curvature;

/// <summary>
/// Token handling for a layer whose input has R rows per sample (R = 1 for a per-sample layer such as the final
/// projection, where both modes coincide).
/// </summary>
public enum KfacTokenMode
{
    /// <summary>
    /// The reference's choice: A = Σ_n (1/R) Σ_r ā ā ᵀ and G = Σ_n (1/R) Σ_r g gᵀ, every token a sample of its own
    /// with weight 1/R.
    /// </summary>
    Expand,

    /// <summary>
    /// KFAC-reduce (Eschenhagen et al. 2023): A = Σ_n ā_n ā_nᵀ with ā_n = (1/R) Σ_r ā_r (the token mean; its
    /// appended entry stays 1), and G = Σ_n g_n g_nᵀ with g_n = Σ_r g_r (the token sum).
    /// </summary>
    Reduce,
}
