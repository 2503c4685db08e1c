// PrefetchedData (factory): read-ahead wrappers for the two batch types, with their copy functions.
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Creates <see cref="PrefetchedData{TInput}"/> for image tensors and text batches.</summary>
public static class PrefetchedData
{
    /// <summary>Reads image batches (B, C, H, W) ahead in the order a trainer with <paramref name="batchSize"/> and <paramref name="seed"/> draws them.</summary>
    public static PrefetchedData<Tensor> Images(ILabeledData<Tensor> data, int batchSize, ulong seed, int depth = 2) =>
        new(data, batchSize, seed, (source, destination) => destination.CopyFrom(source), depth);

    /// <summary>Reads text batches ahead in the order a trainer with <paramref name="batchSize"/> and <paramref name="seed"/> draws them.</summary>
    public static PrefetchedData<TextBatch> Text(ILabeledData<TextBatch> data, int batchSize, ulong seed, int depth = 2) =>
        new(data, batchSize, seed, (source, destination) =>
        {
            source.InputIds.CopyTo(destination.InputIds);
            source.TokenTypeIds.CopyTo(destination.TokenTypeIds);
            destination.AttentionMask.CopyFrom(source.AttentionMask);
        }, depth);
}
