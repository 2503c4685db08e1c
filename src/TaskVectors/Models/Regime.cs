// Regime: how fine-tuning moves the weights: directly (non-linear) or in the tangent space of θ0.
namespace TaskVectors.Models;

/// <summary>The fine-tuning regime the paper compares.</summary>
public enum Regime
{
    /// <summary>Train θ directly: the model is f(x; θ0 + τ).</summary>
    NonLinear = 0,

    /// <summary>
    /// Train the first-order Taylor model f_lin(x; θ0 + τ) = f(x; θ0) + J(x; θ0)·τ (Ortiz-Jimenez et al. 2023):
    /// one JVP pass gives f and J·τ, one backward pass at θ0 gives the gradient Jᵀ·∂L/∂f_lin.
    /// </summary>
    Linearized = 1,
}
