// SentenceData: labeled sentences tokenized once with the base's BertTokenizer and padded to the
// longest, as a task's ILabeledData<TextBatch> for KFAC estimation and fine-tuning.
using Microsoft.ML.Tokenizers;
using TaskVectors.Data;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Pretrained;

internal sealed class SentenceData : ILabeledData<TextBatch>
{
    private readonly int[][] _ids;
    private readonly int[] _labels;
    private readonly int _length;

    public SentenceData(BertTokenizer tokenizer, IReadOnlyList<(string Text, int Label)> sentences, int classes)
    {
        _ids = [.. sentences.Select(s => tokenizer.EncodeToIds(s.Text, addSpecialTokens: true).ToArray())];
        _labels = [.. sentences.Select(s => s.Label)];
        _length = _ids.Max(ids => ids.Length);
        Classes = classes;
    }

    public int Count => _ids.Length;

    public int Classes { get; }

    public string Description => $"{Count} sentences padded to {_length}";

    /// <summary>Real tokens of sentence <paramref name="index"/>, [CLS] and [SEP] included.</summary>
    public int Tokens(int index) => _ids[index].Length;

    public int Label(int index) => _labels[index];

    public TextBatch CreateBatch(int size) => new(size, _length, new int[size * _length], new int[size * _length], new Tensor(size, _length));

    public void Fill(TextBatch batch, ReadOnlySpan<int> indices)
    {
        Array.Clear(batch.InputIds);
        var mask = batch.AttentionMask.Span;
        mask.Clear();
        for (int i = 0; i < indices.Length; i++)
        {
            var ids = _ids[indices[i]];
            ids.CopyTo(batch.InputIds, i * _length);
            mask.Slice(i * _length, ids.Length).Fill(1f);
        }
    }
}
