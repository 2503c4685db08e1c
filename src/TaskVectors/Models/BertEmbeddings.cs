// BertEmbeddings: the input layer of a BERT encoder. Token ids, position t and segment ids (B, T)
// -> x (B, T, W) = dropout(LayerNorm(word[ids] + position[t] + token_type[typeIds])), with the
// tables and LayerNorm named as in Hugging Face's BertEmbeddings ("embeddings.word_embeddings", …).
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// x[b, t] = dropout(LN(E_word[ids[b, t]] + E_type[typeIds[b, t]] + E_pos[t])), positions t = 0 … T − 1
/// (Hugging Face's absolute position ids). Parameters, in Hugging Face order:
/// "{name}.word_embeddings.weight" (V, W), "{name}.position_embeddings.weight" (MaxPositions, W),
/// "{name}.token_type_embeddings.weight" (TypeVocab, W), "{name}.LayerNorm.weight" and ".bias" (W).
/// <para>Backward: with g = ∂L/∂(sum) from the LayerNorm's backward, each table row receives the sum of g
/// over the positions that looked it up. Jvp: the tangent of the sum is the gathered rows of the three
/// tables' tangents, then the LayerNorm's Jvp.</para>
/// </summary>
public sealed class BertEmbeddings : IModule
{
    private int[] _positionIds = [];
    private Tensor? _sum, _tanSum;

    /// <summary>
    /// Creates zero tables (LayerNorm γ = 1, β = 0) for <paramref name="config"/>; <paramref name="dropout"/>
    /// is the hidden dropout probability (off until <see cref="Training"/> is set), its masks seeded by
    /// <paramref name="dropoutSeed"/>.
    /// </summary>
    public BertEmbeddings(TextTransformerConfig config, float dropout = 0.1f, ulong dropoutSeed = 0, string name = "embeddings")
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Width = config.Width;
        MaxPositions = config.MaxPositions;
        var root = new ModuleScope();
        var scope = root.Push(name);
        Word = scope.Add("word_embeddings", n => new TokenEmbedding(n, config.VocabSize, config.Width));
        Position = scope.Add("position_embeddings", n => new TokenEmbedding(n, config.MaxPositions, config.Width));
        TokenType = scope.Add("token_type_embeddings", n => new TokenEmbedding(n, config.TypeVocabSize, config.Width));
        // The tables get no curvature block (TAK leaves them unpenalized), by declaration rather than by omission.
        scope.Exclude([.. Word.Parameters, .. Position.Parameters, .. TokenType.Parameters]);
        Norm = scope.Add("LayerNorm", n => new LayerNorm(n, config.Width, config.LayerNormEps));
        Dropout = new Dropout(dropout, dropoutSeed, scope.NameOf("dropout"));
        Registration = root.Build();
    }

    /// <summary>The dotted name prefix ("embeddings" in Hugging Face's BertModel).</summary>
    public string Name { get; }

    /// <summary>W, the embedding width.</summary>
    public int Width { get; }

    /// <summary>The longest sequence the position table covers.</summary>
    public int MaxPositions { get; }

    /// <summary>The word table, (V, W).</summary>
    public TokenEmbedding Word { get; }

    /// <summary>The absolute position table, (MaxPositions, W).</summary>
    public TokenEmbedding Position { get; }

    /// <summary>The segment table, (TypeVocab, W).</summary>
    public TokenEmbedding TokenType { get; }

    /// <summary>The LayerNorm over the summed embeddings.</summary>
    public LayerNorm Norm { get; }

    /// <summary>The hidden dropout after the LayerNorm.</summary>
    public Dropout Dropout { get; }

    /// <summary>Whether the dropout is applied (training) or the identity (evaluation, the default).</summary>
    public bool Training
    {
        get => Dropout.Training;
        set => Dropout.Training = value;
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    /// <inheritdoc />
    public ModelRegistration Registration { get; }

    /// <summary>
    /// Fills the three tables with N(0, <paramref name="std"/>²) and sets γ = 1, β = 0, as Hugging Face's
    /// BertPreTrainedModel initializes them; the word row <paramref name="paddingId"/> is then zeroed, as
    /// for Hugging Face's padding_idx (pass −1 to keep it random).
    /// </summary>
    public void Initialize(Rng rng, float std, int paddingId = 0)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Word.Initialize(rng, std);
        Position.Initialize(rng, std);
        TokenType.Initialize(rng, std);
        Norm.Weight.Value.Fill(1f);
        Norm.Bias.Value.Clear();
        if (paddingId >= 0) Word.Weight.Value.Span.Slice(paddingId * Width, Width).Clear();
    }

    /// <summary>
    /// Checks that <paramref name="batch"/> fits the tables: T ≤ <see cref="MaxPositions"/>, every token id in
    /// [0, V) and every segment id in [0, TypeVocab).
    /// </summary>
    /// <exception cref="ArgumentException">The first violation, with its (sequence, position).</exception>
    public void Validate(TextBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int seq = batch.SequenceLength;
        if (seq > MaxPositions)
            throw new ArgumentException($"BertEmbeddings '{Name}': sequences of {seq} tokens are longer than the {MaxPositions} positions the model has; truncate them to at most {MaxPositions}.", nameof(batch));
        CheckIds(batch.InputIds, Word.Vocabulary, seq, "token id", "vocabulary");
        CheckIds(batch.TokenTypeIds, TokenType.Vocabulary, seq, "token type id", "token types");
    }

    /// <summary>Computes x (B, T, W) for <paramref name="batch"/> and caches what <see cref="Backward"/> needs.</summary>
    /// <exception cref="ArgumentException">See <see cref="Validate"/>.</exception>
    public Tensor Forward(TextBatch batch)
    {
        var sum = Embed(batch);
        return Dropout.Forward(Norm.Forward(sum));
    }

    /// <summary>
    /// Given ∂L/∂x (B, T, W) for the last Forward or Jvp, adds ∂L/∂θ to the tables' and the LayerNorm's
    /// gradients. Ids are discrete, so there is no input gradient.
    /// </summary>
    public void Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (_sum is null) throw new InvalidOperationException($"BertEmbeddings '{Name}': Backward called before Forward.");
        var gradSum = Norm.Backward(Dropout.Backward(gradOutput));
        // The sum's gradient flows unchanged into each of the three lookups.
        Word.Backward(gradSum);
        Position.Backward(gradSum);
        TokenType.Backward(gradSum);
    }

    /// <summary>
    /// Returns x and ẋ = dropout(LN-Jvp(Ė_word[ids] + Ė_type[typeIds] + Ė_pos[t])) with Ė the tables'
    /// <see cref="Parameter.Tangent"/> (null = 0) and the LayerNorm's parameter tangents; caches like Forward.
    /// </summary>
    /// <exception cref="ArgumentException">See <see cref="Validate"/>.</exception>
    public Dual Jvp(TextBatch batch)
    {
        Validate(batch);
        int b = batch.Batch, t = batch.SequenceLength;
        var (word, tanWord) = Word.Jvp(batch.InputIds, b, t);
        var (position, tanPosition) = Position.Jvp(PositionIds(b, t), b, t);
        var (type, tanType) = TokenType.Jvp(batch.TokenTypeIds, b, t);
        var sum = Tensor.Ensure(ref _sum, b, t, Width);
        TensorMath.Add(word.Span, type.Span, sum.Span);
        TensorMath.AddInPlace(position.Span, sum.Span);
        var tanSum = Tensor.Ensure(ref _tanSum, b, t, Width);
        TensorMath.Add(tanWord.Span, tanType.Span, tanSum.Span);
        TensorMath.AddInPlace(tanPosition.Span, tanSum.Span);
        var (normed, tanNormed) = Norm.Jvp(sum, tanSum);
        return Dropout.Jvp(normed, tanNormed);
    }

    // (word[ids] + type[typeIds]) + position[t] into the (B, T, W) workspace, summed in Hugging Face's
    // order so float rounding matches theirs.
    private Tensor Embed(TextBatch batch)
    {
        Validate(batch);
        int b = batch.Batch, t = batch.SequenceLength;
        var sum = Tensor.Ensure(ref _sum, b, t, Width);
        TensorMath.Add(Word.Forward(batch.InputIds, b, t).Span, TokenType.Forward(batch.TokenTypeIds, b, t).Span, sum.Span);
        TensorMath.AddInPlace(Position.Forward(PositionIds(b, t), b, t).Span, sum.Span);
        return sum;
    }

    // Position ids 0 … T − 1 for every sequence, (B, T) row-major, in a grow-only buffer.
    private ReadOnlySpan<int> PositionIds(int batch, int seq)
    {
        int n = batch * seq;
        if (_positionIds.Length < n) _positionIds = new int[n];
        var ids = _positionIds.AsSpan(0, n);
        for (int i = 0; i < n; i++) ids[i] = i % seq;
        return ids;
    }

    private void CheckIds(int[] ids, int count, int seq, string what, string range)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)count)
                throw new ArgumentException($"BertEmbeddings '{Name}': {what} {ids[i]} at (sequence {i / seq}, position {i % seq}) is outside the {range} [0, {count}).", "batch");
    }
}
