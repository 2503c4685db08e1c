// L2Normalize: scales every vector along the last axis to unit L2 norm, x (…, C) -> y (…, C).
// No parameters.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// y = x / max(‖x‖₂, ε) per vector along the last axis, as <c>torch.nn.functional.normalize(x, dim=-1)</c>
/// (ε = 10⁻¹² by default). Backward: ∂L/∂x = (g − y·⟨y, g⟩)/‖x‖ for ‖x‖ &gt; ε, else g/ε (g = ∂L/∂y).
/// Jvp: ẏ = (ẋ − y·⟨y, ẋ⟩)/‖x‖ for ‖x‖ &gt; ε, else ẋ/ε. Forward caches y and the norms. No parameters.
/// </summary>
public sealed class L2Normalize : ILayer
{
    private Tensor? _output, _norms, _gradInput, _tanOutput;

    /// <summary>Creates the layer with the norm floor <paramref name="eps"/>; <paramref name="name"/> labels error messages.</summary>
    public L2Normalize(float eps = 1e-12f, string name = "normalize")
    {
        if (!(eps > 0) || float.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, $"L2Normalize '{name}': eps must be finite and positive.");
        Epsilon = eps;
        Name = name;
    }

    /// <summary>ε, the floor on the norm.</summary>
    public float Epsilon { get; }

    /// <summary>The layer's name (used in error messages).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var (rows, cols) = Dims(input, nameof(input));
        var y = Tensor.Ensure(ref _output, input.Shape);
        var norms = Tensor.Ensure(ref _norms, rows);
        L2NormalizeKernels.Forward(input.Span, y.Span, norms.Span, rows, cols, Epsilon);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var y = _output ?? throw new InvalidOperationException($"L2Normalize '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(y.Shape))
            throw new ArgumentException($"L2Normalize '{Name}': output gradient {gradOutput.ShapeText} does not match the output {y.ShapeText} of the last Forward.", nameof(gradOutput));
        var gx = Tensor.Ensure(ref _gradInput, y.Shape);
        int cols = y.Dim(-1);
        L2NormalizeKernels.JacobianProduct(y.Span, _norms!.Span, gradOutput.Span, gx.Span, y.Length / cols, cols, Epsilon);
        return gx;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        if (tanInput is not null && !tanInput.HasShape(input.Shape))
            throw new ArgumentException($"L2Normalize '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
        var y = Forward(input);
        var ty = Tensor.Ensure(ref _tanOutput, input.Shape);
        if (tanInput is null) ty.Clear();
        else
        {
            int cols = y.Dim(-1);
            L2NormalizeKernels.JacobianProduct(y.Span, _norms!.Span, tanInput.Span, ty.Span, y.Length / cols, cols, Epsilon);
        }
        return new Dual(y, ty);
    }

    private (int Rows, int Cols) Dims(Tensor input, string paramName)
    {
        ArgumentNullException.ThrowIfNull(input, paramName);
        if (input.Rank == 0 || input.Dim(-1) == 0)
            throw new ArgumentException($"L2Normalize '{Name}' expects a non-empty last axis; got input {input.ShapeText}.", paramName);
        return (input.Length / input.Dim(-1), input.Dim(-1));
    }
}
