// Tests of SafetensorsStreamWriter: tensors written one at a time give the same bytes as SafetensorsWriter, the
// order is enforced, and an uncommitted, incomplete or failed write leaves neither a target nor a temporary file.
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsStreamWriterTests
{
    private static readonly (string Name, Tensor Tensor)[] Sample =
    [
        ("layers.1.weight", new Tensor([1f, 2, 3, 4, 5, 6], 2, 3)),
        ("layers.0.bias", new Tensor([7f, 8], 2)),
        ("é.unicode", new Tensor([9f], 1)),
        ("empty", new Tensor(0, 3)),
    ];

    private static readonly Dictionary<string, string> Meta = new() { ["format"] = "pt", ["b"] = "2", ["a"] = "1" };

    [Fact]
    public void Commit_TensorsInOrder_BytesEqualSafetensorsWriter()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        using (var writer = SafetensorsStreamWriter.Create(path, Sample.Select(s => (s.Name, s.Tensor.Shape.ToArray())), Meta))
        {
            writer.Order.Select(o => o.Name).ShouldBe(["empty", "layers.0.bias", "layers.1.weight", "é.unicode"]);
            foreach (var (name, _) in writer.Order) writer.Write(name, Sample.First(s => s.Name == name).Tensor.Span);
            writer.Commit();
        }
        File.ReadAllBytes(path).ShouldBe(SafetensorsWriter.Serialize(Sample, Meta));
        Directory.GetFiles(dir.Path).Length.ShouldBe(1);
    }

    [Fact]
    public void Write_OutOfOrderOrWrongLength_Throws()
    {
        using var dir = new TempDirectory();
        using var writer = SafetensorsStreamWriter.Create(dir.File("out.safetensors"), Sample.Select(s => (s.Name, s.Tensor.Shape.ToArray())));
        Should.Throw<InvalidOperationException>(() => writer.Write("layers.1.weight", new float[6])).Message.ShouldContain("'empty'");
        writer.Write("empty", []);
        Should.Throw<ArgumentException>(() => writer.Write("layers.0.bias", new float[3])).Message.ShouldContain("layers.0.bias");
    }

    [Fact]
    public void DisposeWithoutCommit_LeavesExistingTargetAndNoTemporary()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        File.WriteAllText(path, "old");
        using (var writer = SafetensorsStreamWriter.Create(path, Sample.Select(s => (s.Name, s.Tensor.Shape.ToArray()))))
        {
            writer.Write("empty", []);
        }
        File.ReadAllText(path).ShouldBe("old");
        Directory.GetFiles(dir.Path).ShouldBe([path]);
    }

    [Fact]
    public void Commit_MissingTensors_ThrowsAndLeavesNothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        using var writer = SafetensorsStreamWriter.Create(path, Sample.Select(s => (s.Name, s.Tensor.Shape.ToArray())));
        writer.Write("empty", []);
        Should.Throw<InvalidOperationException>(() => writer.Commit()).Message.ShouldContain("layers.0.bias");
        Directory.GetFiles(dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Create_DuplicateEmptyOrReservedName_Throws()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        Should.Throw<ArgumentException>(() => SafetensorsStreamWriter.Create(path, [("a", [1]), ("a", [2])]));
        Should.Throw<ArgumentException>(() => SafetensorsStreamWriter.Create(path, [("", [1])]));
        Should.Throw<ArgumentException>(() => SafetensorsStreamWriter.Create(path, [("__metadata__", [1])]));
        Directory.GetFiles(dir.Path).ShouldBeEmpty();
    }
}
