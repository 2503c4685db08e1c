// TempDirectory: a fresh directory under the system temp folder for one test, deleted with its contents on Dispose.
namespace TaskVectors.Tests.IO;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "taskvectors-io-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // A leftover temp folder must not fail the test that made it.
    }
}
