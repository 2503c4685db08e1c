// TextData: a tokenized text data set as ILabeledData<TextBatch>. Every example is tokenized once, up front
// ([CLS] a [SEP] (b [SEP]), longest-first truncation to MaxLength), so Fill only copies ids, token types and mask
// rows into a batch (B, T), T = the longest sequence of the set, without allocating.
using TaskVectors.Models;

namespace TaskVectors.Data;

/// <summary>Tokenized sentences or sentence pairs with labels, batched as <see cref="TextBatch"/>.</summary>
public sealed class TextData : ILabeledData<TextBatch>
{
    private readonly TextTokenizer _tokenizer;
    private readonly int[][] _ids;
    private readonly int[][] _types;
    private readonly int[] _labels;

    /// <summary>Tokenizes <paramref name="examples"/> with <paramref name="tokenizer"/>, truncating each to <paramref name="maxLength"/> tokens.</summary>
    /// <exception cref="ArgumentException">No examples, mixed single/pair examples, or a label outside [0, classes).</exception>
    public TextData(IReadOnlyList<TextExample> examples, int classes, TextTokenizer tokenizer, int maxLength, string description)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (examples.Count == 0) throw new ArgumentException("No examples.", nameof(examples));
        bool pairs = examples[0].Second is not null;
        _tokenizer = tokenizer;
        _ids = new int[examples.Count][];
        _types = new int[examples.Count][];
        _labels = new int[examples.Count];
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if ((e.Second is not null) != pairs) throw new ArgumentException($"Example {i} (line {e.Line}) mixes single sentences and pairs.", nameof(examples));
            if ((uint)e.Label >= (uint)classes) throw new ArgumentException($"Label {e.Label} of example {i} (line {e.Line}) is outside [0, {classes}).", nameof(examples));
            _labels[i] = e.Label;
        }
        tokenizer.Build(default, default, pairs, maxLength); // validates maxLength before the parallel loop
        Parallel.For(0, examples.Count, i =>
        {
            var e = examples[i];
            (_ids[i], _types[i]) = tokenizer.Build(tokenizer.Encode(e.First), e.Second is null ? [] : tokenizer.Encode(e.Second), pairs, maxLength);
        });
        Classes = classes;
        MaxLength = maxLength;
        SequenceLength = _ids.Max(s => s.Length);
        Description = description;
    }

    /// <summary>Tokenizes a <see cref="TextCorpus"/> (its label names give the class count).</summary>
    public TextData(TextCorpus corpus, TextTokenizer tokenizer, int maxLength)
        : this(corpus.Examples, corpus.LabelNames.Count, tokenizer, maxLength, $"{System.IO.Path.GetFileName(corpus.Path)} ({corpus.Examples.Count} examples)")
    {
    }

    /// <summary>The truncation length.</summary>
    public int MaxLength { get; }

    /// <summary>T of every batch: the longest tokenized example (≤ <see cref="MaxLength"/>).</summary>
    public int SequenceLength { get; }

    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <inheritdoc />
    public int Classes { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The token ids of example <paramref name="index"/> with its special tokens, unpadded.</summary>
    public ReadOnlySpan<int> Ids(int index) => _ids[index];

    /// <inheritdoc />
    public int Label(int index) => _labels[index];

    /// <inheritdoc />
    public TextBatch CreateBatch(int size) => _tokenizer.CreateBatch(size, SequenceLength);

    /// <inheritdoc />
    public void Fill(TextBatch batch, ReadOnlySpan<int> indices)
    {
        if (batch.Batch != indices.Length || batch.SequenceLength != SequenceLength)
            throw new ArgumentException($"Batch ({batch.Batch}, {batch.SequenceLength}) does not hold {indices.Length} sequences of {SequenceLength}.", nameof(batch));
        for (int i = 0; i < indices.Length; i++) _tokenizer.Write(batch, i, _ids[indices[i]], _types[indices[i]]);
    }
}
