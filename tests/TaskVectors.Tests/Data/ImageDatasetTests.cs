// Tests of the image data sets: IDX (raw and gzip, hand-written bytes), NPY (hand-written headers), image folders
// (class order, bad layouts), seeded splits and the batch prefetcher's deterministic order and error propagation.
using System.IO.Compression;
using System.Text;
using TaskVectors.Data;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Data;

public sealed class ImageDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(_dir, name);
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
        return path;
    }

    private static byte[] Idx(byte rank, int[] dims, byte[] data)
    {
        var header = new List<byte> { 0, 0, 0x08, rank };
        foreach (int d in dims) header.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return [.. header, .. data];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxLoad_TwoImages_PixelsOver255AndLabels(bool gzip)
    {
        var pixels = new byte[] { 0, 255, 51, 102, 10, 20, 30, 40, 50, 60, 70, 80 }; // 2 images of 2 × 3
        string images = Write("img.idx", Idx(3, [2, 2, 3], pixels), gzip);
        string labels = Write("lab.idx", Idx(1, [2], [7, 3]), gzip);
        var data = IdxFile.Load(images, labels);
        data.Images.Shape.ToArray().ShouldBe([2, 1, 2, 3]);
        data.Images.Span.ToArray().ShouldBe(pixels.Select(p => p / 255f).ToArray());
        (data.Label(0), data.Label(1)).ShouldBe((7, 3));
    }

    [Fact]
    public void IdxLoad_BadFiles_ThrowNamingTheFile()
    {
        string labels = Write("lab.idx", Idx(1, [2], [1, 2]));
        string truncated = Write("trunc.idx", Idx(3, [2, 2, 3], new byte[11]));
        Should.Throw<DataFormatException>(() => IdxFile.Load(truncated, labels)).Path.ShouldBe(truncated);
        string huge = Write("huge.idx", Idx(3, [1 << 20, 1 << 10, 1 << 10], new byte[12]));
        Should.Throw<DataFormatException>(() => IdxFile.Load(huge, labels)).Message.ShouldContain("more than one array");
        string ok = Write("ok.idx", Idx(3, [2, 2, 3], new byte[12]));
        string badLabel = Write("badlab.idx", Idx(1, [2], [1, 12]));
        Should.Throw<DataFormatException>(() => IdxFile.Load(ok, badLabel)).Message.ShouldContain("label 12");
        string fewer = Write("fewer.idx", Idx(1, [1], [1]));
        Should.Throw<DataFormatException>(() => IdxFile.Load(ok, fewer)).Path.ShouldBe(fewer);
        string notIdx = Write("x.idx", Encoding.ASCII.GetBytes("hello world"));
        Should.Throw<DataFormatException>(() => IdxFile.Load(notIdx, labels)).Message.ShouldContain("not an IDX");
    }

    private static byte[] Npy(string descr, string shape, byte[] data)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight(((10 + header.Length + 1 + 63) / 64) * 64 - 10 - 1) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, (byte)(header.Length >> 8), .. Encoding.ASCII.GetBytes(header), .. data];
    }

    [Fact]
    public void NpyLoadImages_ChannelsLastUInt8_TransposedAndScaled()
    {
        // One 2 × 1 image with 3 channels, (N, H, W, C): pixel 0 = (1, 2, 3), pixel 1 = (4, 5, 6).
        string images = Write("x.npy", Npy("|u1", "(1, 2, 1, 3)", [1, 2, 3, 4, 5, 6]));
        string labels = Write("y.npy", Npy("<i8", "(1,)", BitConverter.GetBytes(2L)));
        var data = NpyFile.LoadImages(images, labels, classes: 3);
        data.Images.Shape.ToArray().ShouldBe([1, 3, 2, 1]);
        data.Images.Span.ToArray().ShouldBe(new float[] { 1, 4, 2, 5, 3, 6 }.Select(v => v / 255f).ToArray());
        data.Label(0).ShouldBe(2);
    }

    [Fact]
    public void NpyRead_Float32_ValuesAndShape()
    {
        var values = new float[] { 1.5f, -2f, 0.25f, 8f };
        string path = Write("f.npy", Npy("<f4", "(2, 2)", values.SelectMany(BitConverter.GetBytes).ToArray()));
        var (shape, type, read) = NpyFile.Read(path);
        shape.ShouldBe([2, 2]);
        type.ShouldBe("f4");
        read.ShouldBe(values);
    }

    [Fact]
    public void NpyRead_BadFiles_Throw()
    {
        Should.Throw<DataFormatException>(() => NpyFile.Read(Write("a.npy", Npy("<f4", "(3,)", new byte[8])))).Message.ShouldContain("needs 12 bytes");
        Should.Throw<DataFormatException>(() => NpyFile.Read(Write("b.npy", Npy(">f4", "(1,)", new byte[4])))).Message.ShouldContain("unsupported dtype");
        Should.Throw<DataFormatException>(() => NpyFile.Read(Write("c.npy", "not numpy"u8.ToArray()))).Message.ShouldContain("bad magic");
        string nan = Write("n.npy", Npy("<f4", "(1, 1, 1)", BitConverter.GetBytes(float.NaN)));
        string label = Write("l.npy", Npy("<i4", "(1,)", BitConverter.GetBytes(0)));
        Should.Throw<DataFormatException>(() => NpyFile.LoadImages(nan, label, 2)).Path.ShouldBe(nan);
        string badLabel = Write("bl.npy", Npy("<i4", "(1,)", BitConverter.GetBytes(5)));
        Should.Throw<DataFormatException>(() => NpyFile.LoadImages(Write("ok.npy", Npy("|u1", "(1, 1, 1)", [9])), badLabel, 2)).Message.ShouldContain("label 5");
    }

    private string Folder(params (string Class, string[] Files)[] classes)
    {
        string root = Path.Combine(_dir, "root" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var (name, files) in classes)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            foreach (string file in files)
                File.Copy(Fixtures.PathOf("images", "formats." + file.Split('.')[1]), Path.Combine(root, name, file));
        }
        return root;
    }

    [Fact]
    public void ImageFolderLoad_ClassesInOrdinalOrder_DecodesAllFormats()
    {
        string root = Folder(("zebra", ["b.png", "a.gif"]), ("Apple", ["x.bmp", "y.webp"]));
        File.WriteAllText(Path.Combine(root, "zebra", "notes.txt"), "not an image");
        var data = ImageFolder.Load(root, ImagePreprocessing.Gray(16));
        data.ClassNames.ShouldBe(["Apple", "zebra"]);
        data.Count.ShouldBe(4);
        Enumerable.Range(0, 4).Select(i => Path.GetFileName(data.Path(i))).ShouldBe(["x.bmp", "y.webp", "a.gif", "b.png"]);
        Enumerable.Range(0, 4).Select(data.Label).ShouldBe([0, 0, 1, 1]);
        var images = data.Materialize().Images;
        images.Shape.ToArray().ShouldBe([4, 1, 16, 16]);
        // The four files hold the same pixels, so the four tensors are equal.
        for (int i = 1; i < 4; i++) images.Span.Slice(i * 256, 256).ToArray().ShouldBe(images.Span[..256].ToArray());
    }

    [Fact]
    public void ImageFolderLoad_BadLayouts_Throw()
    {
        Should.Throw<DirectoryNotFoundException>(() => ImageFolder.Load(Path.Combine(_dir, "missing"), ImagePreprocessing.Gray()));
        string empty = Folder();
        Directory.CreateDirectory(empty);
        Should.Throw<DataFormatException>(() => ImageFolder.Load(empty, ImagePreprocessing.Gray())).Message.ShouldContain("no class folders");
        string emptyClass = Folder(("a", ["x.png"]), ("b", []));
        Should.Throw<DataFormatException>(() => ImageFolder.Load(emptyClass, ImagePreprocessing.Gray())).Message.ShouldContain("'b' holds no image");
        string corrupt = Folder(("a", ["x.png"]));
        File.WriteAllBytes(Path.Combine(corrupt, "a", "y.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var data = ImageFolder.Load(corrupt, ImagePreprocessing.Gray());
        Should.Throw<DataFormatException>(() => data.Materialize()).Path.ShouldEndWith("y.png");
    }

    [Fact]
    public void Load_OverLimits_RefusedFromTheHeader()
    {
        string path = Fixtures.PathOf("images", "chelsea.png"); // 226 × 150
        var limits = new ImageLimits { MaxPixels = 226 * 150 - 1 };
        Should.Throw<DataFormatException>(() => ImageFile.Load(path, ImagePreprocessing.Clip(), limits)).Message.ShouldContain("226 × 150");
        Should.Throw<DataFormatException>(() => ImageFile.Load(path, ImagePreprocessing.Clip(), new ImageLimits { MaxFileBytes = 1000 })).Message.ShouldContain("byte limit");
        ImageFile.Identify(path).ShouldBe((226, 150, "PNG"));
    }

    [Fact]
    public void Split_SameSeed_SameDisjointCover()
    {
        var (train, validation, test) = DataSplit.Split(101, 0.1, 0.2, seed: 5);
        (train.Length, validation.Length, test.Length).ShouldBe((71, 10, 20));
        train.Concat(validation).Concat(test).Order().ShouldBe(Enumerable.Range(0, 101));
        DataSplit.Split(101, 0.1, 0.2, seed: 5).Test.ShouldBe(test);
        DataSplit.Split(101, 0.1, 0.2, seed: 6).Test.ShouldNotBe(test);
        Should.Throw<ArgumentOutOfRangeException>(() => DataSplit.Split(10, 0.5, 0.5, 1));
    }

    [Fact]
    public void Prefetcher_Batches_EqualDirectSamplerOrder()
    {
        var images = new Tensor(10, 1, 1, 2);
        for (int i = 0; i < 20; i++) images.Span[i] = i;
        var data = new ImageData(images, Enumerable.Range(0, 10).Select(i => i % 3).ToArray(), 3, "toy");
        var sampler = new EpochSampler(10, 42);
        using var prefetcher = new BatchPrefetcher<Tensor>(data, batchSize: 4, seed: 42, depth: 2);
        var indices = new int[4];
        var expected = data.CreateBatch(4);
        for (int k = 0; k < 7; k++) // crosses epoch boundaries
        {
            var (batch, labels) = prefetcher.Next();
            sampler.Fill(k * 4L, indices);
            data.Fill(expected, indices);
            batch.Span.ToArray().ShouldBe(expected.Span.ToArray());
            labels.ShouldBe(indices.Select(i => i % 3).ToArray());
        }
    }

    [Fact]
    public void Prefetcher_CorruptFile_RethrowsDataFormatException()
    {
        string root = Folder(("a", ["x.png"]), ("b", ["y.png"]));
        File.WriteAllBytes(Path.Combine(root, "b", "y.png"), [1, 2, 3]);
        using var prefetcher = new BatchPrefetcher<Tensor>(ImageFolder.Load(root, ImagePreprocessing.Gray()), batchSize: 2, seed: 1);
        Should.Throw<DataFormatException>(() => prefetcher.Next()).Path.ShouldEndWith("y.png");
    }
}
