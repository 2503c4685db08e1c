// ILayer: the layer contract for layers with one tensor input and one tensor output (llm.c style,
// no autograd tape). Forward caches what Backward needs; Backward accumulates parameter gradients
// and returns the input gradient; Jvp pushes input and parameter tangents forward.
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// A differentiable map y = f(x; θ) with explicit passes.
/// Tensors a layer returns are owned by the layer and reused by its next call of the same pass;
/// the layer keeps a reference to its input until Backward, so callers must not modify it before then.
/// </summary>
public interface ILayer : IParameterized
{
    /// <summary>Computes y = f(x; θ) and caches what <see cref="Backward"/> needs.</summary>
    Tensor Forward(Tensor input);

    /// <summary>
    /// Given ∂L/∂y for the last Forward (or Jvp), adds ∂L/∂θ to each <see cref="Parameter.Grad"/> and returns ∂L/∂x.
    /// </summary>
    Tensor Backward(Tensor gradOutput);

    /// <summary>
    /// Forward-mode derivative: returns y = f(x; θ) and ẏ = ∂f/∂x · ẋ + Σ_p ∂f/∂θ_p · v_p, where ẋ is
    /// <paramref name="tanInput"/> (null for zero) and v_p each parameter's <see cref="Parameter.Tangent"/>.
    /// Caches like <see cref="Forward"/>, so <see cref="Backward"/> may follow.
    /// </summary>
    Dual Jvp(Tensor input, Tensor? tanInput);
}
