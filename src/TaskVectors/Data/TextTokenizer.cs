// TextTokenizer: Microsoft.ML.Tokenizers 3.0.0 behind one seam — WordPiece/BERT from a vocab.txt, or byte-level
// BPE from vocab.json + merges.txt — plus what the package leaves to the caller: the sentence-pair template
// [CLS] a [SEP] b [SEP] with token types (0 for [CLS] a [SEP], 1 for b [SEP]), longest-first truncation to a
// maximum length, padding and the attention mask, producing a TextBatch (B, T).
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>
/// Tokenizes single sentences and sentence pairs into <see cref="TextBatch"/>es. A pair becomes
/// <c>[CLS] a [SEP] b [SEP]</c> with token types 0…0 1…1; when it exceeds the maximum length the longer of a and b loses
/// its last token, repeatedly (longest-first, as Hugging Face's tokenizers); padding has id <see cref="PadId"/>, type 0, mask 0.
/// </summary>
public sealed partial class TextTokenizer
{
    private readonly Tokenizer _tokenizer;

    private readonly bool _foldAccents;

    private TextTokenizer(Tokenizer tokenizer, int clsId, int sepId, int padId, int? unknownId, string kind, bool foldAccents = false)
    {
        _tokenizer = tokenizer;
        _foldAccents = foldAccents;
        ClsId = clsId;
        SepId = sepId;
        PadId = padId;
        UnknownId = unknownId;
        Kind = kind;
    }

    /// <summary>Id of the sequence-start token ([CLS], or &lt;s&gt; for BPE).</summary>
    public int ClsId { get; }

    /// <summary>Id of the separator token ([SEP], or &lt;/s&gt; for BPE).</summary>
    public int SepId { get; }

    /// <summary>Id of the padding token.</summary>
    public int PadId { get; }

    /// <summary>Id of the unknown token, if the vocabulary has one.</summary>
    public int? UnknownId { get; }

    /// <summary>"WordPiece" or "byte-level BPE".</summary>
    public string Kind { get; }

    /// <summary>
    /// WordPiece/BERT tokenizer from a vocab.txt (one token per line, id = line index). Uncased vocabularies
    /// (<paramref name="lowerCase"/>) also strip accents (NFD + drop non-spacing marks), as BERT's uncased models were trained:
    /// "naïve café" → naive, cafe. The package's RemoveNonSpacingMarks relies on string.Normalize, a no-op under
    /// InvariantGlobalization, so accents are also folded with a table first (same result either way).
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing or lacks [CLS], [SEP], [PAD], [UNK] or [MASK].</exception>
    public static TextTokenizer FromBertVocab(string vocabPath, bool lowerCase = true)
    {
        ArgumentNullException.ThrowIfNull(vocabPath);
        BertTokenizer bert;
        try
        {
            bert = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException(vocabPath, null, $"cannot build a WordPiece tokenizer ({e.Message}).", e);
        }
        return new TextTokenizer(bert, bert.ClassificationTokenId, bert.SeparatorTokenId, bert.PaddingTokenId, bert.UnknownTokenId, "WordPiece", foldAccents: lowerCase);
    }

    /// <summary>
    /// Byte-level BPE (GPT-2/RoBERTa style) from a vocab.json and merges.txt, pre-tokenized with GPT-2's pattern; the
    /// start, separator and padding tokens must be in the vocabulary (RoBERTa's &lt;s&gt;, &lt;/s&gt;, &lt;pad&gt; by default).
    /// </summary>
    /// <exception cref="DataFormatException">A file is missing or malformed, or a special token is not in the vocabulary.</exception>
    public static TextTokenizer FromByteLevelBpe(string vocabJsonPath, string mergesPath, string startToken = "<s>", string separatorToken = "</s>", string paddingToken = "<pad>")
    {
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocabJsonPath, mergesPath) { ByteLevel = true, PreTokenizer = new RegexPreTokenizer(Gpt2Pattern(), null) });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            throw new DataFormatException(vocabJsonPath, null, $"cannot build a byte-level BPE tokenizer with {mergesPath} ({e.Message}).", e);
        }
        int Id(string token) => bpe.Vocabulary.TryGetValue(token, out int id) ? id
            : throw new DataFormatException(vocabJsonPath, null, $"the vocabulary has no '{token}' token.");
        return new TextTokenizer(bpe, Id(startToken), Id(separatorToken), Id(paddingToken), null, "byte-level BPE");
    }

    /// <summary>The ids of <paramref name="text"/> without special tokens (an empty text gives none).</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return [];
        if (_foldAccents) text = AccentFolding.Fold(text);
        return [.. _tokenizer.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true)];
    }

    /// <summary>The token strings of ids (for diagnostics).</summary>
    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids) ?? "";

    /// <summary>Tokenizes sentences (<paramref name="second"/> null) or sentence pairs into one batch padded to the longest sequence, at most <paramref name="maxLength"/>.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or <paramref name="maxLength"/> cannot hold the special tokens.</exception>
    public TextBatch EncodeBatch(IReadOnlyList<string> first, IReadOnlyList<string>? second, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(first);
        if (first.Count == 0) throw new ArgumentException("No sentences to encode.", nameof(first));
        if (second is not null && second.Count != first.Count) throw new ArgumentException($"{second.Count} second sentences for {first.Count} first ones.", nameof(second));
        var sequences = new (int[] Ids, int[] Types)[first.Count];
        for (int i = 0; i < sequences.Length; i++)
            sequences[i] = Build(Encode(first[i]), second is null ? null : Encode(second[i]), maxLength);
        int length = sequences.Max(s => s.Ids.Length);
        var batch = CreateBatch(sequences.Length, length);
        for (int i = 0; i < sequences.Length; i++) Write(batch, i, sequences[i].Ids, sequences[i].Types);
        return batch;
    }

    /// <summary>
    /// The sequence [CLS] a [SEP] (b [SEP]) with its token types, truncated longest-first so that it holds at most
    /// <paramref name="maxLength"/> tokens.
    /// </summary>
    internal (int[] Ids, int[] Types) Build(ReadOnlySpan<int> a, ReadOnlySpan<int> b, bool pair, int maxLength)
    {
        int specials = pair ? 3 : 2;
        if (maxLength < specials + (pair ? 2 : 1))
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"Must leave room for {specials} special tokens and at least one token per sentence.");
        var (keepA, keepB) = LongestFirst(a.Length, pair ? b.Length : 0, maxLength - specials);
        var ids = new int[specials + keepA + keepB];
        var types = new int[ids.Length];
        int t = 0;
        ids[t++] = ClsId;
        a[..keepA].CopyTo(ids.AsSpan(t));
        t += keepA;
        ids[t++] = SepId;
        if (pair)
        {
            b[..keepB].CopyTo(ids.AsSpan(t));
            types.AsSpan(t).Fill(1);
            t += keepB;
            ids[t] = SepId;
        }
        return (ids, types);
    }

    private (int[] Ids, int[] Types) Build(int[] a, int[]? b, int maxLength) => Build(a, b ?? [], b is not null, maxLength);

    /// <summary>How many tokens of a and b remain when the longer one (b on ties, as Hugging Face's tokenizers) loses its last token until a + b ≤ budget.</summary>
    internal static (int A, int B) LongestFirst(int a, int b, int budget)
    {
        while (a + b > budget)
        {
            if (a > b) a--; else b--;
        }
        return (a, b);
    }

    /// <summary>An all-padding batch (B, T): ids <see cref="PadId"/>, types 0, mask 0.</summary>
    internal TextBatch CreateBatch(int batch, int length)
    {
        var ids = new int[batch * length];
        if (PadId != 0) ids.AsSpan().Fill(PadId);
        return new TextBatch(batch, length, ids, new int[batch * length], new Tensor(batch, length));
    }

    /// <summary>Writes one sequence into row <paramref name="row"/> of <paramref name="batch"/>, padding the rest of the row.</summary>
    internal void Write(TextBatch batch, int row, ReadOnlySpan<int> ids, ReadOnlySpan<int> types)
    {
        int t = batch.SequenceLength;
        var idRow = batch.InputIds.AsSpan(row * t, t);
        var typeRow = batch.TokenTypeIds.AsSpan(row * t, t);
        var maskRow = batch.AttentionMask.Span.Slice(row * t, t);
        ids.CopyTo(idRow);
        types.CopyTo(typeRow);
        maskRow[..ids.Length].Fill(1f);
        idRow[ids.Length..].Fill(PadId);
        typeRow[ids.Length..].Clear();
        maskRow[ids.Length..].Clear();
    }

    // GPT-2's pre-tokenization: contractions, letters, digits, other symbols, each with one leading space; whitespace runs.
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Pattern();
}
