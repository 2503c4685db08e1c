// ClassPositionEmbedding: CLIP's vision embeddings after the patch projection. Prepends the learned
// class token and adds the learned positional embedding: x (B, P, D) → y (B, P + 1, D).
// Parameters "{prefix}.class_embedding" (D) and "{prefix}.position_embedding.weight" (P + 1, D).
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// y[b, 0] = cls + pos[0]; y[b, 1 + i] = x[b, i] + pos[1 + i] for 0 ≤ i &lt; P. Backward:
/// ∂L/∂cls += Σ_b gy[b, 0], ∂L/∂pos += Σ_b gy[b], ∂L/∂x[b, i] = gy[b, 1 + i].
/// Per sample, the class embedding's gradient is gy[b, 0] (<see cref="PerSampleGradient"/>).
/// </summary>
public sealed class ClassPositionEmbedding : ILayer, IPerSampleGradients
{
    private readonly Parameter[] _parameters;
    private readonly Parameter[] _perSample;
    private Tensor? _output, _tanOutput, _gradInput, _gradOutput;
    private int _batch = -1;

    /// <summary>
    /// Creates zero-initialized embeddings for <paramref name="patches"/> patches of width <paramref name="dim"/>;
    /// <paramref name="prefix"/> is the embeddings module, e.g. "vision_model.embeddings".
    /// </summary>
    public ClassPositionEmbedding(string prefix, int patches, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patches);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        Name = prefix;
        Patches = patches;
        Dim = dim;
        ClassEmbedding = new Parameter(prefix + ".class_embedding", new Tensor(dim));
        PositionEmbedding = new Parameter(prefix + ".position_embedding.weight", new Tensor(patches + 1, dim));
        _parameters = [ClassEmbedding, PositionEmbedding];
        _perSample = [ClassEmbedding];
    }

    /// <summary>The embeddings module's dotted prefix.</summary>
    public string Name { get; }

    /// <summary>Patches per image P (the output has P + 1 tokens).</summary>
    public int Patches { get; }

    /// <summary>Embedding width D.</summary>
    public int Dim { get; }

    /// <summary>The class token, shape (D).</summary>
    public Parameter ClassEmbedding { get; }

    /// <summary>The positional embedding, shape (P + 1, D); row 0 belongs to the class token.</summary>
    public Parameter PositionEmbedding { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The class embedding only: a dense block over the positional table ((P+1)·D)² would be far too large.</summary>
    public IReadOnlyList<Parameter> PerSampleParameters => _perSample;

    /// <summary>The output gradient passed to the last Backward (a reference to the caller's tensor), or null before the first.</summary>
    public Tensor? LastGradOutput => _gradOutput;

    /// <summary>Fills both parameters with N(0, <paramref name="std"/>²).</summary>
    public void Initialize(Rng rng, float std)
    {
        rng.FillNormal(ClassEmbedding.Value.Span, 0f, std);
        rng.FillNormal(PositionEmbedding.Value.Span, 0f, std);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        Begin(input);
        var y = Tensor.Ensure(ref _output, _batch, Patches + 1, Dim);
        Combine(ClassEmbedding.Value.Span, input.Span, PositionEmbedding.Value.Span, y.Span);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        if (_batch < 0) throw new InvalidOperationException($"ClassPositionEmbedding '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(_batch, Patches + 1, Dim))
            throw new ArgumentException($"ClassPositionEmbedding '{Name}': output gradient {gradOutput.ShapeText} does not match the output [{_batch}, {Patches + 1}, {Dim}] of the last Forward.", nameof(gradOutput));
        _gradOutput = gradOutput;
        var gy = gradOutput.Span;
        var gradCls = ClassEmbedding.Grad.Span;
        var gradPos = PositionEmbedding.Grad.Span;
        var gradInput = Tensor.Ensure(ref _gradInput, _batch, Patches, Dim);
        int tokens = (Patches + 1) * Dim, patchLength = Patches * Dim;
        for (int b = 0; b < _batch; b++)
        {
            var row = gy.Slice(b * tokens, tokens);
            if (PositionEmbedding.RequiresGrad) TensorMath.AddInPlace(row, gradPos);
            if (ClassEmbedding.RequiresGrad) TensorMath.AddInPlace(row[..Dim], gradCls);
            row.Slice(Dim, patchLength).CopyTo(gradInput.Span.Slice(b * patchLength, patchLength));
        }
        return gradInput;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var y = Forward(input);
        if (tanInput is not null && !tanInput.HasShape(input.Shape))
            throw new ArgumentException($"ClassPositionEmbedding '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
        var tan = Tensor.Ensure(ref _tanOutput, _batch, Patches + 1, Dim);
        // ẏ[b, 0] = ċls + ṗos[0]; ẏ[b, 1 + i] = ẋ[b, i] + ṗos[1 + i], zero tangents where null.
        Combine(ClassEmbedding.Tangent is { } c ? c.Span : default, tanInput is null ? default : tanInput.Span,
            PositionEmbedding.Tangent is { } p ? p.Span : default, tan.Span);
        return new Dual(y, tan);
    }

    /// <inheritdoc />
    /// <remarks>dest[b, :] = gy[b, 0, :], the class token's output gradient of sample b.</remarks>
    public void PerSampleGradient(Parameter parameter, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!ReferenceEquals(parameter, ClassEmbedding))
            throw new ArgumentException($"ClassPositionEmbedding '{Name}' reports per-sample gradients of '{ClassEmbedding.Name}' only, not '{parameter.Name}'.", nameof(parameter));
        var gy = _gradOutput;
        if (gy is null || !gy.HasShape(_batch, Patches + 1, Dim))
            throw new InvalidOperationException($"ClassPositionEmbedding '{Name}': per-sample gradients need a Backward after the last Forward.");
        if (destination.Length != _batch * Dim)
            throw new ArgumentException($"ClassPositionEmbedding '{Name}': per-sample gradients need {_batch}×{Dim} values; the destination has {destination.Length}.", nameof(destination));
        int tokens = (Patches + 1) * Dim;
        for (int b = 0; b < _batch; b++) gy.Span.Slice(b * tokens, Dim).CopyTo(destination.Slice(b * Dim, Dim));
    }

    // y[b] = concat(cls, x[b]) + pos for every b; an empty span stands for zeros.
    private void Combine(ReadOnlySpan<float> cls, ReadOnlySpan<float> x, ReadOnlySpan<float> pos, Span<float> y)
    {
        int tokens = (Patches + 1) * Dim, patchLength = Patches * Dim;
        for (int b = 0; b < _batch; b++)
        {
            var row = y.Slice(b * tokens, tokens);
            if (cls.IsEmpty) row[..Dim].Clear();
            else cls.CopyTo(row);
            if (x.IsEmpty) row[Dim..].Clear();
            else x.Slice(b * patchLength, patchLength).CopyTo(row[Dim..]);
            if (!pos.IsEmpty) TensorMath.AddInPlace(pos, row);
        }
    }

    private void Begin(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(input.Rank == 3 && input.Dim(1) == Patches && input.Dim(2) == Dim))
            throw new ArgumentException($"ClassPositionEmbedding '{Name}' expects input (batch, {Patches}, {Dim}); got {input.ShapeText}.", nameof(input));
        _batch = input.Dim(0);
    }
}
