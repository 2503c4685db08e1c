// Tests of SafetensorsFile on valid files: edge cases of the format (no tensors, no data, scalars,
// zero-element tensors, unaligned data, unknown fields), lazy opening of a large sparse file,
// caller-owned reads, disposal and concurrent reads.
using System.Buffers.Binary;
using System.Diagnostics;
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Save(byte[] bytes, string name = "t.safetensors")
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Open_HeaderOnlyNoTensors_Empty()
    {
        using var file = SafetensorsFile.Open(Save(SafetensorsBytes.File("{}")));
        file.Tensors.ShouldBeEmpty();
        file.Metadata.ShouldBeEmpty();
        file.HeaderSize.ShouldBe(8);
        file.Contains("w").ShouldBeFalse();
    }

    [Fact]
    public void Open_MetadataNull_TreatedAsAbsent()
    {
        using var file = SafetensorsFile.Open(Save(SafetensorsBytes.File("{\"__metadata__\":null}")));
        file.Metadata.ShouldBeEmpty();
    }

    [Fact]
    public void Open_ZeroElementAndScalarTensors_Read()
    {
        const string json = "{\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}," +
                            "\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}," +
                            "\"none\":{\"dtype\":\"BF16\",\"shape\":[5,0],\"data_offsets\":[4,4]}}";
        using var file = SafetensorsFile.Open(Save(SafetensorsBytes.File(json, SafetensorsBytes.Singles(7f))));
        file.Tensors.Select(t => t.Name).ShouldBe(["empty", "scalar", "none"]);
        var empty = file.ReadTensor("empty");
        empty.Shape.ToArray().ShouldBe([0, 3]);
        empty.Length.ShouldBe(0);
        var scalar = file.ReadTensor("scalar");
        scalar.Rank.ShouldBe(0);
        scalar[0].ShouldBe(7f);
        file.ReadTensor("none").Length.ShouldBe(0);
        file.GetInfo("scalar").ElementCount.ShouldBe(1);
    }

    [Fact]
    public void Open_AllTensorsZeroBytes_NeedsNoMapping()
    {
        using var file = SafetensorsFile.Open(Save(SafetensorsBytes.File("{\"e\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}")));
        file.ReadTensor("e").Length.ShouldBe(0);
        file.ReadInto("e", Span<float>.Empty);
    }

    [Fact]
    public void Open_UnknownFieldsInEntry_Ignored()
    {
        const string json = "{\"w\":{\"extra\":{\"nested\":[1,{\"x\":null}]},\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"note\":\"hi\"}}";
        using var file = SafetensorsFile.Open(Save(SafetensorsBytes.File(json, SafetensorsBytes.Singles(3f))));
        file.ReadTensor("w")[0].ShouldBe(3f);
    }

    [Fact]
    public void Tensors_HeaderOrderDiffersFromData_ListedInDataOrder()
    {
        const string json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        using var file = SafetensorsFile.Open(Save(SafetensorsBytes.File(json, SafetensorsBytes.Singles(1f, 2f))));
        file.Tensors.Select(t => t.Name).ShouldBe(["a", "b"]);
        file.ReadTensor("b")[0].ShouldBe(2f);
    }

    [Fact]
    public void ReadTensor_UnalignedDataSection_ReadsCorrectly()
    {
        // An unpadded header of odd length puts the data at an odd address in the mapping.
        const string json = "{\"uu\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"f\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[1,13]},\"h\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[13,21]}}";
        (json.Length % 2).ShouldBe(1);
        var data = SafetensorsBytes.Concat([9], SafetensorsBytes.Singles(1.5f, -2f, 1e-30f), SafetensorsBytes.Doubles(2.25));
        using var file = SafetensorsFile.Open(Save(SafetensorsBytes.File(json, data, pad: false)));
        file.ReadTensor("f").Span.ToArray().ShouldBe([1.5f, -2f, 1e-30f]);
        file.ReadTensor("h")[0].ShouldBe(2.25f);
    }

    [Fact]
    public void ReadInto_CallerBuffer_FilledWithoutAllocation()
    {
        string path = _dir.File("w.safetensors");
        var source = new Tensor(64, 64);
        new Rng(1).FillNormal(source.Span);
        SafetensorsWriter.Write(path, [("w", source)]);
        using var file = SafetensorsFile.Open(path);
        var buffer = new float[64 * 64];
        file.ReadInto("w", buffer); // Warm up (JIT) before measuring.
        long before = GC.GetAllocatedBytesForCurrentThread();
        file.ReadInto("w", buffer);
        GC.GetAllocatedBytesForCurrentThread().ShouldBe(before);
        ArrayAssert.Equal(buffer, source.Span);
    }

    [Fact]
    public void ReadInto_WrongLength_ThrowsArgumentException()
    {
        string path = _dir.File("w.safetensors");
        SafetensorsWriter.Write(path, [("w", new Tensor(2, 3))]);
        using var file = SafetensorsFile.Open(path);
        Should.Throw<ArgumentException>(() => file.ReadInto("w", new float[5])).Message.ShouldContain("[2, 3]");
    }

    [Fact]
    public void ReadTensor_MissingName_ThrowsKeyNotFoundNamingFileAndTensor()
    {
        string path = _dir.File("w.safetensors");
        SafetensorsWriter.Write(path, [("w", new Tensor(1))]);
        using var file = SafetensorsFile.Open(path);
        var e = Should.Throw<KeyNotFoundException>(() => file.ReadTensor("missing"));
        e.Message.ShouldContain("missing");
        e.Message.ShouldContain("w.safetensors");
        file.TryGetInfo("missing", out _).ShouldBeFalse();
    }

    [Fact]
    public void Dispose_ThenRead_ThrowsObjectDisposed_TensorsStayValid()
    {
        string path = _dir.File("w.safetensors");
        SafetensorsWriter.Write(path, [("w", new Tensor([1f, 2f], 2))]);
        var file = SafetensorsFile.Open(path);
        var t = file.ReadTensor("w");
        file.Dispose();
        file.Dispose();
        Should.Throw<ObjectDisposedException>(() => file.ReadTensor("w"));
        Should.Throw<ObjectDisposedException>(() => file.ReadInto("w", new float[2]));
        t.Span.ToArray().ShouldBe([1f, 2f]);
        File.Delete(path); // The handle is released: the file can go.
    }

    [Fact]
    public void ReadTensor_ConcurrentThreads_SameResults()
    {
        string path = _dir.File("many.safetensors");
        var rng = new Rng(7);
        var tensors = Enumerable.Range(0, 16).Select(i =>
        {
            var t = new Tensor(17 + i, 31);
            rng.FillNormal(t.Span);
            return ($"layer.{i:D2}.weight", t);
        }).ToList();
        SafetensorsWriter.Write(path, tensors);
        using var file = SafetensorsFile.Open(path);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            for (int round = 0; round < 20; round++)
            {
                foreach (var (name, expected) in tensors)
                {
                    var actual = file.ReadTensor(name);
                    if (!actual.Span.SequenceEqual(expected.Span)) throw new InvalidOperationException($"{name} differs on worker {worker}.");
                }
            }
        });
    }

    [Fact]
    public void Open_SparseFileOverFourGigabytes_ReadsHeaderOnlyAndFarTensor()
    {
        // 4 GiB of zeros stored as a hole (no disk blocks), then a small tensor past the 4 GiB mark.
        // Reading the hole would take seconds here; opening must take a tiny fraction of that.
        const long big = 1L << 32;
        string json = $"{{\"__metadata__\":{{\"kind\":\"sparse\"}},\"hole\":{{\"dtype\":\"U8\",\"shape\":[1024,1024,4096],\"data_offsets\":[0,{big}]}}," +
                      $"\"tail\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[{big},{big + 8}]}}}}";
        byte[] head = SafetensorsBytes.File(json);
        string path = _dir.File("sparse.safetensors");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(head);
            stream.SetLength(head.Length + big); // Extends with a hole.
            stream.Position = head.Length + big;
            stream.Write(SafetensorsBytes.Singles(3.5f, -4f));
        }

        var clock = Stopwatch.StartNew();
        using var file = SafetensorsFile.Open(path);
        file.Tensors.Count.ShouldBe(2);
        file.Metadata["kind"].ShouldBe("sparse");
        clock.Stop();
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));

        file.GetInfo("hole").ElementCount.ShouldBe(big);
        file.ReadTensor("tail").Span.ToArray().ShouldBe([3.5f, -4f]);
        Should.Throw<SafetensorsFormatException>(() => file.ReadTensor("hole")); // U8: listed, not convertible.
        BinaryPrimitives.ReadUInt64LittleEndian(head).ShouldBe((ulong)file.HeaderSize);
    }
}
