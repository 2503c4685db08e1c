// BatchPrefetcher: fills the batches of a seeded shuffled order ahead of the consumer on a background task.
// Batch k holds positions start + k·B … start + (k+1)·B − 1 of EpochSampler(N, seed), so what the consumer sees
// depends only on (seed, B, start), never on timing. depth + 1 buffers circulate through two bounded channels
// (free → filled → consumer → free), so memory stays at depth + 1 batches however slow the consumer.
using System.Threading.Channels;

namespace TaskVectors.Data;

/// <summary>Decodes/gathers batches of a shuffled epoch order in the background, <see cref="Depth"/> batches ahead.</summary>
/// <typeparam name="TInput">The batch type of the data set (an image tensor or a text batch).</typeparam>
public sealed class BatchPrefetcher<TInput> : IDisposable
{
    private sealed class Slot(TInput input, int size)
    {
        public TInput Input { get; } = input;
        public int[] Indices { get; } = new int[size];
        public int[] Labels { get; } = new int[size];
    }

    private readonly Channel<Slot> _free;
    private readonly Channel<Slot> _filled;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private Slot? _held;

    /// <summary>Starts filling batches of <paramref name="batchSize"/> from position <paramref name="startPosition"/> of the seeded order.</summary>
    public BatchPrefetcher(ILabeledData<TInput> data, int batchSize, ulong seed, int depth = 2, long startPosition = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        ArgumentOutOfRangeException.ThrowIfNegative(startPosition);
        BatchSize = batchSize;
        Depth = depth;
        _free = Channel.CreateBounded<Slot>(depth + 1);
        _filled = Channel.CreateBounded<Slot>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        for (int i = 0; i <= depth; i++) _free.Writer.TryWrite(new Slot(data.CreateBatch(batchSize), batchSize));
        var sampler = new EpochSampler(data.Count, seed);
        _producer = Task.Run(() => Produce(data, sampler, startPosition, _stop.Token));
    }

    /// <summary>B, examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>How many batches are filled ahead of the consumer.</summary>
    public int Depth { get; }

    /// <summary>The example indices of the batch last returned by <see cref="Next"/> (empty before the first call).</summary>
    public ReadOnlySpan<int> CurrentIndices => _held is null ? default : _held.Indices;

    /// <summary>Number of times <see cref="Next"/> found no batch ready and had to wait (the input pipeline was the bottleneck).</summary>
    public int Waits { get; private set; }

    /// <summary>
    /// The next batch and its labels. The returned buffers stay valid until the next call (they are then reused).
    /// Rethrows the data set's exception (e.g. <see cref="DataFormatException"/>) if filling a batch failed.
    /// </summary>
    public (TInput Input, int[] Labels) Next(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        if (_held is not null) _free.Writer.TryWrite(_held);
        _held = null;
        if (!_filled.Reader.TryRead(out var slot))
        {
            Waits++;
            try
            {
                slot = _filled.Reader.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
            }
            catch (ChannelClosedException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
        _held = slot;
        return (slot.Input, slot.Labels);
    }

    private async Task Produce(ILabeledData<TInput> data, EpochSampler sampler, long position, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var slot = await _free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                sampler.Fill(position, slot.Indices);
                position += slot.Indices.Length;
                data.Fill(slot.Input, slot.Indices);
                for (int i = 0; i < slot.Indices.Length; i++) slot.Labels[i] = data.Label(slot.Indices[i]);
                await _filled.Writer.WriteAsync(slot, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _filled.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _filled.Writer.TryComplete(e);
        }
    }

    /// <summary>Stops the background task and waits for it.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        try { _producer.Wait(); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
