// TemporaryRoot: a temporary data folder that is deleted when the test ends.
namespace TaskVectors.MainJob.Tests.Vision;

internal sealed class TemporaryRoot(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
