// InlineProgress: an IProgress that runs its handler on the reporting thread before the work goes on, so reports
// are seen in order and all of them before the run returns (Progress<T> posts them to a synchronization context
// or the thread pool, where they may arrive late and out of order).
namespace TaskVectors.Building;

/// <summary>Calls <paramref name="handler"/> synchronously for every report, on the thread that reports.</summary>
/// <typeparam name="T">The report type.</typeparam>
/// <param name="handler">Called for each report; keep it short, the work waits for it.</param>
public sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
{
    private readonly Action<T> _handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <inheritdoc />
    public void Report(T value) => _handler(value);
}
