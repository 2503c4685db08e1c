// TokenEmbedding: a lookup table. ids (B, T) of ints in [0, V) → y (B, T, D), y[b, t] = W[ids[b, t]],
// with W "{name}.weight" (V, D) in the Hugging Face layout. BERT's word, position and token-type
// embeddings and CLIP's text token and position embeddings all have this shape.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// Embedding lookup y[b, t, :] = W[ids[b, t], :]. Backward scatter-adds ∂L/∂y into ∂L/∂W in increasing
/// position order (deterministic); Jvp returns the gathered rows of W's tangent. Ids have no gradient.
/// </summary>
public sealed class TokenEmbedding : IParameterized
{
    private readonly Parameter[] _parameters;
    private int[] _ids = [];
    private int _batch, _seq;
    private bool _hasForward;
    private Tensor? _output, _tanOutput;

    /// <summary>Creates a zero-initialized table of <paramref name="vocabulary"/> rows of width <paramref name="dim"/>.</summary>
    public TokenEmbedding(string name, int vocabulary, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        Name = name;
        Vocabulary = vocabulary;
        Dim = dim;
        Weight = new Parameter(name + ".weight", new Tensor(vocabulary, dim));
        _parameters = [Weight];
    }

    /// <summary>The layer's dotted name prefix.</summary>
    public string Name { get; }

    /// <summary>Number of rows V; valid ids are 0 … V − 1.</summary>
    public int Vocabulary { get; }

    /// <summary>Embedding width D.</summary>
    public int Dim { get; }

    /// <summary>The table W, shape (V, D).</summary>
    public Parameter Weight { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Fills W with N(0, <paramref name="std"/>²).</summary>
    public void Initialize(Rng rng, float std) => rng.FillNormal(Weight.Value.Span, 0f, std);

    /// <summary>
    /// Looks up <paramref name="ids"/> (B·T ids, row-major (B, T)) and returns y (B, T, D); the ids are copied
    /// for <see cref="Backward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The id count is not B·T, or an id is outside [0, V).</exception>
    public Tensor Forward(ReadOnlySpan<int> ids, int batch, int seq)
    {
        Remember(ids, batch, seq);
        var y = Tensor.Ensure(ref _output, batch, seq, Dim);
        EmbeddingKernels.Gather(Weight.Value.Span, _ids.AsSpan(0, ids.Length), y.Span, Dim);
        return y;
    }

    /// <summary>Given ∂L/∂y (B, T, D) for the last Forward/Jvp, adds ∂L/∂W[v] = Σ_{ids[b,t] = v} ∂L/∂y[b, t].</summary>
    public void Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (!_hasForward) throw new InvalidOperationException($"TokenEmbedding '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(_batch, _seq, Dim))
            throw new ArgumentException($"TokenEmbedding '{Name}': output gradient {gradOutput.ShapeText} does not match the output [{_batch}, {_seq}, {Dim}] of the last Forward.", nameof(gradOutput));
        if (Weight.RequiresGrad) EmbeddingKernels.ScatterAdd(gradOutput.Span, _ids.AsSpan(0, _batch * _seq), Weight.Grad.Span, Dim);
    }

    /// <summary>
    /// Returns y and ẏ[b, t] = V[ids[b, t]] with V the weight's <see cref="Parameter.Tangent"/> (zero when null).
    /// Caches like <see cref="Forward"/>.
    /// </summary>
    public Dual Jvp(ReadOnlySpan<int> ids, int batch, int seq)
    {
        var y = Forward(ids, batch, seq);
        var tan = Tensor.Ensure(ref _tanOutput, batch, seq, Dim);
        if (Weight.Tangent is { } v) EmbeddingKernels.Gather(v.Span, _ids.AsSpan(0, ids.Length), tan.Span, Dim);
        else tan.Clear();
        return new Dual(y, tan);
    }

    private void Remember(ReadOnlySpan<int> ids, int batch, int seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        if (ids.Length != (long)batch * seq)
            throw new ArgumentException($"TokenEmbedding '{Name}': {ids.Length} ids do not form (batch, tokens) = ({batch}, {seq}).", nameof(ids));
        for (int n = 0; n < ids.Length; n++)
            if ((uint)ids[n] >= (uint)Vocabulary)
                throw new ArgumentException($"TokenEmbedding '{Name}': id {ids[n]} at position ({n / seq}, {n % seq}) is outside the vocabulary [0, {Vocabulary}).", nameof(ids));
        // The buffer only grows, so steady-state steps reuse it.
        if (_ids.Length < ids.Length) _ids = new int[ids.Length];
        ids.CopyTo(_ids);
        (_batch, _seq, _hasForward) = (batch, seq, true);
    }
}
