// MultiHeadSelfAttention: y = out_proj(concat_h softmax(Q_h K_hᵀ/√D + mask) V_h) with separate
// q/k/v/out Linear projections (the Hugging Face CLIP and BERT layout). x (B, T, C) → y (B, T, C),
// C = H·D. Heads are strided (T, D) slices of the (B, T, C) projections, addressed in place through
// GEMM leading dimensions; the per-head work runs in parallel over B×H.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Layers;

/// <summary>
/// Multi-head self-attention. With Q = x W_qᵀ + b_q, K = x W_kᵀ + b_k, V = x W_vᵀ + b_v (each (B, T, C)) and
/// head h the columns [h·D, (h+1)·D):
/// S_bh = Q_bh K_bhᵀ / √D (+ mask bias), P_bh = softmax over keys of S_bh, O_bh = P_bh V_bh,
/// y = O W_oᵀ + b_o with O the heads merged back to (B, T, C).
/// An optional key padding mask (B, T) of 1 (attend) / 0 (padding) gives masked keys probability exactly 0,
/// as Hugging Face's additive dtype-minimum bias does; every batch row must keep at least one key.
/// Queries at padded positions are computed like any other (as in Hugging Face).
/// </summary>
public sealed class MultiHeadSelfAttention : ILayer
{
    private readonly Parameter[] _parameters;
    private readonly float _scale;
    private Tensor? _input, _q, _k, _v, _probs, _scratch, _context, _tanContext;
    private Tensor? _gradQ, _gradK, _gradV, _gradInput;
    private int _batch, _seq;

    /// <summary>Creates a zero-initialized block with CLIP names ("{name}.q_proj", …, "{name}.out_proj").</summary>
    public MultiHeadSelfAttention(string name, int dim, int heads, bool bias = true)
        : this(AttentionNames.Clip(name), dim, heads, bias)
    {
    }

    /// <summary>Creates a zero-initialized block whose projections are named by <paramref name="names"/>.</summary>
    public MultiHeadSelfAttention(AttentionNames names, int dim, int heads, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        if (dim % heads != 0)
            throw new ArgumentException($"MultiHeadSelfAttention '{names.Block}': dim {dim} is not divisible by {heads} heads.", nameof(heads));
        Names = names;
        Dim = dim;
        Heads = heads;
        HeadDim = dim / heads;
        _scale = 1f / MathF.Sqrt(HeadDim);
        Query = new Linear(names.Query, dim, dim, bias);
        Key = new Linear(names.Key, dim, dim, bias);
        Value = new Linear(names.Value, dim, dim, bias);
        Output = new Linear(names.Output, dim, dim, bias);
        _parameters = [.. Query.Parameters, .. Key.Parameters, .. Value.Parameters, .. Output.Parameters];
    }

    /// <summary>The Hugging Face prefixes of the block and its projections.</summary>
    public AttentionNames Names { get; }

    /// <summary>The block's prefix (used in error messages).</summary>
    public string Name => Names.Block;

    /// <summary>Model width C = H·D.</summary>
    public int Dim { get; }

    /// <summary>Number of heads H.</summary>
    public int Heads { get; }

    /// <summary>Per-head width D = C / H.</summary>
    public int HeadDim { get; }

    /// <summary>The query projection (its input is the block input, shared with key and value).</summary>
    public Linear Query { get; }

    /// <summary>The key projection.</summary>
    public Linear Key { get; }

    /// <summary>The value projection.</summary>
    public Linear Value { get; }

    /// <summary>The output projection; its input is the merged head outputs O (B, T, C).</summary>
    public Linear Output { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Attention probabilities P (B, H, T, T) of the last Forward/Jvp, or null before the first.</summary>
    public Tensor? LastProbabilities => _probs;

    /// <summary>∂L/∂Q (B, T, C), the query projection's output gradient from the last Backward (KFAC's G factor reads it).</summary>
    public Tensor? LastQueryGradient => _gradQ;

    /// <summary>∂L/∂K (B, T, C) from the last Backward.</summary>
    public Tensor? LastKeyGradient => _gradK;

    /// <summary>∂L/∂V (B, T, C) from the last Backward.</summary>
    public Tensor? LastValueGradient => _gradV;

    /// <summary>Fills every projection weight with N(0, <paramref name="std"/>²) and its bias with zeros.</summary>
    public void Initialize(Rng rng, float std)
    {
        Query.Initialize(rng, std);
        Key.Initialize(rng, std);
        Value.Initialize(rng, std);
        Output.Initialize(rng, std);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>
    /// Computes y for input (B, T, C) with an optional key padding mask (B, T) of 0/1 floats, and caches Q, K,
    /// V and P for <see cref="Backward"/>.
    /// </summary>
    public Tensor Forward(Tensor input, Tensor? keyMask)
    {
        Begin(input, keyMask);
        _q = Query.Forward(input);
        _k = Key.Forward(input);
        _v = Value.Forward(input);
        ParallelLoop.For(_batch * Heads, HeadWork(keyMask, null, null, null));
        return Output.Forward(_context!);
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput) => Jvp(input, tanInput, null);

    /// <summary>
    /// Forward-mode derivative with an optional key padding mask: Q̇, K̇, V̇ from the projections' Jvp,
    /// Ṡ = (Q̇ Kᵀ + Q K̇ᵀ)/√D, Ṗ = P ⊙ (Ṡ − rowsum(P ⊙ Ṡ)), Ȯ = Ṗ V + P V̇, then the output projection's Jvp.
    /// Caches like <see cref="Forward(Tensor, Tensor?)"/>.
    /// </summary>
    public Dual Jvp(Tensor input, Tensor? tanInput, Tensor? keyMask)
    {
        Begin(input, keyMask);
        if (tanInput is not null && !tanInput.HasShape(input.Shape))
            throw new ArgumentException($"MultiHeadSelfAttention '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
        var (q, tanQ) = Query.Jvp(input, tanInput);
        var (k, tanK) = Key.Jvp(input, tanInput);
        var (v, tanV) = Value.Jvp(input, tanInput);
        (_q, _k, _v) = (q, k, v);
        var tanContext = Tensor.Ensure(ref _tanContext, _batch, _seq, Dim);
        ParallelLoop.For(_batch * Heads, HeadWork(keyMask, tanQ, tanK, tanV));
        return Output.Jvp(_context!, tanContext);
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        if (_input is null) throw new InvalidOperationException($"MultiHeadSelfAttention '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(_batch, _seq, Dim))
            throw new ArgumentException($"MultiHeadSelfAttention '{Name}': output gradient {gradOutput.ShapeText} does not match the output [{_batch}, {_seq}, {Dim}] of the last Forward.", nameof(gradOutput));
        var gradContext = Output.Backward(gradOutput);
        var gradQ = Tensor.Ensure(ref _gradQ, _batch, _seq, Dim);
        var gradK = Tensor.Ensure(ref _gradK, _batch, _seq, Dim);
        var gradV = Tensor.Ensure(ref _gradV, _batch, _seq, Dim);
        ParallelLoop.For(_batch * Heads, new BackwardBody
        {
            Q = _q!, K = _k!, V = _v!, Probs = _probs!, Scratch = _scratch!, GradContext = gradContext,
            GradQ = gradQ, GradK = gradK, GradV = gradV, Heads = Heads, Seq = _seq, HeadDim = HeadDim, Scale = _scale,
        });
        // q, k and v share the input, so its gradient is the sum of the three projections' input gradients.
        var gradInput = Tensor.Ensure(ref _gradInput, _batch, _seq, Dim);
        ElementwiseDriver.Add(Query.Backward(gradQ).Span, Key.Backward(gradK).Span, gradInput.Span);
        ElementwiseDriver.Add(Value.Backward(gradV).Span, gradInput.Span, gradInput.Span);
        return gradInput;
    }

    // Validates the input and mask, and sizes the per-(b, h) buffers: P and the score scratch are
    // (B, H, T, T), so concurrent heads never share scratch.
    private void Begin(Tensor input, Tensor? keyMask)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Dim(2) != Dim)
            throw new ArgumentException($"MultiHeadSelfAttention '{Name}' expects input (batch, tokens, {Dim}); got {input.ShapeText}.", nameof(input));
        int batch = input.Dim(0), seq = input.Dim(1);
        if (keyMask is not null) CheckMask(keyMask, batch, seq);
        _input = input;
        (_batch, _seq) = (batch, seq);
        Tensor.Ensure(ref _probs, batch, Heads, seq, seq);
        Tensor.Ensure(ref _scratch, batch, Heads, seq, seq);
        Tensor.Ensure(ref _context, batch, seq, Dim);
    }

    private void CheckMask(Tensor keyMask, int batch, int seq)
    {
        if (!keyMask.HasShape(batch, seq))
            throw new ArgumentException($"MultiHeadSelfAttention '{Name}': key mask {keyMask.ShapeText} does not match (batch, tokens) = [{batch}, {seq}].", nameof(keyMask));
        var m = keyMask.Span;
        for (int b = 0; b < batch; b++)
        {
            var row = m.Slice(b * seq, seq);
            bool any = false;
            for (int t = 0; t < seq; t++)
            {
                float value = row[t];
                if (value != 0f && value != 1f)
                    throw new ArgumentException($"MultiHeadSelfAttention '{Name}': key mask [{b}, {t}] is {value}; entries must be 1 (attend) or 0 (padding).", nameof(keyMask));
                any |= value != 0f;
            }
            if (!any)
                throw new ArgumentException($"MultiHeadSelfAttention '{Name}': key mask row {b} masks every token; at least one key must be unmasked.", nameof(keyMask));
        }
    }

    private HeadBody HeadWork(Tensor? keyMask, Tensor? tanQ, Tensor? tanK, Tensor? tanV) => new()
    {
        Q = _q!, K = _k!, V = _v!, Mask = keyMask, Probs = _probs!, Context = _context!,
        TanQ = tanQ, TanK = tanK, TanV = tanV, Scratch = _scratch!, TanContext = tanQ is null ? null : _tanContext,
        Heads = Heads, Seq = _seq, HeadDim = HeadDim, Scale = _scale,
    };

    // Forward (and, with tangents, JVP) of head (b, h) = divmod(index, H). Writes P[b, h], its scratch and
    // columns [h·D, (h+1)·D) of the context rows of batch b: disjoint across indices.
    private struct HeadBody : ILoopBody
    {
        public Tensor Q, K, V, Probs, Context, Scratch;
        public Tensor? Mask, TanQ, TanK, TanV, TanContext;
        public int Heads, Seq, HeadDim;
        public float Scale;

        public readonly void Invoke(int index)
        {
            int b = index / Heads, h = index - b * Heads, ld = Heads * HeadDim;
            int offset = b * Seq * ld + h * HeadDim, tt = Seq * Seq;
            var mask = Mask is null ? default : (ReadOnlySpan<float>)Mask.Span.Slice(b * Seq, Seq);
            var probs = Probs.Span.Slice(index * tt, tt);
            var q = Q.Span[offset..];
            var k = K.Span[offset..];
            var v = V.Span[offset..];
            AttentionKernels.ForwardHead(q, k, v, ld, mask, probs, Context.Span[offset..], Seq, HeadDim, Scale);
            if (TanQ is null) return;
            AttentionKernels.JvpHead(q, k, v, TanQ.Span[offset..], TanK!.Span[offset..], TanV!.Span[offset..], ld,
                probs, Scratch.Span.Slice(index * tt, tt), TanContext!.Span[offset..], Seq, HeadDim, Scale);
        }
    }

    // Backward of head (b, h): writes its T×T scratch and columns [h·D, (h+1)·D) of ∂L/∂Q, ∂L/∂K, ∂L/∂V.
    private struct BackwardBody : ILoopBody
    {
        public Tensor Q, K, V, Probs, Scratch, GradContext, GradQ, GradK, GradV;
        public int Heads, Seq, HeadDim;
        public float Scale;

        public readonly void Invoke(int index)
        {
            int b = index / Heads, h = index - b * Heads, ld = Heads * HeadDim;
            int offset = b * Seq * ld + h * HeadDim, tt = Seq * Seq;
            AttentionKernels.BackwardHead(Q.Span[offset..], K.Span[offset..], V.Span[offset..], ld,
                Probs.Span.Slice(index * tt, tt), GradContext.Span[offset..], Scratch.Span.Slice(index * tt, tt),
                GradQ.Span[offset..], GradK.Span[offset..], GradV.Span[offset..], Seq, HeadDim, Scale);
        }
    }
}
