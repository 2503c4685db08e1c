// PrefetchedData: wraps a data set so that a consumer drawing batches in EpochSampler order (the FineTuner:
// positions k·B … (k+1)·B − 1 of EpochSampler(N, seed)) gets each batch already decoded by a BatchPrefetcher
// running ahead on a background task; Fill then only copies it. A request that is not the predicted next batch
// (another order or size) is filled directly from the wrapped set and ends the read-ahead, so results never depend
// on the prediction, only the speed does.

namespace TaskVectors.Data;

/// <summary>
/// A data set whose batches are decoded ahead of the consumer. Give it the batch size and seed the trainer uses
/// (FineTuneOptions.BatchSize and Seed) and training no longer waits on decoding, as long as decoding keeps up.
/// </summary>
/// <typeparam name="TInput">The batch type.</typeparam>
public sealed class PrefetchedData<TInput> : ILabeledData<TInput>, IDisposable
{
    private readonly ILabeledData<TInput> _inner;
    private readonly Action<TInput, TInput> _copy;
    private BatchPrefetcher<TInput>? _prefetcher;

    /// <summary>Starts reading ahead batches of <paramref name="batchSize"/> in EpochSampler(N, <paramref name="seed"/>) order; <paramref name="copy"/>(source, destination) copies one batch buffer.</summary>
    public PrefetchedData(ILabeledData<TInput> inner, int batchSize, ulong seed, Action<TInput, TInput> copy, int depth = 2)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(copy);
        _inner = inner;
        _copy = copy;
        BatchSize = batchSize;
        _prefetcher = new BatchPrefetcher<TInput>(inner, batchSize, seed, depth);
    }

    /// <summary>B, the batch size read ahead.</summary>
    public int BatchSize { get; }

    /// <summary>Batches served from the read-ahead.</summary>
    public int Hits { get; private set; }

    /// <summary>Batches filled directly because the request was not the predicted one (the read-ahead then stops).</summary>
    public int Misses { get; private set; }

    /// <summary>Times the consumer waited for a batch still being decoded.</summary>
    public int Waits => _prefetcher?.Waits ?? 0;

    /// <inheritdoc />
    public int Count => _inner.Count;

    /// <inheritdoc />
    public int Classes => _inner.Classes;

    /// <inheritdoc />
    public string Description => _inner.Description;

    /// <inheritdoc />
    public int Label(int index) => _inner.Label(index);

    /// <inheritdoc />
    public TInput CreateBatch(int size) => _inner.CreateBatch(size);

    /// <inheritdoc />
    public void Fill(TInput batch, ReadOnlySpan<int> indices)
    {
        if (_prefetcher is not null && indices.Length == BatchSize)
        {
            var (input, _) = _prefetcher.Next();
            if (_prefetcher.CurrentIndices.SequenceEqual(indices))
            {
                _copy(input, batch);
                Hits++;
                return;
            }
            _prefetcher.Dispose();
            _prefetcher = null;
        }
        Misses++;
        _inner.Fill(batch, indices);
    }

    /// <summary>Stops the read-ahead.</summary>
    public void Dispose()
    {
        _prefetcher?.Dispose();
        _prefetcher = null;
    }
}
