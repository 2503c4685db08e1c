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
    private readonly Tensor _grad;
    private Tensor? _tangent;
    private bool _gradZeroPending; // ZeroGrad ran and nothing has touched the accumulator since: it is logically zero

    /// <summary>Creates a parameter named <paramref name="name"/> holding <paramref name="value"/> (not copied).</summary>
    public Parameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Value = value ?? throw new ArgumentNullException(nameof(value));
        _grad = new Tensor(value.Shape);
    }

    /// <summary>The dotted Hugging Face name.</summary>
    public string Name { get; }

    /// <summary>The parameter's values θ_p.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient ∂L/∂θ_p; Backward adds to it, <see cref="ZeroGrad"/> clears it.</summary>
    /// <remarks>Reading it after <see cref="ZeroGrad"/> clears the tensor first, so its contents are always current.</remarks>
    public Tensor Grad
    {
        get
        {
            if (_gradZeroPending)
            {
                ElementwiseDriver.Clear(_grad.Span); // parallel for large tensors (ViT-B/32: 88M floats per step)
                _gradZeroPending = false;
            }
            return _grad;
        }
    }

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

    /// <summary>
    /// Sets the gradient accumulator to zero. The clear is deferred: the next read of <see cref="Grad"/> performs it, and a
    /// layer whose backward writes the whole gradient in one product (a Linear's ∂L/∂W) overwrites it instead of adding to
    /// zeros, which saves a pass over the tensor and a read of it. A <see cref="Grad"/> tensor held from before shows the
    /// cleared values only after the property is read again.
    /// </summary>
    public void ZeroGrad() => _gradZeroPending = true;

    /// <summary>
    /// The accumulator for a writer that covers every element in one product: <paramref name="overwrite"/> is true when it
    /// is logically zero (after <see cref="ZeroGrad"/>), and the writer must then store (β = 0) rather than add.
    /// </summary>
    internal Tensor GradForWrite(out bool overwrite)
    {
        overwrite = _gradZeroPending;
        _gradZeroPending = false;
        return _grad;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
