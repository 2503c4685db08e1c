// VisionRow: the committed base and tasks load with the counts, labels and pixels of their IDX files (decoded here by
// hand), the prototype heads are the normalized class means of the base's embeddings (computed here one image at a
// time), the weights match their recorded SHA-256, and a missing or damaged file fails with the exception naming it.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using TaskVectors.Data;
using TaskVectors.MainJob.Vision;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.MainJob.Tests.Vision;

public sealed class VisionRowTests
{
    private static readonly Lazy<BenchmarkRow<Tensor>> Row = new(() => VisionRow.Load(VisionData.Root));

    [Fact]
    public void Load_CommittedData_TasksMatchHandDecodedIdxFiles()
    {
        var row = Row.Value;
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(VisionData.Root, "vision-tasks", "tasks.json")));
        var entries = manifest.RootElement.EnumerateArray().ToList();
        row.Name.ShouldBe("vision");
        row.Tasks.Select(t => t.Name).ShouldBe(["mnist", "emoji", "textures", "opencv-digits"]);
        for (int t = 0; t < row.Tasks.Count; t++)
        {
            var task = row.Tasks[t];
            int classes = entries[t].GetProperty("classes").GetArrayLength();
            task.Head.Classes.ShouldBe(classes, task.Name);
            var splits = new[] { task.Train, task.Validation!, task.Test! };
            for (int s = 0; s < 3; s++)
            {
                string split = VisionRow.Splits[s], dir = Path.Combine(VisionData.Root, "vision-tasks", task.Name);
                var (imageDims, pixels) = Decode(Path.Combine(dir, $"{split}-images-idx3-ubyte.gz"), magic: 0x0803);
                var (labelDims, labels) = Decode(Path.Combine(dir, $"{split}-labels-idx1-ubyte.gz"), magic: 0x0801);
                imageDims.ShouldBe([labelDims[0], 28, 28], $"{task.Name} {split}");
                labelDims[0].ShouldBe(entries[t].GetProperty("counts").GetProperty(split).GetInt32(), $"{task.Name} {split}");
                var data = (ImageData)splits[s];
                data.Count.ShouldBe(labelDims[0]);
                data.Classes.ShouldBe(classes);
                data.Images.Shape.ToArray().ShouldBe([labelDims[0], 1, 28, 28]);
                for (int i = 0; i < data.Count; i++)
                    if (data.Label(i) != labels[i]) Assert.Fail($"{task.Name} {split}: label {i} is {data.Label(i)}, the file says {labels[i]}");
                var values = data.Images.Span;
                int bad = 0;
                for (int i = 0; i < pixels.Length; i++) if (values[i] != pixels[i] / 255f) bad++;
                bad.ShouldBe(0, $"{task.Name} {split}: {bad} of {pixels.Length} pixels differ from byte/255");
                if (s == 0) Enumerable.Range(0, classes).All(k => labels.Contains((byte)k)).ShouldBeTrue($"{task.Name}: every class has training images");
            }
        }
    }

    [Fact]
    public void Load_CommittedData_HeadsAreNormalizedClassMeansOfBaseEmbeddings()
    {
        var row = Row.Value;
        foreach (var task in row.Tasks)
        {
            var train = (ImageData)task.Train;
            int dim = row.Base.EmbeddingDim;
            var sums = new double[train.Classes, dim];
            var one = train.CreateBatch(1);
            for (int i = 0; i < train.Count; i++)
            {
                train.Fill(one, [i]);
                var f = row.Base.Forward(one).Span;
                for (int d = 0; d < dim; d++) sums[train.Label(i), d] += f[d];
            }
            var head = task.Head.Weight.Value.Span;
            double max = 0;
            for (int k = 0; k < train.Classes; k++)
            {
                double norm = Math.Sqrt(Enumerable.Range(0, dim).Sum(d => sums[k, d] * sums[k, d]));
                for (int d = 0; d < dim; d++) max = Math.Max(max, Math.Abs(head[k * dim + d] - sums[k, d] / norm));
            }
            max.ShouldBeLessThan(1e-5, $"{task.Name}: max |head − normalized class mean|");
            task.Head.LogitScale.ShouldBe(VisionRow.DefaultLogitScale);
        }
    }

    [Fact]
    public void Weights_Committed_Sha256MatchesRecordedHash()
    {
        string path = VisionRow.WeightsPath(VisionData.Root);
        string recorded = File.ReadAllText(path + ".sha256").Split(' ')[0];
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))).ShouldBe(recorded);
        recorded.Length.ShouldBe(64);
    }

    [Fact]
    public void LoadBase_Committed_ConfigFromMetadataAndEveryParameterLoaded()
    {
        var model = VisionRow.LoadBase(VisionData.Root);
        model.Config.ImageSize.ShouldBe(28);
        model.Config.Channels.ShouldBe(1);
        using var file = IO.SafetensorsFile.Open(VisionRow.WeightsPath(VisionData.Root));
        file.Tensors.Count.ShouldBe(model.Parameters.Count);
        foreach (var p in model.Parameters)
            file.ReadTensor(p.Name).Span.SequenceEqual(p.Value.Span).ShouldBeTrue(p.Name);
    }

    [Fact]
    public void Load_MissingWeights_ThrowsNamingTheFile()
    {
        using var root = VisionData.Copy();
        string weights = VisionRow.WeightsPath(root.Path);
        File.Delete(weights);
        Should.Throw<VisionRowDataException>(() => VisionRow.Load(root.Path)).FilePath.ShouldBe(weights);
    }

    [Fact]
    public void Load_DamagedWeights_ThrowsNamingTheFile()
    {
        using var root = VisionData.Copy();
        string weights = VisionRow.WeightsPath(root.Path);
        FlipLastByte(weights);
        var e = Should.Throw<VisionRowDataException>(() => VisionRow.Load(root.Path));
        e.FilePath.ShouldBe(weights);
        e.Message.ShouldContain("SHA-256");
    }

    [Fact]
    public void Load_WeightsNotSafetensorsWithMatchingHash_ThrowsNamingTheFile()
    {
        using var root = VisionData.Copy();
        string weights = VisionRow.WeightsPath(root.Path);
        File.WriteAllBytes(weights, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        File.WriteAllText(weights + ".sha256", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights))) + "  model.safetensors\n");
        var e = Should.Throw<VisionRowDataException>(() => VisionRow.Load(root.Path));
        e.FilePath.ShouldBe(weights);
        e.InnerException.ShouldBeOfType<IO.SafetensorsFormatException>();
    }

    [Fact]
    public void Load_DamagedTaskFile_ThrowsNamingTheFile()
    {
        using var root = VisionData.Copy();
        string images = Path.Combine(VisionRow.TasksPath(root.Path), "opencv-digits", "test-images-idx3-ubyte.gz");
        FlipLastByte(images);
        Should.Throw<VisionRowDataException>(() => VisionRow.Load(root.Path)).FilePath.ShouldBe(images);
    }

    [Fact]
    public void Load_MissingTaskFile_ThrowsNamingTheFile()
    {
        using var root = VisionData.Copy();
        string labels = Path.Combine(VisionRow.TasksPath(root.Path), "textures", "validation-labels-idx1-ubyte.gz");
        File.Delete(labels);
        Should.Throw<VisionRowDataException>(() => VisionRow.Load(root.Path)).FilePath.ShouldBe(labels);
    }

    [Fact]
    public void Load_MissingManifest_ThrowsNamingTheFile()
    {
        using var root = VisionData.Copy();
        string manifest = Path.Combine(VisionRow.TasksPath(root.Path), "tasks.json");
        File.Delete(manifest);
        Should.Throw<VisionRowDataException>(() => VisionRow.Load(root.Path)).FilePath.ShouldBe(manifest);
    }

    [Fact]
    public void Load_TaskSubset_LoadsThoseInThatOrderAndRejectsUnknownOrRepeated()
    {
        var row = VisionRow.Load(VisionData.Root, new VisionRowOptions { Tasks = ["textures", "mnist"], LogitScale = 10f });
        row.Tasks.Select(t => t.Name).ShouldBe(["textures", "mnist"]);
        row.Tasks.ShouldAllBe(t => t.Head.LogitScale == 10f);
        Should.Throw<ArgumentException>(() => VisionRow.Load(VisionData.Root, new VisionRowOptions { Tasks = ["svhn"] })).Message.ShouldContain("svhn");
        Should.Throw<ArgumentException>(() => VisionRow.Load(VisionData.Root, new VisionRowOptions { Tasks = ["mnist", "mnist"] })).Message.ShouldContain("twice");
        Should.Throw<ArgumentOutOfRangeException>(() => new VisionRowOptions { LogitScale = float.NaN });
    }

    // IDX by hand: gzip, then 00 00 <type 08> <rank>, rank big-endian int32 dimensions, the bytes.
    private static (int[] Dims, byte[] Data) Decode(string path, int magic)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        var bytes = buffer.ToArray();
        BinaryPrimitives.ReadInt32BigEndian(bytes).ShouldBe(magic, path);
        int rank = magic & 0xFF;
        var dims = Enumerable.Range(0, rank).Select(d => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d))).ToArray();
        var data = bytes[(4 + 4 * rank)..];
        data.Length.ShouldBe(dims.Aggregate(1, (a, b) => a * b), path);
        return (dims, data);
    }

    private static void FlipLastByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x55;
        File.WriteAllBytes(path, bytes);
    }
}
