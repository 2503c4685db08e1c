// Dropout: in training, zeroes each element of x (…) with probability p and scales the rest by
// 1/(1 − p), y (…) of the same shape; in evaluation the identity. Masks come from a seeded Rng, one
// fresh mask per Forward/Jvp call, so a run is reproducible from the seed.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// Inverted dropout. With <see cref="Training"/> set and p &gt; 0, each Forward or Jvp draws a mask m with
/// mᵢ = 0 (probability p) or 1/(1 − p) from the layer's generator and returns y = m ⊙ x (and ẏ = m ⊙ ẋ);
/// Backward returns m ⊙ ∂L/∂y with the mask of the last Forward/Jvp. Otherwise (evaluation, or p = 0)
/// the layer is the identity: Forward returns its input tensor itself and Backward its output gradient
/// itself (no copies, no draws). The mode of the last Forward/Jvp decides what Backward does, so
/// toggling <see cref="Training"/> in between is safe. New layers start in evaluation mode: a model
/// evaluates and estimates curvature deterministically until a trainer switches training on.
/// </summary>
public sealed class Dropout : ILayer
{
    private Rng _rng;
    private bool _lastMasked;
    private Tensor? _mask, _output, _gradInput, _tanOutput, _zeroTangent, _input;

    /// <summary>Creates a dropout layer with drop probability <paramref name="p"/> ∈ [0, 1] and a mask stream seeded by <paramref name="seed"/>.</summary>
    public Dropout(float p, ulong seed, string name = "dropout")
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout '{name}': p must lie in [0, 1].");
        P = p;
        Seed = seed;
        Name = name;
        _rng = new Rng(seed);
    }

    /// <summary>The drop probability p.</summary>
    public float P { get; }

    /// <summary>The seed of the mask stream.</summary>
    public ulong Seed { get; }

    /// <summary>The layer's name (used in error messages).</summary>
    public string Name { get; }

    /// <summary>Whether masks are applied (training) or the layer is the identity (evaluation, the default).</summary>
    public bool Training { get; set; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Restarts the mask stream from <see cref="Seed"/>: the next masks repeat those drawn after construction.</summary>
    public void Reset() => _rng = new Rng(Seed);

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _lastMasked = Training && P > 0;
        if (!_lastMasked) return input;
        var mask = Tensor.Ensure(ref _mask, input.Shape);
        DropoutKernels.FillMask(_rng, P, mask.Span);
        var y = Tensor.Ensure(ref _output, input.Shape);
        TensorMath.Multiply(input.Span, mask.Span, y.Span);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException($"Dropout '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(x.Shape))
            throw new ArgumentException($"Dropout '{Name}': output gradient {gradOutput.ShapeText} does not match the output {x.ShapeText} of the last Forward.", nameof(gradOutput));
        if (!_lastMasked) return gradOutput;
        var gx = Tensor.Ensure(ref _gradInput, x.Shape);
        TensorMath.Multiply(gradOutput.Span, _mask!.Span, gx.Span);
        return gx;
    }

    /// <inheritdoc />
    /// <remarks>In evaluation the primal is the input itself and the tangent is <paramref name="tanInput"/> itself (or zeros).</remarks>
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (tanInput is not null && !tanInput.HasShape(input.Shape))
            throw new ArgumentException($"Dropout '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
        var y = Forward(input);
        if (!_lastMasked)
        {
            if (tanInput is not null) return new Dual(y, tanInput);
            var zero = Tensor.Ensure(ref _zeroTangent, input.Shape);
            zero.Clear();
            return new Dual(y, zero);
        }
        var ty = Tensor.Ensure(ref _tanOutput, input.Shape);
        if (tanInput is null) ty.Clear();
        else TensorMath.Multiply(tanInput.Span, _mask!.Span, ty.Span);
        return new Dual(y, ty);
    }
}
