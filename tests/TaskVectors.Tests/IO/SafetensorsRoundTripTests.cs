// Round trips through SafetensorsWriter and SafetensorsFile: every float32 bit pattern class survives,
// shapes and metadata are preserved, and both write overloads produce the same file.
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<(string Name, Tensor Tensor)> Sample()
    {
        var rng = new Rng(2026);
        var weight = new Tensor(48, 33);
        rng.FillNormal(weight.Span);
        var bits = new Tensor(257);
        for (int i = 0; i < bits.Length; i++) bits[i] = BitConverter.UInt32BitsToSingle((uint)rng.NextUInt64());
        var special = new Tensor([float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue, BitConverter.UInt32BitsToSingle(0x7FC1_2345)], 7);
        return
        [
            ("vision_model.encoder.layers.0.mlp.fc1.weight", weight),
            ("bits", bits),
            ("special", special),
            ("scalar", new Tensor([42f])),
            ("empty", new Tensor(0, 5)),
            ("名前.ü", new Tensor([1f, 2f], 1, 2)),
        ];
    }

    [Fact]
    public void Write_ThenOpen_SameBitsShapesAndMetadata()
    {
        string path = _dir.File("round.safetensors");
        var tensors = Sample();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["fingerprint"] = "ab12", ["note"] = "τ_t = θ_t − θ0\n\"quoted\"" };
        SafetensorsWriter.Write(path, tensors, metadata);

        using var file = SafetensorsFile.Open(path);
        file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).ShouldBe(metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        file.Tensors.Count.ShouldBe(tensors.Count);
        (file.HeaderSize % 8).ShouldBe(0);
        foreach (var (name, expected) in tensors)
        {
            var info = file.GetInfo(name);
            info.DType.ShouldBe(SafetensorsDType.F32);
            info.DataBegin.ShouldBe(info.DataBegin / 4 * 4); // 4-byte aligned within an 8-byte aligned section.
            var actual = file.ReadTensor(name);
            actual.Shape.ToArray().ShouldBe(expected.Shape.ToArray());
            for (int i = 0; i < expected.Length; i++)
                BitConverter.SingleToUInt32Bits(actual[i]).ShouldBe(BitConverter.SingleToUInt32Bits(expected[i]), $"{name}[{i}]");
        }
    }

    [Fact]
    public void Write_DictionaryOverload_SameBytesAsTuples()
    {
        var tensors = Sample();
        string a = _dir.File("a.safetensors"), b = _dir.File("b.safetensors");
        SafetensorsWriter.Write(a, tensors);
        SafetensorsWriter.Write(b, tensors.ToDictionary(t => t.Name, t => t.Tensor));
        File.ReadAllBytes(b).ShouldBe(File.ReadAllBytes(a));
    }

    [Fact]
    public void Write_NoMetadata_OmitsKey_EmptyMetadata_WritesEmptyMap()
    {
        string none = _dir.File("none.safetensors"), empty = _dir.File("empty.safetensors");
        SafetensorsWriter.Write(none, [("w", new Tensor(1))]);
        SafetensorsWriter.Write(empty, [("w", new Tensor(1))], new Dictionary<string, string>());
        System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(none)).ShouldNotContain("__metadata__");
        System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(empty)).ShouldContain("{\"__metadata__\":{},");
        using var file = SafetensorsFile.Open(empty);
        file.Metadata.ShouldBeEmpty();
    }

    [Fact]
    public void Write_ViewTensor_WritesOnlyItsElements()
    {
        var whole = new Tensor(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 4, 3);
        string path = _dir.File("rows.safetensors");
        SafetensorsWriter.Write(path, [("rows", whole.Rows(1, 2))]);
        using var file = SafetensorsFile.Open(path);
        file.ReadTensor("rows").Span.ToArray().ShouldBe([3f, 4f, 5f, 6f, 7f, 8f]);
    }
}
