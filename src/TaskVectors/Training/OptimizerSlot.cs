// OptimizerSlot: one named tensor an optimizer updates in place (θ) with its gradient ∂L/∂θ for the
// current step (same shape). Optimizer state is keyed by the slot's name.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Training;

/// <summary>
/// A parameter as an optimizer sees it: <see cref="Value"/> θ, updated in place by
/// <see cref="IOptimizer.Step"/>, and <see cref="Grad"/> ∂L/∂θ for that step (read-only to optimizers;
/// <see cref="GradientClipping"/> scales it in place). Both tensors have the same shape and must not share
/// storage with any other slot's tensors.
/// </summary>
internal sealed class OptimizerSlot
{
    private readonly Tensor _grad;
    private readonly Parameter? _gradOwner;

    /// <summary>Creates a slot named <paramref name="name"/> over <paramref name="value"/> and <paramref name="grad"/> (not copied).</summary>
    /// <exception cref="ArgumentException">The name is empty or the two shapes differ.</exception>
    public OptimizerSlot(string name, Tensor value, Tensor grad)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(grad);
        if (!grad.HasShape(value.Shape))
            throw new ArgumentException($"Slot '{name}': gradient {grad.ShapeText} does not match value {value.ShapeText}.", nameof(grad));
        Name = name;
        Value = value;
        _grad = grad;
    }

    /// <summary>
    /// A slot over <paramref name="value"/> whose gradient is <paramref name="gradOwner"/>'s, read through
    /// <see cref="Parameter.Grad"/> each time so a clear deferred by <see cref="Parameter.ZeroGrad"/> is performed.
    /// </summary>
    public OptimizerSlot(string name, Tensor value, Parameter gradOwner)
        : this(name, value, (gradOwner ?? throw new ArgumentNullException(nameof(gradOwner))).Grad) => _gradOwner = gradOwner;

    /// <summary>A slot over a layer parameter: its name, <see cref="Parameter.Value"/> and <see cref="Parameter.Grad"/>.</summary>
    public OptimizerSlot(Parameter parameter)
        : this((parameter ?? throw new ArgumentNullException(nameof(parameter))).Name, parameter.Value, parameter)
    {
    }

    /// <summary>The name optimizer state is keyed by (a dotted Hugging Face parameter name).</summary>
    public string Name { get; }

    /// <summary>θ, the tensor the optimizer updates in place.</summary>
    public Tensor Value { get; }

    /// <summary>∂L/∂θ for the current step, same shape as <see cref="Value"/>.</summary>
    public Tensor Grad => _gradOwner?.Grad ?? _grad;

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
