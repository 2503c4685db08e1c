// Mutation tests of ImageFile on crafted PNG and JPEG bytes: truncations, bit flips, overwritten bytes and huge
// declared sizes (PNG chunks also re-checksummed so corruption reaches the inflater and filters). Every outcome must
// be a decoded image or a DataFormatException, each within a second; the seeded mutations are the same on every run.
using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;
using TaskVectors.Data;

namespace TaskVectors.Tests.Data;

public sealed class ImageFileMutationTests
{
    private static readonly ImageLimits Limits = new() { MaxPixels = 4_000_000, MaxWidth = 8192, MaxHeight = 8192 };

    private static byte[] Seed(string format)
    {
        using var image = Image.Load(Fixtures.PathOf("images", "rocket.jpg"));
        image.Mutate(x => x.Resize(72, 48));
        using var stream = new MemoryStream();
        if (format == "png") image.SaveAsPng(stream); else image.SaveAsJpeg(stream);
        return stream.ToArray();
    }

    [Theory]
    [InlineData("png", 2500)]
    [InlineData("jpeg", 2500)]
    public void DecodeRgb_MutatedFiles_DecodeOrThrowDataFormatExceptionQuickly(string format, int count)
    {
        var seed = Seed(format);
        var rng = new Random(format == "png" ? 11 : 23);
        int decoded = 0, refused = 0;
        double slowest = 0;
        var total = Stopwatch.StartNew();
        for (int m = 0; m < count; m++)
        {
            var bytes = Mutate(seed, rng, format, out string kind);
            var watch = Stopwatch.StartNew();
            try
            {
                var (rgb, width, height) = ImageFile.DecodeRgb(bytes, $"{format}#{m}", Limits);
                rgb.Length.ShouldBe(width * height * 3);
                decoded++;
            }
            catch (DataFormatException e)
            {
                e.Path.ShouldBe($"{format}#{m}");
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {m} ({kind}) threw {e.GetType().Name}: {e.Message}");
            }
            slowest = Math.Max(slowest, watch.Elapsed.TotalSeconds);
            Assert.True(watch.Elapsed.TotalSeconds < 1.0, $"mutation {m} ({kind}) took {watch.Elapsed.TotalSeconds:F2} s");
        }
        // Both outcomes occur, so the mutations neither all break the header nor all miss the data.
        decoded.ShouldBeGreaterThan(0);
        refused.ShouldBeGreaterThan(0);
        Console.WriteLine($"{format}: {count} mutations, {decoded} decoded, {refused} refused, slowest {slowest * 1000:F0} ms, total {total.Elapsed.TotalSeconds:F1} s");
    }

    private static byte[] Mutate(byte[] seed, Random rng, string format, out string kind)
    {
        var bytes = (byte[])seed.Clone();
        switch (rng.Next(5))
        {
            case 0:
                kind = "truncation";
                return bytes[..rng.Next(bytes.Length)];
            case 1:
                kind = "bit flips";
                for (int k = rng.Next(1, 9); k > 0; k--) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                break;
            case 2:
                kind = "overwritten bytes";
                int at = rng.Next(bytes.Length - 4);
                for (int k = 0; k < 4; k++) bytes[at + k] = (byte)(rng.Next(2) == 0 ? 0xFF : rng.Next(256));
                break;
            case 3:
                kind = "huge declared size";
                SetDeclaredSize(bytes, format, rng.Next(2) == 0 ? 65_000 : rng.Next(1, 70_000), rng.Next(1, 70_000));
                break;
            default:
                kind = "bit flips in the first 64 bytes";
                for (int k = rng.Next(1, 4); k > 0; k--) bytes[rng.Next(Math.Min(64, bytes.Length))] ^= (byte)(1 << rng.Next(8));
                break;
        }
        // Half of the PNG mutations get valid chunk CRCs, so the corruption reaches decompression and filtering.
        if (format == "png" && rng.Next(2) == 0) FixPngCrcs(bytes);
        return bytes;
    }

    private static void SetDeclaredSize(byte[] bytes, string format, int width, int height)
    {
        if (format == "png")
        {
            // IHDR data starts at 16: width, height as big-endian int32.
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
            return;
        }
        // JPEG SOFn (FFC0–FFC2): length(2) precision(1) height(2) width(2).
        for (int i = 2; i + 9 < bytes.Length; i++)
            if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), (ushort)Math.Min(height, 65535));
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), (ushort)Math.Min(width, 65535));
                return;
            }
    }

    private static void FixPngCrcs(byte[] bytes)
    {
        int at = 8;
        while (at + 12 <= bytes.Length)
        {
            long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            if (length > bytes.Length - at - 12) return;
            uint crc = Crc32(bytes.AsSpan(at + 4, (int)length + 4));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at + 8 + (int)length), crc);
            at += 12 + (int)length;
        }
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
