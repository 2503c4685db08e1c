// TextBatchData: one fixed TextBatch as a task's data set (labels unused), so KFAC estimation runs over
// exactly the sequences the other passes of a table time.
using TaskVectors.Data;
using TaskVectors.Models;

namespace TaskVectors.Bench;

internal sealed class TextBatchData(TextBatch source) : ILabeledData<TextBatch>
{
    public int Count => source.Batch;

    public int Classes => 1;

    public string Description => $"{source.Batch} sequences of {source.SequenceLength} tokens";

    public int Label(int index) => 0;

    public TextBatch CreateBatch(int size) =>
        new(size, source.SequenceLength, new int[size * source.SequenceLength], new int[size * source.SequenceLength], new Tensors.Tensor(size, source.SequenceLength));

    public void Fill(TextBatch batch, ReadOnlySpan<int> indices)
    {
        int t = source.SequenceLength;
        for (int i = 0; i < indices.Length; i++)
        {
            Array.Copy(source.InputIds, indices[i] * t, batch.InputIds, i * t, t);
            Array.Copy(source.TokenTypeIds, indices[i] * t, batch.TokenTypeIds, i * t, t);
            source.AttentionMask.Span.Slice(indices[i] * t, t).CopyTo(batch.AttentionMask.Span.Slice(i * t, t));
        }
    }
}
