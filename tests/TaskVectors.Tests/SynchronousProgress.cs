// SynchronousProgress: an IProgress that calls its handler on the reporting thread, so tests see every
// report before the call returns (Progress<T> posts to the thread pool).
namespace TaskVectors.Tests;

internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
