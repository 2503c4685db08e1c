// Tests of the float64 path: SafetensorsWriter's F64 entries (reference byte layout: F64 before F32,
// then by name), SafetensorsFile.ReadDoubles (exact for F64, exact widening of F32/F16/BF16), and the
// float64 conversion kernels against their naive twin.
using System.Text;
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

public sealed unsafe class SafetensorsDoubleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Ascii(string s) => Encoding.UTF8.GetBytes(s);

    private static void ShouldMatchBits(double[] actual, double[] expected) => ArrayAssert.BitIdentical(actual, expected);

    [Fact]
    public void Write_F64BesideF32_MatchesReferenceBytes()
    {
        // save_file({"layer.bias": f32[2], "layer.weight": f32[2,2], "z.double": f64[2]}, metadata={"format": "pt"}):
        // the Rust writer puts F64 before F32 (descending dtype), then sorts by name.
        const string json =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"z.double\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
            "\"layer.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}," +
            "\"layer.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]}}";
        int padded = (json.Length + 7) / 8 * 8;
        byte[] expected = [(byte)padded, 0, 0, 0, 0, 0, 0, 0, .. Ascii(json.PadRight(padded)),
            .. Convert.FromHexString("000000000000f83f" + "9a9999999999b9bf" + "0000803e000080bf" + "0000803f000000400000404000008040")];
        SafetensorsEntry[] entries =
        [
            SafetensorsEntry.FromSingles("layer.weight", new Tensor([1f, 2f, 3f, 4f], 2, 2)),
            SafetensorsEntry.FromDoubles("z.double", new[] { 1.5, -0.1 }, 2),
            SafetensorsEntry.FromSingles("layer.bias", new Tensor([0.25f, -1f], 2)),
        ];
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };

        SafetensorsWriter.SerializeEntries(entries, metadata).ShouldBe(expected);
        string path = _dir.File("mixed.safetensors");
        SafetensorsWriter.Write(path, entries, metadata);
        File.ReadAllBytes(path).ShouldBe(expected);
    }

    [Fact]
    public void ReadDoubles_WrittenF64_RoundTripsBitwise()
    {
        var rng = new Rng(11);
        var values = new double[3 * 5];
        for (int i = 0; i < values.Length; i++) values[i] = (rng.NextDouble() - 0.5) * Math.Pow(2, rng.NextInt(600) - 300);
        values[0] = double.Epsilon;
        values[1] = -0.0;
        values[2] = double.MaxValue;
        string path = _dir.File("doubles.safetensors");
        SafetensorsWriter.Write(path, [SafetensorsEntry.FromDoubles("m", values, 3, 5), SafetensorsEntry.FromDoubles("s", new[] { 7.0 }, 1)]);

        using var file = SafetensorsFile.Open(path);
        file.GetInfo("m").DType.ShouldBe(SafetensorsDType.F64);
        file.GetInfo("m").Shape.ShouldBe([3, 5]);
        ShouldMatchBits(file.ReadDoubles("m"), values);
        var into = new double[1];
        file.ReadDoubles("s", into);
        into[0].ShouldBe(7.0);
        // The float32 reader still rounds F64 to nearest.
        file.ReadTensor("m")[3].ShouldBe((float)values[3]);
    }

    [Fact]
    public void ReadDoubles_F32F16BF16_WidensExactly()
    {
        const string json =
            "{\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}," +
            "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[12,16]}}";
        byte[] data = SafetensorsBytes.Concat(SafetensorsBytes.Singles(0.1f, -3e38f), SafetensorsBytes.UInt16s(0x3F80, 0x4049), SafetensorsBytes.UInt16s(0x3C00, 0x7BFF));
        string path = _dir.File("narrow.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File(json, data));

        using var file = SafetensorsFile.Open(path);
        file.ReadDoubles("f").ShouldBe([(double)0.1f, (double)-3e38f]);
        file.ReadDoubles("b").ShouldBe([1.0, 3.140625]);
        file.ReadDoubles("h").ShouldBe([1.0, 65504.0]);
    }

    [Fact]
    public void ReadDoubles_BadDestinationOrDtypeOrDisposed_Throws()
    {
        const string json =
            "{\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,12]}}";
        string path = _dir.File("int.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File(json, new byte[12]));
        var file = SafetensorsFile.Open(path);
        Should.Throw<SafetensorsFormatException>(() => file.ReadDoubles("i"));
        Should.Throw<ArgumentException>(() => file.ReadDoubles("d", new double[2]));
        Should.Throw<KeyNotFoundException>(() => file.ReadDoubles("missing"));
        file.Dispose();
        Should.Throw<ObjectDisposedException>(() => file.ReadDoubles("d"));
    }

    [Fact]
    public void FromDoubles_ShapeDisagreesWithData_Throws()
    {
        Should.Throw<ArgumentException>(() => SafetensorsEntry.FromDoubles("x", new double[5], 2, 3));
        Should.Throw<ArgumentException>(() => SafetensorsEntry.FromDoubles("x", new double[0], -1));
        SafetensorsEntry.FromDoubles("x", new double[6], 2, 3).ByteLength.ShouldBe(48);
    }

    [Fact]
    public void Write_SameNameAsF32AndF64_ThrowsAndWritesNothing()
    {
        string path = _dir.File("dup.safetensors");
        Should.Throw<ArgumentException>(() => SafetensorsWriter.Write(path,
            [SafetensorsEntry.FromSingles("a", new Tensor(1)), SafetensorsEntry.FromDoubles("a", new double[1], 1)]));
        Directory.GetFiles(_dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void ToDouble_SixteenBitPatterns_FastMatchesNaiveAndCasts()
    {
        var bytes = new byte[65536 * 2];
        for (int i = 0; i < 65536; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)i);
        foreach (var dtype in new[] { SafetensorsDType.F16, SafetensorsDType.BF16 })
        {
            var fast = new double[65536];
            var naive = new double[65536];
            fixed (byte* p = bytes)
            {
                SafetensorsConversion.ToDouble(dtype, p, fast);
                SafetensorsConversion.ToDoubleReference(dtype, p, naive);
            }
            var expected = new double[65536];
            for (int i = 0; i < 65536; i++)
                expected[i] = dtype == SafetensorsDType.F16 ? (double)BitConverter.UInt16BitsToHalf((ushort)i) : BitConverter.UInt32BitsToSingle((uint)i << 16);
            ShouldMatchBits(fast, expected);
            ShouldMatchBits(naive, expected);
        }
    }

    [Fact]
    public void ToDouble_F32AndF64_FastMatchesNaiveBitwise()
    {
        var rng = new Rng(5);
        var singles = new float[257];
        var doubles = new double[257];
        for (int i = 0; i < singles.Length; i++)
        {
            singles[i] = BitConverter.UInt32BitsToSingle((uint)rng.NextUInt64());
            doubles[i] = BitConverter.UInt64BitsToDouble(rng.NextUInt64());
        }
        foreach (var (dtype, bytes, expected) in new[]
        {
            (SafetensorsDType.F32, SafetensorsBytes.Singles(singles), singles.Select(v => (double)v).ToArray()),
            (SafetensorsDType.F64, SafetensorsBytes.Doubles(doubles), doubles),
        })
        {
            var fast = new double[257];
            var naive = new double[257];
            fixed (byte* p = bytes)
            {
                SafetensorsConversion.ToDouble(dtype, p, fast);
                SafetensorsConversion.ToDoubleReference(dtype, p, naive);
            }
            ShouldMatchBits(fast, expected);
            ShouldMatchBits(naive, expected);
        }
        Should.Throw<ArgumentOutOfRangeException>(() => ToDouble(SafetensorsDType.I32, new byte[4], new double[1]));
    }

    private static void ToDouble(SafetensorsDType dtype, byte[] bytes, double[] destination)
    {
        fixed (byte* p = bytes) SafetensorsConversion.ToDouble(dtype, p, destination);
    }
}
