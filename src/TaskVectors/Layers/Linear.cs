// Linear: y = x·Wᵀ + b over the last axis. x (…, in) → y (…, out); W (out, in) and b (out) in the
// Hugging Face / PyTorch layout, so checkpoints load unchanged. All leading axes are flattened
// into N rows, and every product goes through the GEMM seam.
using TaskVectors.Blas;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// Affine map y[n, o] = Σ_i x[n, i] · W[o, i] + b[o], applied to every row n of the input's leading axes.
/// Parameters are named "{name}.weight" (out × in) and "{name}.bias" (out).
/// </summary>
public sealed class Linear : ILayer, IKfacLayer
{
    private readonly Parameter[] _parameters;
    private readonly KfacTap _tap = new();
    private Tensor? _input, _output, _gradInput, _tanOutput;

    /// <summary>Creates a zero-initialized layer named <paramref name="name"/> (a dotted prefix).</summary>
    public Linear(string name, int inFeatures, int outFeatures, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        Name = name;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = new Parameter(name + ".weight", new Tensor(outFeatures, inFeatures));
        Bias = bias ? new Parameter(name + ".bias", new Tensor(outFeatures)) : null;
        _parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    /// <summary>The layer's dotted name prefix.</summary>
    public string Name { get; }

    /// <summary>Input width (the last axis of x).</summary>
    public int InFeatures { get; }

    /// <summary>Output width (the last axis of y).</summary>
    public int OutFeatures { get; }

    /// <summary>W, shape (out, in).</summary>
    public Parameter Weight { get; }

    /// <summary>b, shape (out), or null for a layer without bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The input of the last Forward/Jvp (the KFAC A factor reads it), or null before the first.</summary>
    public Tensor? LastInput => _input;

    /// <summary>
    /// The output gradient ∂L/∂y passed to the last Backward since the last Forward (the KFAC G factor reads it), or null.
    /// A reference, not a copy: it holds the caller's tensor; <see cref="CurvatureGradOutput"/> checks it is unchanged.
    /// </summary>
    public Tensor? LastGradOutput => _tap.GradOutput;

    /// <inheritdoc />
    public bool TracksCurvature { get => _tap.Tracking; set => _tap.Tracking = value; }

    /// <inheritdoc />
    public ReadOnlySpan<float> CurvatureInput() => _tap.ReadInput(Name);

    /// <inheritdoc />
    public ReadOnlySpan<float> CurvatureGradOutput() =>
        _tap.ReadGradOutput(Name, (_input ?? throw new InvalidOperationException($"Linear '{Name}' did not run a Forward.")).Length / InFeatures * OutFeatures);

    /// <summary>Fills W and b with N(0, <paramref name="std"/>²) and zeros, as Hugging Face initializes them.</summary>
    public void Initialize(Rng rng, float std)
    {
        rng.FillNormal(Weight.Value.Span, 0f, std);
        Bias?.Value.Clear();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        int rows = Rows(input);
        _input = input;
        _tap.Forward(input);
        var y = Tensor.EnsureLastAxis(ref _output, input, OutFeatures);
        Affine(input.Span, Weight.Value.Span, Bias is null ? default : Bias.Value.Span, y.Span, rows);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException($"Linear '{Name}': Backward called before Forward.");
        int rows = Rows(x);
        CheckGradShape(gradOutput, rows);
        _tap.Backward(gradOutput);
        var gy = gradOutput.Span;
        // ∂L/∂W (out × in) += gyᵀ (out × N) · x (N × in)
        if (Weight.RequiresGrad)
        {
            var gradWeight = Weight.GradForWrite(out bool overwrite); // right after ZeroGrad: store, don't add to zeros
            Gemm.Default.Sgemm(Transpose.Transpose, Transpose.None, OutFeatures, InFeatures, rows,
                1f, gy, OutFeatures, x.Span, InFeatures, overwrite ? 0f : 1f, gradWeight.Span, InFeatures);
        }
        // ∂L/∂b += Σ_n gy[n, :]
        if (Bias is { RequiresGrad: true }) ElementwiseDriver.AddColumnSums(gy, rows, OutFeatures, Bias.Grad.Span);
        // ∂L/∂x (N × in) = gy (N × out) · W (out × in)
        var gx = Tensor.EnsureLastAxis(ref _gradInput, x, InFeatures);
        Gemm.Default.Sgemm(Transpose.None, Transpose.None, rows, InFeatures, OutFeatures,
            1f, gy, OutFeatures, Weight.Value.Span, InFeatures, 0f, gx.Span, InFeatures);
        return gx;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var y = Forward(input);
        int rows = Rows(input);
        var ty = Tensor.EnsureLastAxis(ref _tanOutput, input, OutFeatures);
        var tw = Weight.Tangent;
        var tb = Bias?.Tangent;
        // ẏ = ẋ·Wᵀ + x·Ẇᵀ + ḃ
        if (tanInput is not null)
        {
            if (!tanInput.HasShape(input.Shape))
                throw new ArgumentException($"Linear '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
            Affine(tanInput.Span, Weight.Value.Span, tb is null ? default : tb.Span, ty.Span, rows);
        }
        else if (tb is not null) GemmBias.Broadcast(tb.Span, rows, OutFeatures, ty.Span, OutFeatures);
        else ty.Clear();
        if (tw is not null)
            Gemm.Default.Sgemm(Transpose.None, Transpose.Transpose, rows, OutFeatures, InFeatures,
                1f, input.Span, InFeatures, tw.Span, InFeatures, 1f, ty.Span, OutFeatures);
        return new Dual(y, ty);
    }

    // y (N × out) = x (N × in) · Wᵀ + b, with b empty for no bias.
    private void Affine(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int rows)
    {
        if (b.IsEmpty)
        {
            Gemm.Default.Sgemm(Transpose.None, Transpose.Transpose, rows, OutFeatures, InFeatures,
                1f, x, InFeatures, w, InFeatures, 0f, y, OutFeatures);
            return;
        }
        // The bias enters the GEMM's epilogue (one pass over y, not a serial broadcast before it).
        Gemm.Default.SgemmBias(Transpose.None, Transpose.Transpose, rows, OutFeatures, InFeatures,
            1f, x, InFeatures, w, InFeatures, b, y, OutFeatures);
    }

    private int Rows(Tensor input)
    {
        if (input.Rank == 0 || input.Dim(-1) != InFeatures)
            throw new ArgumentException($"Linear '{Name}' expects a last axis of {InFeatures}; got input {input.ShapeText}.", nameof(input));
        return input.Length / InFeatures;
    }

    private void CheckGradShape(Tensor gradOutput, int rows)
    {
        if (gradOutput.Length != rows * OutFeatures || gradOutput.Dim(-1) != OutFeatures)
            throw new ArgumentException($"Linear '{Name}': output gradient {gradOutput.ShapeText} does not match the output of the last Forward.", nameof(gradOutput));
    }
}
