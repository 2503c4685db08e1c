// Reliability tests of factor files: malformed block lists (widths that overflow, duplicate block names)
// become InvalidDataException naming the file; non-finite factors are refused when estimated (naming the
// data set and block), saved (naming the file and block) and loaded (naming the file and tensor); and a
// mutation test: thousands of corruptions of a real factor file load validly or throw a documented
// exception naming the file.
using System.Globalization;
using System.Text.Json.Nodes;
using TaskVectors.Curvature;
using TaskVectors.IO;
using TaskVectors.Tests.IO;
using Xunit.Abstractions;

namespace TaskVectors.Tests.Curvature;

public sealed class FactorFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Rewrites a saved factor file with its metadata and tensors passed through the edits.
    private static void Rewrite(string path, Action<Dictionary<string, string>>? meta = null, Action<string, double[]>? tensor = null)
    {
        Dictionary<string, string> metadata;
        List<SafetensorsEntry> entries;
        using (var file = SafetensorsFile.Open(path))
        {
            metadata = file.Metadata.ToDictionary();
            entries = [.. file.Tensors.Select(t =>
            {
                var values = file.ReadDoubles(t.Name);
                tensor?.Invoke(t.Name, values);
                return SafetensorsEntry.FromDoubles(t.Name, values, [.. t.Shape]);
            })];
        }
        meta?.Invoke(metadata);
        SafetensorsWriter.Write(path, entries, metadata);
    }

    private string Saved(string name = "f.kfac.safetensors")
    {
        string path = _dir.File(name);
        SyntheticFactors.Random(1, 3).Save(path);
        return path;
    }

    private static void EditBlocks(Dictionary<string, string> metadata, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(metadata[TaskFactors.BlocksKey])!.AsObject();
        edit(root);
        metadata[TaskFactors.BlocksKey] = root.ToJsonString();
    }

    [Theory]
    [InlineData(int.MaxValue, 1)]
    [InlineData(1 << 30, 1 << 30)]
    [InlineData(46341, 0)]
    public void Load_MemberWidthsOverflow_ThrowsInvalidDataNamingFile(int first, int second)
    {
        string path = Saved();
        Rewrite(path, meta: m => EditBlocks(m, root =>
        {
            var members = root["kronecker"]![0]!["members"]!.AsArray();
            members[0]!["out"] = first;
            if (second > 0) members[1]!["out"] = second;
        }));
        Should.Throw<InvalidDataException>(() => TaskFactors.Load(path)).Message.ShouldContain(path);
    }

    [Fact]
    public void Load_InputWidthAtIntMax_ThrowsInvalidDataNamingFile()
    {
        string path = Saved();
        Rewrite(path, meta: m => EditBlocks(m, root => root["kronecker"]![1]!["in"] = int.MaxValue));
        Should.Throw<InvalidDataException>(() => TaskFactors.Load(path)).Message.ShouldContain(path);
    }

    [Fact]
    public void Load_DuplicateBlockNames_ThrowsInvalidDataNamingFileAndBlock()
    {
        string path = Saved();
        Rewrite(path, meta: m => EditBlocks(m, root =>
        {
            var blocks = root["kronecker"]!.AsArray();
            blocks.Add(blocks[1]!.DeepClone());
        }));
        var e = Should.Throw<InvalidDataException>(() => TaskFactors.Load(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain("enc.fc");
    }

    [Theory]
    [InlineData("enc.fc.A", double.NaN)]
    [InlineData("enc.q+k.G", double.PositiveInfinity)]
    [InlineData("enc.norm.weight.F", double.NaN)]
    public void Load_NonFiniteFactor_ThrowsInvalidDataNamingFileAndTensor(string name, double value)
    {
        string path = Saved();
        Rewrite(path, tensor: (n, values) =>
        {
            if (n == name) values[1] = value;
        });
        var e = Should.Throw<InvalidDataException>(() => TaskFactors.Load(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain(name);
    }

    [Fact]
    public void Save_NonFiniteFactor_ThrowsNamingFileAndBlock_AndWritesNothing()
    {
        var factors = SyntheticFactors.Random(2, 3);
        factors.Blocks[1].G[0] = double.NaN; // the arrays are the caller's: they can change after construction
        string path = _dir.File("nan.kfac.safetensors");
        var e = Should.Throw<InvalidOperationException>(() => factors.Save(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain("enc.fc");
        File.Exists(path).ShouldBeFalse();
    }

    [Fact]
    public void Estimate_OneNaNImage_ThrowsNamingTheDataSet()
    {
        var model = TinyVit.Model();
        var images = TinyVit.Images(4, 3);
        var inputs = new TensorData(CopyWithNaN(images), "images with a NaN");
        var e = Should.Throw<ArgumentException>(() => KfacEstimator.Estimate(model, inputs));
        e.Message.ShouldContain("images with a NaN");
        e.Message.ShouldContain("not finite");
    }

    private static TaskVectors.Tensors.Tensor CopyWithNaN(TensorData data)
    {
        var batch = data.CreateBatch(data.Count);
        data.Fill(batch, [.. Enumerable.Range(0, data.Count)]);
        batch.Span[batch.Length / 2] = float.NaN;
        return batch;
    }

    [Fact]
    public void Load_RandomMutations_ValidOrDocumentedExceptionNamingTheFile()
    {
        var model = TinyVit.Model();
        var factors = KfacEstimator.Estimate(model, TinyVit.Images(3, 1), new KfacOptions { Seed = 4, Diagonal = true });
        string path = _dir.File("valid.kfac.safetensors");
        factors.Save(path, FactorPrecision.Single);
        byte[] valid = File.ReadAllBytes(path);
        string mutant = _dir.File("mutant.kfac.safetensors");
        var summary = MutationRun.Run(valid, mutant, cases: 2000, seed: 20261208, load: () =>
        {
            var loaded = TaskFactors.Load(mutant);
            foreach (var b in loaded.Blocks)
                if (!b.A.Concat(b.G).All(double.IsFinite)) throw new InvalidOperationException($"non-finite factor '{b.Name}' loaded");
        }, accepted: e => e is SafetensorsFormatException or InvalidDataException or FileKindException);
        output.WriteLine(summary.ToString(CultureInfo.InvariantCulture));
        summary.Unexpected.ShouldBeEmpty();
        summary.Loaded.ShouldBeGreaterThan(0);
        summary.Rejected.ShouldBeGreaterThan(summary.Cases / 2);
    }
}
