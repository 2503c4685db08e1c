// Tests of SafetensorsWriter's atomic replace and argument checks: a failure at any point leaves an
// existing file byte-identical and no temporary file behind; invalid names never create a file.
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Path, byte[] Bytes) ExistingFile()
    {
        string path = _dir.File("model.safetensors");
        SafetensorsWriter.Write(path, [("old", new Tensor([1f, 2f, 3f], 3))], new Dictionary<string, string> { ["version"] = "1" });
        return (path, File.ReadAllBytes(path));
    }

    private void ShouldHoldOnly(string path) => Directory.GetFiles(_dir.Path).ShouldBe([path]);

    private static IEnumerable<(string, Tensor)> ThrowingAfter(int count)
    {
        for (int i = 0; i < count; i++) yield return ($"t{i}", new Tensor(1000));
        throw new InvalidOperationException("enumeration failed");
    }

    [Fact]
    public void Write_EnumerationThrowsMidway_OldFileIntactNoTempFile()
    {
        var (path, before) = ExistingFile();
        Should.Throw<InvalidOperationException>(() => SafetensorsWriter.Write(path, ThrowingAfter(3)));
        File.ReadAllBytes(path).ShouldBe(before);
        ShouldHoldOnly(path);
    }

    [Fact]
    public void Write_FailureWhileWritingData_OldFileIntactNoTempFile()
    {
        var (path, before) = ExistingFile();
        var tensors = Enumerable.Range(0, 4).Select(i => ($"t{i}", new Tensor(100_000))).ToList();
        int written = 0;
        Should.Throw<IOException>(() => SafetensorsWriter.Write(path, tensors, null, name =>
        {
            // By the second tensor the temporary file exists and holds data: fail as a full disk would.
            if (++written == 2)
            {
                Directory.GetFiles(_dir.Path).Length.ShouldBe(2);
                throw new IOException("disk full");
            }
        }));
        File.ReadAllBytes(path).ShouldBe(before);
        ShouldHoldOnly(path);
    }

    [Fact]
    public void Write_OverExistingFile_ReplacesIt()
    {
        var (path, _) = ExistingFile();
        SafetensorsWriter.Write(path, [("new", new Tensor([9f], 1))]);
        using var file = SafetensorsFile.Open(path);
        file.Tensors.Select(t => t.Name).ShouldBe(["new"]);
        file.Metadata.ShouldBeEmpty();
        ShouldHoldOnly(path);
    }

    [Fact]
    public void Write_WhileOldVersionOpen_ReaderKeepsOldContents()
    {
        if (OperatingSystem.IsWindows()) return; // Windows refuses to replace a mapped file; documented.
        var (path, _) = ExistingFile();
        using var old = SafetensorsFile.Open(path);
        SafetensorsWriter.Write(path, [("old", new Tensor([7f, 8f, 9f], 3))]);
        old.ReadTensor("old").Span.ToArray().ShouldBe([1f, 2f, 3f]);
        using var fresh = SafetensorsFile.Open(path);
        fresh.ReadTensor("old").Span.ToArray().ShouldBe([7f, 8f, 9f]);
    }

    [Theory]
    [InlineData("__metadata__", "reserved")]
    [InlineData(null, "lone surrogate")] // Built below: xunit's argument serialization would repair a lone surrogate.
    public void Write_InvalidName_ThrowsAndCreatesNothing(string? name, string fragment)
    {
        name ??= "bad" + (char)0xD800;
        string path = _dir.File("x.safetensors");
        Should.Throw<ArgumentException>(() => SafetensorsWriter.Write(path, [(name, new Tensor(1))])).Message.ShouldContain(fragment);
        Directory.GetFiles(_dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Write_DuplicateName_Throws()
    {
        string path = _dir.File("x.safetensors");
        Should.Throw<ArgumentException>(() => SafetensorsWriter.Write(path, [("w", new Tensor(1)), ("w", new Tensor(2))])).Message.ShouldContain("twice");
        Directory.GetFiles(_dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Write_NullTensorOrMetadataValue_Throws()
    {
        string path = _dir.File("x.safetensors");
        Should.Throw<ArgumentException>(() => SafetensorsWriter.Write(path, [("w", null!)]));
        Should.Throw<ArgumentException>(() => SafetensorsWriter.Write(path, [("w", new Tensor(1))], new Dictionary<string, string> { ["k"] = null! }));
        Directory.GetFiles(_dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Write_MissingDirectory_ThrowsIOException()
    {
        string path = Path.Combine(_dir.Path, "no-such-dir", "x.safetensors");
        Should.Throw<DirectoryNotFoundException>(() => SafetensorsWriter.Write(path, [("w", new Tensor(1))]));
    }
}
