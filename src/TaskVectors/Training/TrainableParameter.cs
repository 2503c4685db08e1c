// TrainableParameter: one parameter under fine-tuning: its base value θ0, the value θ the optimizer
// updates, and the task vector τ = θ − θ0 that regularizers read and the linearized model uses.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Training;

/// <summary>
/// A fine-tuned parameter. In the non-linear regime <see cref="Theta"/> is the model's own tensor; in the
/// linearized regime the model stays at θ0 and <see cref="Theta"/> is separate. ∂L/∂τ = ∂L/∂θ accumulates in
/// <see cref="Parameter"/>.Grad in both regimes.
/// </summary>
public sealed class TrainableParameter
{
    internal TrainableParameter(Parameter parameter, Tensor theta0, Tensor theta)
    {
        Parameter = parameter;
        Theta0 = theta0;
        Theta = theta;
        Tau = new Tensor(theta0.Shape);
        RefreshTau();
    }

    /// <summary>The model parameter (name, gradient accumulator, tangent).</summary>
    public Parameter Parameter { get; }

    /// <summary>The dotted parameter name.</summary>
    public string Name => Parameter.Name;

    /// <summary>θ0, the base value (a snapshot; never changes).</summary>
    public Tensor Theta0 { get; }

    /// <summary>θ = θ0 + τ, the value the optimizer updates.</summary>
    public Tensor Theta { get; }

    /// <summary>τ = θ − θ0, refreshed after every optimizer step.</summary>
    public Tensor Tau { get; }

    /// <summary>∂L/∂τ (= ∂L/∂θ) of the current step: the parameter's gradient accumulator.</summary>
    public Tensor Grad => Parameter.Grad;

    /// <summary>Recomputes τ = θ − θ0.</summary>
    public void RefreshTau() => TensorMath.Subtract(Theta.Span, Theta0.Span, Tau.Span);
}
