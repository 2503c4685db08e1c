// Tests of SafetensorsFile.Open on malformed files: one hand-built byte fixture per failure, each
// asserting the exception type, the file name in the message and the tensor or key at fault.
using TaskVectors.IO;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsFormatErrorTests : IDisposable
{
    private static readonly byte[] EightBytes = new byte[8];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private SafetensorsFormatException OpenFails(byte[] bytes, string? tensor, string fragment)
    {
        string path = _dir.File("bad-" + Guid.NewGuid().ToString("N")[..8] + ".safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Should.Throw<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        e.FilePath.ShouldBe(path);
        e.Message.ShouldContain(Path.GetFileName(path));
        e.TensorName.ShouldBe(tensor);
        if (tensor is not null) e.Message.ShouldContain(tensor);
        e.Message.ShouldContain(fragment, Case.Insensitive);
        return e;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Open_FileShorterThanPrefix_Throws(int length) =>
        OpenFails(new byte[length], null, "shorter than the 8-byte");

    [Fact]
    public void Open_HeaderSizeBeyondFile_Throws() =>
        OpenFails(SafetensorsBytes.WithPrefix(1000, "{}      "u8.ToArray()), null, "beyond the end");

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(0x8000_0000_0000_0000UL)]
    public void Open_HeaderSizeOverLimit_Throws(ulong size) =>
        OpenFails(SafetensorsBytes.WithPrefix(size, "{}      "u8.ToArray()), null, "limit");

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void Open_HeaderSizeTooSmall_Throws(ulong size) =>
        OpenFails(SafetensorsBytes.WithPrefix(size, "{}      "u8.ToArray()), null, "too small");

    [Theory]
    [InlineData("not json", null)]
    [InlineData("[]", null)]
    [InlineData("\"text\"", null)]
    [InlineData("{\"w\":", "w")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", "w")]
    [InlineData("{} x", null)]
    [InlineData("{}\0\0\0\0\0\0", null)] // NUL padding: serde rejects it as trailing characters, and so do we.
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,0]},}", null)]
    [InlineData("{/* comment */}", null)]
    public void Open_InvalidJson_Throws(string json, string? tensor) =>
        OpenFails(SafetensorsBytes.File(json, pad: false), tensor, "JSON");

    [Fact]
    public void Open_InvalidUtf8_Throws() =>
        OpenFails(SafetensorsBytes.File([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'{', (byte)'}', (byte)'}']), null, "UTF-8");

    [Fact]
    public void Open_EscapedLoneSurrogate_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"x\\ud800\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,0]}}"), null, "JSON");

    [Theory]
    [InlineData("F33")]
    [InlineData("f32")]
    [InlineData("float32")]
    [InlineData("")]
    public void Open_UnknownDtype_Throws(string dtype) =>
        OpenFails(SafetensorsBytes.File($"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":[2],\"data_offsets\":[0,8]}}}}", EightBytes), "w", "unknown dtype");

    [Fact]
    public void Open_OffsetsBeyondDataSection_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", EightBytes), "w", "outside the data section");

    [Fact]
    public void Open_OffsetsEndBeforeBegin_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", EightBytes), "w", "end before they begin");

    [Fact]
    public void Open_OffsetsNotMatchingShapeTimesDtype_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", EightBytes), "w", "needs 12");

    [Fact]
    public void Open_OverlappingTensors_ThrowsNamingBoth()
    {
        var e = OpenFails(SafetensorsBytes.File(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", EightBytes),
            "b", "overlap");
        e.Message.ShouldContain("'a'");
    }

    [Fact]
    public void Open_ZeroSizeTensorInsideAnother_ThrowsOverlap() =>
        OpenFails(SafetensorsBytes.File(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", EightBytes),
            "e", "overlap");

    [Fact]
    public void Open_GapBetweenTensors_Throws() =>
        OpenFails(SafetensorsBytes.File(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]}}", EightBytes),
            "b", "belong to no tensor");

    [Fact]
    public void Open_TrailingBytesAfterLastTensor_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", EightBytes), null, "cover 4 of the 8");

    [Fact]
    public void Open_DataWithoutTensors_Throws() =>
        OpenFails(SafetensorsBytes.File("{}", EightBytes), null, "cover 0 of the 8");

    [Fact]
    public void Open_DuplicateTensorName_Throws() =>
        OpenFails(SafetensorsBytes.File(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", EightBytes),
            "w", "duplicate tensor name");

    [Fact]
    public void Open_DuplicateNameThroughEscape_Throws() =>
        OpenFails(SafetensorsBytes.File(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"\\u0077\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", EightBytes),
            "w", "duplicate tensor name");

    [Fact]
    public void Open_DuplicateMetadataKey_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"__metadata__\":{\"format\":\"pt\",\"format\":\"np\"}}"), "__metadata__", "'format' appears twice");

    [Fact]
    public void Open_MetadataTwice_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"__metadata__\":{},\"__metadata__\":{}}"), "__metadata__", "appears twice");

    [Theory]
    [InlineData("{\"__metadata__\":{\"n\":1}}")]
    [InlineData("{\"__metadata__\":{\"n\":null}}")]
    [InlineData("{\"__metadata__\":{\"n\":[\"a\"]}}")]
    [InlineData("{\"__metadata__\":[]}")]
    [InlineData("{\"__metadata__\":\"pt\"}")]
    public void Open_MetadataNotStringMap_Throws(string json) =>
        OpenFails(SafetensorsBytes.File(json), "__metadata__", "string");

    [Theory]
    [InlineData("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "no 'dtype'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "no 'shape'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "no 'data_offsets'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'dtype' appears twice")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]}}", "'shape' appears twice")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"data_offsets\":[0,8]}}", "'data_offsets' appears twice")]
    [InlineData("{\"w\":[1,2]}", "not a JSON object")]
    [InlineData("{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", "not a string")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", "not an array")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "non-negative integer")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", "non-negative integer")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", "non-negative integer")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", "has 3 numbers")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", "has 1 numbers")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-1,8]}}", "non-negative integer")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{\"begin\":0}}}", "not an array")]
    public void Open_MalformedEntry_Throws(string json, string fragment) =>
        OpenFails(SafetensorsBytes.File(json, EightBytes), "w", fragment);

    [Fact]
    public void Open_ShapeProductOverflows_Throws() =>
        OpenFails(SafetensorsBytes.File(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647,0],\"data_offsets\":[0,0]}}"), "w", "overflows");

    [Fact]
    public void Open_DimensionBeyondInt32_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"w\":{\"dtype\":\"F32\",\"shape\":[0,2147483648],\"data_offsets\":[0,0]}}"), "w", "exceeds");

    [Fact]
    public void Open_SubByteDtypeNotWholeBytes_Throws() =>
        OpenFails(SafetensorsBytes.File("{\"w\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}", [0, 0, 0, 0, 0, 0, 0, 0]), "w", "whole number of bytes");

    [Fact]
    public void ReadTensor_DtypeNotConvertible_OpensButThrowsOnRead()
    {
        string path = _dir.File("ids.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File(
            "{\"position_ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
            SafetensorsBytes.Concat(EightBytes, SafetensorsBytes.Singles(1f, 2f))));
        using var file = SafetensorsFile.Open(path);
        file.ReadTensor("w").Span.ToArray().ShouldBe([1f, 2f]);
        var e = Should.Throw<SafetensorsFormatException>(() => file.ReadTensor("position_ids"));
        e.TensorName.ShouldBe("position_ids");
        e.Message.ShouldContain("ids.safetensors");
        e.Message.ShouldContain("I64");
        Should.Throw<SafetensorsFormatException>(() => file.ReadInto("position_ids", new float[1]));
    }
}
