// Tests of ImageFile + ImagePreprocessing against PIL reference tensors written by bench/inputs/image_reference.py
// (torchvision's CLIP transform rules on PIL 9.4), of BicubicResample against its naive twin, and of decoding all formats.
using TaskVectors.Data;

namespace TaskVectors.Tests.Data;

public sealed class ImagePreprocessingTests
{
    private const double Tolerance = 2.0 / 255.0;

    // Reference (C, n, n) uint8 → expected normalized floats, with the preset's constants.
    private static float[] Expected(string referenceFile, ImagePreprocessing p)
    {
        var (shape, type, values) = NpyFile.Read(Fixtures.PathOf("images", referenceFile));
        type.ShouldBe("u1");
        shape.ShouldBe([p.Channels, p.Size, p.Size]);
        int plane = p.Size * p.Size;
        return values.Select((v, i) => (v / 255f - p.Mean[i / plane]) / p.Std[i / plane]).ToArray();
    }

    [Theory]
    [InlineData("chelsea.png", "chelsea.clip224.u8.npy", 224)]
    [InlineData("chelsea.png", "chelsea.clip96.u8.npy", 96)]
    [InlineData("coffee.png", "coffee.clip96.u8.npy", 96)]
    [InlineData("rocket.jpg", "rocket.clip96.u8.npy", 96)]
    public void Load_ClipPreset_WithinTwoLevelsOfPil(string image, string reference, int size)
    {
        var p = ImagePreprocessing.Clip(size);
        var tensor = ImageFile.Load(Fixtures.PathOf("images", image), p);
        tensor.Shape.ToArray().ShouldBe([1, 3, size, size]);
        var expected = Expected(reference, p);
        // Compare in pixel units: the normalized difference times the channel's std.
        var actual = tensor.Span.ToArray();
        int plane = size * size;
        for (int i = 0; i < actual.Length; i++) { actual[i] *= p.Std[i / plane]; expected[i] *= p.Std[i / plane]; }
        var (max, summary) = Fixtures.Compare(actual, expected, Tolerance);
        Assert.True(max <= Tolerance, summary);
    }

    [Fact]
    public void Load_ClipPreset_MatchesPilNormalizedTensor()
    {
        var tensor = ImageFile.Load(Fixtures.PathOf("images", "chelsea.png"), ImagePreprocessing.Clip(96));
        var (shape, type, reference) = NpyFile.Read(Fixtures.PathOf("images", "chelsea.clip96.npy"));
        shape.ShouldBe([1, 3, 96, 96]);
        type.ShouldBe("f4");
        // std ≈ 0.27: 2/255 in pixels is ≈ 0.03 after normalization.
        var (max, summary) = Fixtures.Compare(tensor.Span, reference, Tolerance / 0.26);
        Assert.True(max <= Tolerance / 0.26, summary);
    }

    [Theory]
    [InlineData("chelsea.png")]
    [InlineData("coffee.png")]
    [InlineData("rocket.jpg")]
    public void Load_GrayPreset_WithinTwoLevelsOfPil(string image)
    {
        var p = ImagePreprocessing.Gray(28);
        var tensor = ImageFile.Load(Fixtures.PathOf("images", image), p);
        tensor.Shape.ToArray().ShouldBe([1, 1, 28, 28]);
        var (max, summary) = Fixtures.Compare(tensor.Span, Expected(Path.ChangeExtension(image, null) + ".gray28.u8.npy", p), Tolerance);
        Assert.True(max <= Tolerance, summary);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("bmp")]
    [InlineData("gif")]
    [InlineData("webp")]
    public void DecodeRgb_LosslessFormats_EqualPilPixels(string extension)
    {
        var (rgb, width, height) = ImageFile.DecodeRgb(Fixtures.PathOf("images", "formats." + extension));
        var (shape, _, expected) = NpyFile.Read(Fixtures.PathOf("images", "formats.rgb.npy"));
        shape.ShouldBe([height, width, 3]);
        rgb.Select(b => (float)b).ToArray().ShouldBe(expected);
    }

    [Fact]
    public void Load_Stream_SameAsFile()
    {
        string path = Fixtures.PathOf("images", "rocket.jpg");
        using var stream = File.OpenRead(path);
        var fromStream = ImageFile.Load(stream, "rocket", ImagePreprocessing.Clip(64));
        fromStream.Span.ToArray().ShouldBe(ImageFile.Load(path, ImagePreprocessing.Clip(64)).Span.ToArray());
    }

    [Theory]
    [InlineData(37, 23, 11, 7)]    // downscale both axes (antialiased)
    [InlineData(9, 13, 30, 41)]    // upscale both axes
    [InlineData(40, 10, 40, 3)]    // vertical only
    [InlineData(64, 48, 17, 48)]   // horizontal only
    [InlineData(5, 5, 1, 1)]
    public void Resize_RandomPixels_WithinOneLevelOfNaiveTwin(int width, int height, int outWidth, int outHeight)
    {
        var rng = new Random(width * 1000 + height);
        foreach (int channels in new[] { 1, 3 })
        {
            var source = new byte[width * height * channels];
            rng.NextBytes(source);
            var fast = new byte[outWidth * outHeight * channels];
            BicubicResample.Resize(source, width, height, channels, fast, outWidth, outHeight);
            var naive = BicubicResampleReference.Resize(source, width, height, channels, outWidth, outHeight);
            int worst = fast.Zip(naive, (a, b) => Math.Abs(a - b)).Max();
            // Fixed-point weights vs double: a rounding boundary may flip by one level, never more.
            worst.ShouldBeLessThanOrEqualTo(1, $"{width}x{height}→{outWidth}x{outHeight}x{channels}");
        }
    }

    [Fact]
    public void Resize_ConstantImage_StaysConstant()
    {
        var source = Enumerable.Repeat((byte)173, 31 * 17 * 3).ToArray();
        var output = new byte[8 * 5 * 3];
        BicubicResample.Resize(source, 31, 17, 3, output, 8, 5);
        output.ShouldAllBe(b => b == 173);
    }

    [Fact]
    public void ResizedSize_FollowsTorchvisionRule()
    {
        var p = ImagePreprocessing.Clip(224);
        p.ResizedSize(226, 150).ShouldBe((337, 224)); // int(224 · 226 / 150) = 337
        p.ResizedSize(150, 226).ShouldBe((224, 337));
        p.ResizedSize(500, 500).ShouldBe((224, 224));
    }

    [Fact]
    public void Constructor_BadSettings_Throw()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new ImagePreprocessing(224, 200, false, [0, 0, 0], [1, 1, 1]));
        Should.Throw<ArgumentException>(() => new ImagePreprocessing(28, 28, true, [0, 0, 0], [1]));
        Should.Throw<ArgumentException>(() => new ImagePreprocessing(28, 28, true, [0], [0]));
        Should.Throw<ArgumentException>(() => new ImagePreprocessing(28, 28, true, [float.NaN], [1]));
    }
}
