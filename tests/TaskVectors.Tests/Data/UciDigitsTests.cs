// Tests of UciDigits and ImageData.Subset on the shipped data set and on malformed files.
using TaskVectors.Data;

namespace TaskVectors.Tests.Data;

public sealed class UciDigitsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-digits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string ShippedPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "data", "optdigits", "digits.csv.gz");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("data/optdigits/digits.csv.gz not found");
    }

    [Fact]
    public void Load_ShippedFile_Has1797ImagesOfAllTenDigits()
    {
        var data = UciDigits.Load(ShippedPath());
        data.Count.ShouldBe(1797);
        data.Images.Shape.ToArray().ShouldBe([1797, 1, 8, 8]);
        Enumerable.Range(0, data.Count).Select(data.Label).Distinct().Order().ShouldBe(Enumerable.Range(0, 10));
        // The first image is a 0: its first row is "0,0,5,13,9,1,0,0".
        data.Label(0).ShouldBe(0);
        data.Images.Span[..8].ToArray().ShouldBe([0f, 0f, 5 / 16f, 13 / 16f, 9 / 16f, 1 / 16f, 0f, 0f]);
    }

    [Theory]
    [InlineData("1,2,3\n", "expected 65")]
    [InlineData("x", "expected 65")]
    public void Load_MalformedLine_ThrowsNamingFileAndLine(string content, string message)
    {
        string path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, string.Join(",", Enumerable.Repeat("0", 65)) + "\n" + content);
        var e = Should.Throw<InvalidDataException>(() => UciDigits.Load(path));
        e.Message.ShouldContain("bad.csv:2");
        e.Message.ShouldContain(message);
    }

    [Fact]
    public void Load_PixelOutOfRange_Throws()
    {
        string path = Path.Combine(_dir, "range.csv");
        File.WriteAllText(path, "17," + string.Join(",", Enumerable.Repeat("0", 64)) + "\n");
        Should.Throw<InvalidDataException>(() => UciDigits.Load(path)).Message.ShouldContain("pixel 0 is 17");
    }

    [Fact]
    public void Subset_CopiesPickedExamples_AndRelabels()
    {
        var data = UciDigits.Load(ShippedPath());
        var fives = Enumerable.Range(0, data.Count).Where(i => data.Label(i) >= 5).Take(10).ToList();
        var subset = data.Subset(fives, l => l - 5, 5, "high digits");
        subset.Count.ShouldBe(10);
        for (int k = 0; k < 10; k++)
        {
            subset.Label(k).ShouldBe(data.Label(fives[k]) - 5);
            ArrayAssert.Equal(subset.Images.Span.Slice(k * 64, 64), data.Images.Span.Slice(fives[k] * 64, 64));
        }
    }

    [Fact]
    public void Load_GzipCutAtAnyPoint_ThrowsNamingFile_NeverFewerImages()
    {
        byte[] whole = File.ReadAllBytes(ShippedPath());
        string path = Path.Combine(_dir, "cut.csv.gz");
        var silent = new List<int>();
        // Every cut point in the last 64 bytes (trailer and final deflate block) and every 31st before.
        var cuts = Enumerable.Range(1, whole.Length - 1).Where(c => c % 31 == 0 || c > whole.Length - 64);
        foreach (int cut in cuts)
        {
            File.WriteAllBytes(path, whole[..cut]);
            try
            {
                UciDigits.Load(path);
                silent.Add(cut);
            }
            catch (InvalidDataException e)
            {
                e.Message.ShouldContain("cut.csv.gz");
            }
        }
        silent.ShouldBeEmpty();
    }
    [Fact]
    public void Load_GzipWithFlippedDataByte_ThrowsNamingFile()
    {
        byte[] whole = File.ReadAllBytes(ShippedPath());
        whole[whole.Length / 2] ^= 0x10;
        string path = Path.Combine(_dir, "flipped.csv.gz");
        File.WriteAllBytes(path, whole);
        Should.Throw<InvalidDataException>(() => UciDigits.Load(path)).Message.ShouldContain("flipped.csv.gz");
    }

    [Fact]
    public void Load_PlainTextNamedGz_ThrowsNamingFileAndLine()
    {
        string path = Path.Combine(_dir, "plain.csv.gz");
        File.WriteAllText(path, string.Join(",", Enumerable.Repeat("0", 65)) + "\n");
        var e = Should.Throw<InvalidDataException>(() => UciDigits.Load(path));
        e.Message.ShouldContain("plain.csv.gz:1");
        e.Message.ShouldContain("gzip");
    }
}
