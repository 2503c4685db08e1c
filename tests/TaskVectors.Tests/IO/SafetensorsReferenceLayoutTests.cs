// Byte-level compatibility with the reference implementation (huggingface/safetensors, which
// safetensors.torch.save_file calls): a hand-built file laid out by its rules is read correctly, and
// our writer reproduces its bytes for F32 tensors, including the Rust crate's own serialization vectors.
using System.Text;
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsReferenceLayoutTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Ascii(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Open_FileLaidOutByPyTorchRules_ReadsEveryDtype()
    {
        // save_file({"a.half": f16[2,2], "emb.bf16": bf16[3], "layer.bias": f32[2], "layer.weight": f32[2,2],
        //            "z.double": f64[2]}, path, metadata={"format": "pt"}) — the Rust serializer sorts by
        // descending dtype (F64 > F32 > BF16 > F16), then by name; writes compact JSON with __metadata__
        // first and the tensors in data order; pads the 350-byte header with 2 spaces to 352 (0x160).
        const string json =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"z.double\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
            "\"layer.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}," +
            "\"layer.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]}," +
            "\"emb.bf16\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[40,46]}," +
            "\"a.half\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[46,54]}}";
        byte[] data = Convert.FromHexString(
            "000000000000f83f" + "9a9999999999b9bf" +                   // F64 1.5, -0.1
            "0000803e" + "000080bf" +                                   // F32 0.25, -1
            "0000803f" + "00000040" + "00004040" + "00008040" +         // F32 1, 2, 3, 4
            "803f" + "00bf" + "4940" +                                  // BF16 1, -0.5, 3.140625
            "003c" + "00c0" + "0038" + "ff7b");                         // F16 1, -2, 0.5, 65504
        byte[] bytes = [0x60, 0x01, 0, 0, 0, 0, 0, 0, .. Ascii(json), (byte)' ', (byte)' ', .. data];
        string path = _dir.File("pytorch.safetensors");
        File.WriteAllBytes(path, bytes);

        using var file = SafetensorsFile.Open(path);
        file.HeaderSize.ShouldBe(352);
        file.Metadata.ShouldBe(new Dictionary<string, string> { ["format"] = "pt" });
        file.Tensors.Select(t => t.Name).ShouldBe(["z.double", "layer.bias", "layer.weight", "emb.bf16", "a.half"]);
        file.GetInfo("emb.bf16").ShouldBe(new SafetensorsTensorInfo("emb.bf16", SafetensorsDType.BF16, [3], 40, 46));
        file.ReadTensor("z.double").Span.ToArray().ShouldBe([1.5f, -0.1f]);
        file.ReadTensor("layer.bias").Span.ToArray().ShouldBe([0.25f, -1f]);
        var weight = file.ReadTensor("layer.weight");
        weight.Shape.ToArray().ShouldBe([2, 2]);
        weight[1, 0].ShouldBe(3f);
        file.ReadTensor("emb.bf16").Span.ToArray().ShouldBe([1f, -0.5f, 3.140625f]);
        file.ReadTensor("a.half").Span.ToArray().ShouldBe([1f, -2f, 0.5f, 65504f]);
    }

    [Fact]
    public void Write_F32Tensors_MatchesReferenceBytes()
    {
        var weight = new Tensor([1f, 2f, 3f, 4f], 2, 2);
        var bias = new Tensor([0.25f, -1f], 2);
        // Given out of order: the reference sorts by name, so "layer.bias" comes first.
        const string json =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"layer.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"layer.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}}";
        json.Length.ShouldBe(161); // Padded with 7 spaces to 168 = 0xA8.
        byte[] expected = [0xA8, 0, 0, 0, 0, 0, 0, 0, .. Ascii(json), .. Ascii("       "),
            .. Convert.FromHexString("0000803e000080bf" + "0000803f000000400000404000008040")];
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };

        SafetensorsWriter.Serialize([("layer.weight", weight), ("layer.bias", bias)], metadata).ShouldBe(expected);
        string path = _dir.File("model.safetensors");
        SafetensorsWriter.Write(path, [("layer.weight", weight), ("layer.bias", bias)], metadata);
        File.ReadAllBytes(path).ShouldBe(expected);
    }

    [Fact]
    public void Write_RustCrateSerializationVector_SameBytes()
    {
        // safetensors/src/tensor.rs test_serialization: "attn.0" F32 [1,2,3] = 0..5, a 64-byte header, no padding.
        var t = new Tensor([0f, 1f, 2f, 3f, 4f, 5f], 1, 2, 3);
        byte[] expected = [64, 0, 0, 0, 0, 0, 0, 0,
            .. Ascii("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"),
            .. SafetensorsBytes.Singles(0f, 1f, 2f, 3f, 4f, 5f)];
        SafetensorsWriter.Serialize([("attn.0", t)]).ShouldBe(expected);
    }

    [Fact]
    public void Write_RustCrateForcedAlignmentVector_PadsWithSevenSpaces()
    {
        // test_serialization_forced_alignement: "attn0" [1,1,2,3] gives 65 bytes of JSON, padded to 72.
        var t = new Tensor([0f, 1f, 2f, 3f, 4f, 5f], 1, 1, 2, 3);
        byte[] expected = [72, 0, 0, 0, 0, 0, 0, 0,
            .. Ascii("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "),
            .. SafetensorsBytes.Singles(0f, 1f, 2f, 3f, 4f, 5f)];
        SafetensorsWriter.Serialize([("attn0", t)]).ShouldBe(expected);
    }

    [Fact]
    public void Write_RustCrateEmptyVectors_SameBytes()
    {
        // test_empty: no tensors gives "{}" + 6 spaces; with {"framework":"pt"} a 35-byte header padded to 40.
        SafetensorsWriter.Serialize([]).ShouldBe([8, 0, 0, 0, 0, 0, 0, 0, .. Ascii("{}      ")]);
        SafetensorsWriter.Serialize([], new Dictionary<string, string> { ["framework"] = "pt" })
            .ShouldBe([40, 0, 0, 0, 0, 0, 0, 0, .. Ascii("{\"__metadata__\":{\"framework\":\"pt\"}}     ")]);
    }

    [Fact]
    public void Write_NamesNeedingEscapes_EscapedAsSerdeJson()
    {
        // serde_json escapes only " \ and controls (short forms for \b \t \n \f \r, else \u00xx lowercase);
        // non-ASCII, '/' and '<' stay verbatim.
        string name = "q\"\\\n\u0001\u001f\té/<😀";
        byte[] bytes = SafetensorsWriter.Serialize([(name, new Tensor(0))]);
        string header = Encoding.UTF8.GetString(bytes, 8, bytes.Length - 8);
        header.ShouldBe("{\"q\\\"\\\\\\n\\u0001\\u001f\\té/<😀\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}".PadRight(header.Length));
        string path = _dir.File("escaped.safetensors");
        File.WriteAllBytes(path, bytes);
        using var file = SafetensorsFile.Open(path);
        file.Tensors.Single().Name.ShouldBe(name);
    }

    [Fact]
    public void Write_NamesBeyondBmp_SortedByUtf8BytesAsRust()
    {
        // UTF-16 ordinal puts "😀" (D83D …) before "｡" (FF61); UTF-8 bytes (F0 … vs EF …) and Rust do the reverse.
        string path = _dir.File("order.safetensors");
        SafetensorsWriter.Write(path, [("😀", new Tensor(1)), ("｡", new Tensor(1)), ("a", new Tensor(1))]);
        using var file = SafetensorsFile.Open(path);
        file.Tensors.Select(t => t.Name).ShouldBe(["a", "｡", "😀"]);
    }
}
