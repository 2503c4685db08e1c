// TensorSet: labeled rows of an (N, D) input tensor as ILabeledData<Tensor> for the main job's tests.
using TaskVectors.Data;
using TaskVectors.Tensors;

namespace TaskVectors.MainJob.Tests;

/// <summary>Labeled rows of a (N, D) tensor.</summary>
internal sealed class TensorSet(Tensor inputs, int[] labels, int classes, string description) : ILabeledData<Tensor>
{
    private readonly int _stride = inputs.Length / inputs.Dim(0);

    public int Count => inputs.Dim(0);

    public int Classes => classes;

    public string Description => description;

    public int Label(int index) => labels[index];

    public Tensor CreateBatch(int size)
    {
        Span<int> shape = stackalloc int[inputs.Rank];
        inputs.Shape.CopyTo(shape);
        shape[0] = size;
        return new Tensor(shape);
    }

    public void Fill(Tensor batch, ReadOnlySpan<int> indices)
    {
        for (int i = 0; i < indices.Length; i++)
            inputs.Span.Slice(indices[i] * _stride, _stride).CopyTo(batch.Span.Slice(i * _stride, _stride));
    }
}
