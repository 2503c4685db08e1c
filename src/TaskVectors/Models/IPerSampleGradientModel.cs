// IPerSampleGradientModel: a model that lists the layers whose parameters get full dense KFAC blocks
// (LayerNorm γ/β, the class embedding), built from per-sample gradients after each Backward.
using TaskVectors.Layers;

namespace TaskVectors.Models;

/// <summary>
/// A model whose <see cref="PerSampleGradientLayers"/> report per-sample gradients after Backward; the KFAC
/// estimator gives each of their parameters p a dense block F_p = Σ_n g_{p,n} g_{p,n}ᵀ.
/// </summary>
public interface IPerSampleGradientModel
{
    /// <summary>The layers, in the model's parameter order.</summary>
    IReadOnlyList<IPerSampleGradients> PerSampleGradientLayers { get; }
}
