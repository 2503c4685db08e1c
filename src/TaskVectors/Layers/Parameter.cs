// Parameter: one named weight tensor of a model, its gradient accumulator and its JVP tangent.
// Names are dotted Hugging Face names ("vision_model.encoder.layers.0.mlp.fc1.weight").
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// A named parameter θ_p with its gradient accumulator ∂L/∂θ_p (same shape, summed by Backward) and an
/// optional tangent v_p used by Jvp (null means v_p = 0).
/// </summary>
public sealed class Parameter
{
    private Tensor? _tangent;

    /// <summary>Creates a parameter named <paramref name="name"/> holding <paramref name="value"/> (not copied).</summary>
    public Parameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Value = value ?? throw new ArgumentNullException(nameof(value));
        Grad = new Tensor(value.Shape);
    }

    /// <summary>The dotted Hugging Face name.</summary>
    public string Name { get; }

    /// <summary>The parameter's values θ_p.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient ∂L/∂θ_p; Backward adds to it, <see cref="ZeroGrad"/> clears it.</summary>
    public Tensor Grad { get; }

    /// <summary>
    /// Whether Backward accumulates ∂L/∂θ_p into <see cref="Grad"/> (default true). When false, Grad is left as it is and
    /// the work for it is skipped (a Linear's weight-gradient GEMM, for instance); input gradients are still returned.
    /// KFAC estimation switches every parameter off, and frozen parameters need not pay for their gradients.
    /// </summary>
    public bool RequiresGrad { get; set; } = true;

    /// <summary>The JVP direction v_p for this parameter, or null for zero. Must have the parameter's shape.</summary>
    public Tensor? Tangent
    {
        get => _tangent;
        set
        {
            if (value is not null && !value.HasShape(Value.Shape))
                throw new ArgumentException($"Tangent {value.ShapeText} does not match parameter '{Name}' {Value.ShapeText}.", nameof(value));
            _tangent = value;
        }
    }

    /// <summary>Number of scalar entries.</summary>
    public int Length => Value.Length;

    /// <summary>Sets the gradient accumulator to zero.</summary>
    public void ZeroGrad() => ElementwiseDriver.Clear(Grad.Span); // parallel for large tensors (ViT-B/32: 88M floats per step)

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
