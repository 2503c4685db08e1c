// Tests of SafetensorsConversion: each fast kernel against its naive twin and the exact math
// (F16 and BF16 over all 65536 bit patterns, F64 over random and special values), odd lengths included.
using System.Buffers.Binary;
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

public unsafe class SafetensorsConversionTests
{
    private static float[] Fast(SafetensorsDType dtype, byte[] bytes, int n)
    {
        var result = new float[n];
        fixed (byte* p = bytes) SafetensorsConversion.ToSingle(dtype, p, result);
        return result;
    }

    private static float[] Naive(SafetensorsDType dtype, byte[] bytes, int n)
    {
        var result = new float[n];
        fixed (byte* p = bytes) SafetensorsConversion.ToSingleReference(dtype, p, result);
        return result;
    }

    private static byte[] AllSixteenBitPatterns()
    {
        var bytes = new byte[65536 * 2];
        for (int i = 0; i < 65536; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)i);
        return bytes;
    }

    // NaN payloads may legitimately differ between vector and scalar paths; NaN-ness may not (ArrayAssert's rule).
    private static void ShouldMatchBits(float[] actual, float[] expected) => ArrayAssert.BitIdentical(actual, expected);

    [Fact]
    public void ToSingle_F16AllPatterns_MatchesHalfCast()
    {
        byte[] bytes = AllSixteenBitPatterns();
        var expected = new float[65536];
        for (int i = 0; i < 65536; i++) expected[i] = (float)BitConverter.UInt16BitsToHalf((ushort)i);
        ShouldMatchBits(Fast(SafetensorsDType.F16, bytes, 65536), expected);
        ShouldMatchBits(Naive(SafetensorsDType.F16, bytes, 65536), expected);
    }

    [Fact]
    public void ToSingle_BF16AllPatterns_ExactUpperHalf()
    {
        byte[] bytes = AllSixteenBitPatterns();
        var fast = Fast(SafetensorsDType.BF16, bytes, 65536);
        var naive = Naive(SafetensorsDType.BF16, bytes, 65536);
        for (int i = 0; i < 65536; i++)
        {
            BitConverter.SingleToUInt32Bits(fast[i]).ShouldBe((uint)i << 16);
            BitConverter.SingleToUInt32Bits(naive[i]).ShouldBe((uint)i << 16);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(1000)]
    public void BFloat16ToSingle_OddLengths_VectorAndTailAgree(int n)
    {
        var rng = new Rng((ulong)n);
        var source = new ushort[n];
        for (int i = 0; i < n; i++) source[i] = (ushort)rng.NextInt(65536);
        var destination = new float[n + 1];
        destination[n] = 42f;
        SafetensorsConversion.BFloat16ToSingle(source, destination);
        for (int i = 0; i < n; i++) BitConverter.SingleToUInt32Bits(destination[i]).ShouldBe((uint)source[i] << 16);
        destination[n].ShouldBe(42f); // Nothing written past n.
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(1023)]
    public void ToSingle_F64_RoundsToNearestLikeCast(int n)
    {
        var rng = new Rng(99);
        double[] special = [0.0, -0.0, 1e-320, -1e-46, 1e39, -1e39, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 0.1, 1.0 + 1e-9, 3.4028235677973366e38];
        var values = new double[n];
        for (int i = 0; i < n; i++)
            values[i] = i < special.Length && n > special.Length ? special[i] : (rng.NextDouble() - 0.5) * Math.Pow(2, rng.NextInt(200) - 100);
        byte[] bytes = SafetensorsBytes.Doubles(values);
        var expected = values.Select(v => (float)v).ToArray();
        ShouldMatchBits(Fast(SafetensorsDType.F64, bytes, n), expected);
        ShouldMatchBits(Naive(SafetensorsDType.F64, bytes, n), expected);
    }

    [Fact]
    public void ToSingle_F32_CopiesBits()
    {
        var rng = new Rng(5);
        var values = new float[101];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.UInt32BitsToSingle((uint)rng.NextUInt64());
        byte[] bytes = SafetensorsBytes.Singles(values);
        ShouldMatchBits(Fast(SafetensorsDType.F32, bytes, values.Length), values);
        ShouldMatchBits(Naive(SafetensorsDType.F32, bytes, values.Length), values);
    }

    [Fact]
    public void ToSingle_UnsupportedDtype_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Fast(SafetensorsDType.I32, new byte[4], 1));
        SafetensorsDType.I32.IsReadableAsSingle().ShouldBeFalse();
        SafetensorsDType.BF16.IsReadableAsSingle().ShouldBeTrue();
    }

    [Fact]
    public void HeaderNames_RoundTripForEveryDtype()
    {
        foreach (var dtype in Enum.GetValues<SafetensorsDType>())
        {
            SafetensorsDTypeExtensions.TryParseHeaderName(dtype.GetHeaderName(), out var parsed).ShouldBeTrue();
            parsed.ShouldBe(dtype);
        }
        SafetensorsDType.F8E4M3.GetHeaderName().ShouldBe("F8_E4M3");
        SafetensorsDType.F4.GetBitSize().ShouldBe(4);
        SafetensorsDTypeExtensions.TryParseHeaderName("bf16", out _).ShouldBeFalse();
    }
}
