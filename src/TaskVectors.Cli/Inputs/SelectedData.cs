// SelectedData: a view of some examples of a data set, with their labels mapped (class selection relabels the kept
// classes 0..k−1). Fill maps the batch's indices through the view without allocating in steady state.
using System.Buffers;
using TaskVectors.Data;

namespace TaskVectors.Cli.Inputs;

internal sealed class SelectedData<TInput>(ILabeledData<TInput> inner, int[] indices, int[] labels, int classes, string description) : ILabeledData<TInput>
{
    public int Count => indices.Length;
    public int Classes => classes;
    public string Description => description;
    public int Label(int index) => labels[index];
    public TInput CreateBatch(int size) => inner.CreateBatch(size);

    public void Fill(TInput batch, ReadOnlySpan<int> batchIndices)
    {
        int[] mapped = ArrayPool<int>.Shared.Rent(batchIndices.Length);
        try
        {
            for (int i = 0; i < batchIndices.Length; i++) mapped[i] = indices[batchIndices[i]];
            inner.Fill(batch, mapped.AsSpan(0, batchIndices.Length));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(mapped);
        }
    }
}
