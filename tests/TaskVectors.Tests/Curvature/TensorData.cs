// TensorData: an unlabeled ILabeledData over a fixed input tensor (N, …) for estimator tests: KFAC never
// reads labels, so every label is 0 of one class.
using TaskVectors.Data;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

internal sealed class TensorData(Tensor inputs, string description = "test inputs") : ILabeledData<Tensor>
{
    private readonly int _stride = inputs.Length / inputs.Dim(0);

    public int Count => inputs.Dim(0);

    public int Classes => 1;

    public string Description => description;

    public int Label(int index) => 0;

    public Tensor CreateBatch(int size)
    {
        int[] shape = [.. inputs.Shape];
        shape[0] = size;
        return new Tensor(shape);
    }

    public void Fill(Tensor batch, ReadOnlySpan<int> indices)
    {
        for (int i = 0; i < indices.Length; i++)
            inputs.Span.Slice(indices[i] * _stride, _stride).CopyTo(batch.Span.Slice(i * _stride, _stride));
    }

    /// <summary>A new batch holding the examples <paramref name="indices"/>.</summary>
    public Tensor CreateBatchOf(params int[] indices)
    {
        var batch = CreateBatch(indices.Length);
        Fill(batch, indices);
        return batch;
    }

    public static TensorData Random(ulong seed, params int[] shape)
    {
        var x = new Tensor(shape);
        new Rng(seed).FillNormal(x.Span);
        return new TensorData(x);
    }
}
