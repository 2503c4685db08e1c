// BenchmarkRow: one row of the main job's table: a pretrained base θ0 and its tasks (train / validation / test splits,
// each with a frozen cosine head), plus the fine-tuning defaults the row was tuned with. The non-generic base lets rows
// of different batch types (text, images) run in one list.
using TaskVectors.Models;
using TaskVectors.Training;
using TaskVectors.Building;

namespace TaskVectors.MainJob;

/// <summary>A row of any batch type (see <see cref="BenchmarkRow{TInput}"/>); only the main job runs it.</summary>
public abstract record BenchmarkRow
{
    private protected BenchmarkRow()
    {
    }

    /// <summary>The row's name in reports.</summary>
    public abstract string RowName { get; }

    internal abstract RowReport Run(MainJobOptions options, ProtocolSettings settings, string cacheFolder, IProgress<MainJobProgress>? progress, CancellationToken ct);
}

/// <summary>A base model and the tasks fine-tuned from it; <typeparamref name="TInput"/> is the batch type (images or text).</summary>
/// <param name="Name">The row's name in reports ("text", "vision").</param>
/// <param name="Base">θ0; the protocol never changes its weights.</param>
/// <param name="Tasks">The tasks, each with train, validation and test splits and a frozen head.</param>
/// <param name="FineTuneDefaults">Steps, batch size and learning rate the row's tasks are fine-tuned with.</param>
public sealed record BenchmarkRow<TInput>(
    string Name,
    IEmbeddingModel<TInput> Base,
    IReadOnlyList<FineTuneTask<TInput>> Tasks,
    FineTuneOptions FineTuneDefaults) : BenchmarkRow
{
    /// <inheritdoc />
    public override string RowName => Name;

    internal override RowReport Run(MainJobOptions options, ProtocolSettings settings, string cacheFolder, IProgress<MainJobProgress>? progress, CancellationToken ct) =>
        new RowRunner<TInput>(this, options, settings, cacheFolder, progress, ct).Run();
}
