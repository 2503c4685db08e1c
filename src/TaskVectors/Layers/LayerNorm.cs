// LayerNorm: layer normalization over the last axis, x (…, C) -> y (…, C), with learned scale γ and
// shift β (C). All leading axes are flattened into rows; rows are spread over ParallelLoop in fixed
// chunks, and the γ/β gradients are summed per chunk then in chunk order, so results never depend on
// the thread count. After Backward it can report γ and β gradients per sample (the input's first axis).
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Layers;

/// <summary>
/// Layer normalization (Ba et al. 2016) over the last axis, as <c>torch.nn.LayerNorm</c>: per row,
/// μ = mean(x), σ² = mean((x − μ)²) (biased), ρ = 1/√(σ² + ε), x̂ = (x − μ)·ρ, y = x̂·γ + β.
/// Parameters "{name}.weight" (γ, C, initialized to 1) and "{name}.bias" (β, C, initialized to 0).
/// <para>Backward: with ĝ = ∂L/∂y·γ, ∂L/∂x = ρ·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); ∂L/∂γ += Σ ∂L/∂y·x̂; ∂L/∂β += Σ ∂L/∂y.</para>
/// <para>Jvp: ẏ = ρ·(ẋ − mean(ẋ) − x̂·mean(ẋ·x̂))·γ + x̂·γ̇ + β̇.</para>
/// Forward caches μ and ρ per row (and keeps a reference to x); x̂ is recomputed where needed.
/// <para>Per sample n (the first axis of x, its T = rows/B rows t): g_γ,n = Σ_t ∂L/∂y[n,t]·x̂[n,t], g_β,n = Σ_t ∂L/∂y[n,t].</para>
/// </summary>
public sealed class LayerNorm : ILayer, IPerSampleGradients
{
    // Rows per parallel chunk: about this many elements, so a chunk amortizes its hand-off.
    private const int ChunkElements = 16384;

    private readonly Parameter[] _parameters;
    private Tensor? _input, _output, _mean, _rstd, _gradInput, _tanOutput, _partials, _gradOutput, _perSample;

    /// <summary>
    /// Creates a layer named <paramref name="name"/> over <paramref name="features"/> channels with
    /// γ = 1, β = 0. <paramref name="eps"/> is added to the variance: CLIP uses 1e-5, BERT 1e-12.
    /// </summary>
    public LayerNorm(string name, int features, float eps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (!(eps >= 0) || float.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, $"LayerNorm '{name}': eps must be finite and non-negative.");
        Name = name;
        Features = features;
        Epsilon = eps;
        Weight = new Parameter(name + ".weight", new Tensor(features));
        Weight.Value.Fill(1f);
        Bias = new Parameter(name + ".bias", new Tensor(features));
        _parameters = [Weight, Bias];
    }

    /// <summary>The layer's dotted name prefix.</summary>
    public string Name { get; }

    /// <summary>C, the width of the normalized last axis.</summary>
    public int Features { get; }

    /// <summary>ε, added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>γ, shape (C).</summary>
    public Parameter Weight { get; }

    /// <summary>β, shape (C).</summary>
    public Parameter Bias { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>γ and β: both have per-sample gradients.</summary>
    public IReadOnlyList<Parameter> PerSampleParameters => _parameters;

    /// <summary>The output gradient passed to the last Backward (a reference to the caller's tensor), or null before the first.</summary>
    public Tensor? LastGradOutput => _gradOutput;

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        int rows = Rows(input);
        _input = input;
        var y = Tensor.Ensure(ref _output, input.Shape);
        var mean = Tensor.Ensure(ref _mean, rows);
        var rstd = Tensor.Ensure(ref _rstd, rows);
        var plan = new Plan(rows, Features);
        ParallelLoop.For(plan.Chunks, new ForwardBody(plan, input, Weight.Value, Bias.Value, y, mean, rstd, Epsilon));
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException($"LayerNorm '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(x.Shape))
            throw new ArgumentException($"LayerNorm '{Name}': output gradient {gradOutput.ShapeText} does not match the output {x.ShapeText} of the last Forward.", nameof(gradOutput));
        _gradOutput = gradOutput;
        var plan = new Plan(x.Length / Features, Features);
        var gx = Tensor.Ensure(ref _gradInput, x.Shape);
        // Each chunk sums its rows' γ and β gradients into its own slot; the slots are then added in order.
        var partials = Tensor.Ensure(ref _partials, plan.Chunks, 2, Features);
        ParallelLoop.For(plan.Chunks, new BackwardBody(plan, x, Weight.Value, _mean!, _rstd!, gradOutput, gx, partials));
        var gradGamma = Weight.Grad.Span;
        var gradBeta = Bias.Grad.Span;
        for (int c = 0; c < plan.Chunks; c++)
        {
            var slot = partials.Span.Slice(c * 2 * Features, 2 * Features);
            if (Weight.RequiresGrad) TensorMath.AddInPlace(slot[..Features], gradGamma);
            if (Bias.RequiresGrad) TensorMath.AddInPlace(slot[Features..], gradBeta);
        }
        return gx;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        if (tanInput is not null && !tanInput.HasShape(input.Shape))
            throw new ArgumentException($"LayerNorm '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
        var y = Forward(input);
        var ty = Tensor.Ensure(ref _tanOutput, input.Shape);
        var plan = new Plan(input.Length / Features, Features);
        ParallelLoop.For(plan.Chunks, new TangentBody(plan, input, tanInput, Weight.Value, Weight.Tangent, Bias.Tangent, _mean!, _rstd!, ty));
        return new Dual(y, ty);
    }

    /// <inheritdoc />
    /// <remarks>
    /// γ: dest[n, c] = Σ_t gy[n,t,c]·(x[n,t,c] − μ[n,t])·ρ[n,t]; β: dest[n, c] = Σ_t gy[n,t,c], over the T = rows/B rows of
    /// sample n, where gy is <see cref="LastGradOutput"/> and μ, ρ are the statistics cached by the last Forward.
    /// </remarks>
    public void PerSampleGradient(Parameter parameter, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var x = _input;
        var gy = _gradOutput;
        if (x is null || gy is null || !gy.HasShape(x.Shape))
            throw new InvalidOperationException($"LayerNorm '{Name}': per-sample gradients need a Backward after the last Forward.");
        bool gamma = ReferenceEquals(parameter, Weight);
        if (!gamma && !ReferenceEquals(parameter, Bias))
            throw new ArgumentException($"LayerNorm '{Name}' has no parameter '{parameter.Name}'.", nameof(parameter));
        int samples = x.Dim(0);
        if (destination.Length != samples * Features)
            throw new ArgumentException($"LayerNorm '{Name}': per-sample gradients need {samples}×{Features} values; the destination has {destination.Length}.", nameof(destination));
        // One sample per iteration into the layer's own (B, C) buffer (a loop body cannot hold the caller's span).
        var perSample = Tensor.Ensure(ref _perSample, samples, Features);
        ParallelLoop.For(samples, new PerSampleBody(x, gy, _mean!, _rstd!, perSample, gamma, x.Length / Features / samples, Features));
        perSample.Span.CopyTo(destination);
    }

    private int Rows(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Dim(-1) != Features)
            throw new ArgumentException($"LayerNorm '{Name}' expects a last axis of {Features}; got input {input.ShapeText}.", nameof(input));
        return input.Length / Features;
    }

    // The fixed split of rows into chunks: depends only on the shape, never on the thread count.
    private readonly struct Plan(int rows, int cols)
    {
        public readonly int Rows = rows;
        public readonly int Cols = cols;
        public readonly int RowsPerChunk = Math.Max(1, ChunkElements / cols);

        public int Chunks => (Rows + RowsPerChunk - 1) / RowsPerChunk;

        // (first element, element count, first row, row count) of chunk c.
        public (int Offset, int Length, int Row, int Count) Chunk(int c)
        {
            int row = c * RowsPerChunk, count = Math.Min(RowsPerChunk, Rows - row);
            return (row * Cols, count * Cols, row, count);
        }
    }

    private readonly struct ForwardBody(Plan plan, Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor mean, Tensor rstd, float eps) : ILoopBody
    {
        public void Invoke(int index)
        {
            var (offset, length, row, count) = plan.Chunk(index);
            LayerNormKernels.Forward(x.Span.Slice(offset, length), gamma.Span, beta.Span, y.Span.Slice(offset, length),
                mean.Span.Slice(row, count), rstd.Span.Slice(row, count), count, plan.Cols, eps);
        }
    }

    private readonly struct BackwardBody(Plan plan, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gy, Tensor gx, Tensor partials) : ILoopBody
    {
        public void Invoke(int index)
        {
            var (offset, length, row, count) = plan.Chunk(index);
            var slot = partials.Span.Slice(index * 2 * plan.Cols, 2 * plan.Cols);
            slot.Clear();
            LayerNormKernels.Backward(x.Span.Slice(offset, length), gamma.Span, mean.Span.Slice(row, count), rstd.Span.Slice(row, count),
                gy.Span.Slice(offset, length), gx.Span.Slice(offset, length), slot[..plan.Cols], slot[plan.Cols..], count, plan.Cols);
        }
    }

    // Sample n's γ gradient Σ_t gy ⊙ x̂ or β gradient Σ_t gy over its T = rows/B token rows, into row n of destination.
    private readonly struct PerSampleBody(Tensor x, Tensor gy, Tensor mean, Tensor rstd, Tensor destination, bool gamma, int tokens, int cols) : ILoopBody
    {
        public void Invoke(int index)
        {
            int offset = index * tokens * cols, length = tokens * cols;
            var row = destination.Span.Slice(index * cols, cols);
            row.Clear();
            if (gamma)
                LayerNormKernels.GammaGradient(x.Span.Slice(offset, length), mean.Span.Slice(index * tokens, tokens), rstd.Span.Slice(index * tokens, tokens),
                    gy.Span.Slice(offset, length), row, tokens, cols);
            else TensorMath.AddColumnSums(gy.Span.Slice(offset, length), tokens, cols, row);
        }
    }

    private readonly struct TangentBody(Plan plan, Tensor x, Tensor? tx, Tensor gamma, Tensor? tanGamma, Tensor? tanBeta, Tensor mean, Tensor rstd, Tensor ty) : ILoopBody
    {
        public void Invoke(int index)
        {
            var (offset, length, row, count) = plan.Chunk(index);
            LayerNormKernels.Tangent(x.Span.Slice(offset, length), tx is null ? default : tx.Span.Slice(offset, length), gamma.Span,
                tanGamma is null ? default : tanGamma.Span, tanBeta is null ? default : tanBeta.Span,
                mean.Span.Slice(row, count), rstd.Span.Slice(row, count), ty.Span.Slice(offset, length), count, plan.Cols);
        }
    }
}
