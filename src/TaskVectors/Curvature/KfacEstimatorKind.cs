// KfacEstimatorKind: how the KFAC G factors (and dense blocks) sample the output directions of the
// Gauss-Newton matrix Jᵀ J of the L2-normalized embedding f (C dims).
namespace TaskVectors.Curvature;

/// <summary>How the output-gradient factors estimate Jᵀ J.</summary>
public enum KfacEstimatorKind
{
    /// <summary>
    /// Monte-Carlo GGN: per probe, backpropagate g = ∂(sᵀf)/∂y with s ~ N(0, I_C) drawn per sample;
    /// E[Jᵀ s sᵀ J] = Jᵀ J, so the average over P probes is unbiased. One backward pass per probe.
    /// </summary>
    MonteCarlo,

    /// <summary>Backpropagate each of the C unit directions e_c and sum: Σ_c Jᵀ e_c e_cᵀ J = Jᵀ J. C backward passes.</summary>
    Exact,
}
