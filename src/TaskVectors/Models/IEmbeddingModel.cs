// IEmbeddingModel: a network f(x; θ) that maps a batch of inputs to L2-normalized embeddings (B, D),
// with the three passes fine-tuning and curvature estimation need; its layers are declared in its Registration.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// An encoder whose output f(x; θ) ∈ ℝ^{B×D} has unit-norm rows (the normalization is part of f, so the
/// linearized model linearizes normalize∘encoder). Passes follow the layer contract: tensors returned are
/// owned by the model and reused by its next call of the same pass.
/// </summary>
/// <typeparam name="TInput">A batch of inputs: images (B, C, H, W) as a <see cref="Tensor"/>, or a <see cref="TextBatch"/>.</typeparam>
public interface IEmbeddingModel<in TInput> : IModule
{
    /// <summary>Embedding width D.</summary>
    int EmbeddingDim { get; }

    /// <summary>Computes f(x; θ), shape (B, D), and caches what <see cref="Backward"/> needs.</summary>
    Tensor Forward(TInput input);

    /// <summary>Given ∂L/∂f for the last Forward or Jvp, adds ∂L/∂θ to every <see cref="Parameter.Grad"/>.</summary>
    void Backward(Tensor gradEmbedding);

    /// <summary>
    /// Returns f(x; θ) and J(x; θ)·v with v the parameters' <see cref="Parameter.Tangent"/> (null = 0); caches
    /// like <see cref="Forward"/> so <see cref="Backward"/> may follow.
    /// </summary>
    Dual Jvp(TInput input);
}
