// FileHeaderTests: every writer stamps "taskvectors.kind"; every loader refuses a file of another kind with a
// FileKindException naming the file and both kinds; files from before the header load under the older checks.
using TaskVectors.Curvature;
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Curvature;

namespace TaskVectors.Tests.IO;

public sealed class FileHeaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // A 2×3 Linear layer with random weights: the model of the checkpoint files.
    private static Linear Layer(ulong seed)
    {
        var layer = new Linear("l", 3, 2);
        var rng = new Rng(seed);
        rng.FillNormal(layer.Weight.Value.Span);
        rng.FillNormal(layer.Bias!.Value.Span);
        return layer;
    }

    // A task vector over base Layer(1) with the layer's names, so it would fit the layer as weights if nothing checked the kind.
    private static TaskVector Tau(ulong seed) => TaskVector.Difference(Layer(seed + 100), Layer(1));

    private string TaskVectorFile(string name = "tau.safetensors")
    {
        string path = _dir.File(name);
        Tau(1).Save(path);
        return path;
    }

    private string FactorFile()
    {
        string path = _dir.File("factors.safetensors");
        SyntheticFactors.Random(1, 3).Save(path);
        return path;
    }

    private string CheckpointFile()
    {
        string path = _dir.File("model.safetensors");
        Checkpoint.Save(Layer(1), path);
        return path;
    }

    private static void ShouldNameKinds(FileKindException e, string path, string expected, string found)
    {
        e.FilePath.ShouldBe(Path.GetFullPath(path));
        e.ExpectedKind.ShouldBe(expected);
        e.FoundKind.ShouldBe(found);
        e.Message.ShouldContain(Path.GetFullPath(path));
        e.Message.ShouldContain(expected);
        e.Message.ShouldContain(found);
    }

    [Fact]
    public void TaskVectorLoad_FactorFile_ThrowsFileKindNamingBothKinds()
    {
        string path = FactorFile();
        ShouldNameKinds(Should.Throw<FileKindException>(() => TaskVector.Load(path)), path, "task-vector", "factors");
    }

    [Fact]
    public void FactorsLoad_TaskVectorFile_ThrowsFileKindNamingBothKinds()
    {
        string path = TaskVectorFile();
        ShouldNameKinds(Should.Throw<FileKindException>(() => TaskFactors.Load(path)), path, "factors", "task-vector");
    }

    [Fact]
    public void TaskVectorAndFactorsLoad_Checkpoint_ThrowFileKindNamingBothKinds()
    {
        string path = CheckpointFile();
        ShouldNameKinds(Should.Throw<FileKindException>(() => TaskVector.Load(path)), path, "task-vector", "checkpoint");
        ShouldNameKinds(Should.Throw<FileKindException>(() => TaskFactors.Load(path)), path, "factors", "checkpoint");
    }

    [Fact]
    public void CheckpointLoad_TaskVectorOrFactorFile_ThrowsFileKindAndLeavesModelUnchanged()
    {
        var model = Layer(7);
        float[] before = model.Weight.Value.Span.ToArray();
        string tau = TaskVectorFile();
        ShouldNameKinds(Should.Throw<FileKindException>(() => Checkpoint.Load(model, tau)), tau, "checkpoint", "task-vector");
        string factors = FactorFile();
        ShouldNameKinds(Should.Throw<FileKindException>(() => Checkpoint.Load(model, factors)), factors, "checkpoint", "factors");
        model.Weight.Value.Span.ToArray().ShouldBe(before);
    }

    [Fact]
    public void MergeFiles_FactorFileAmongInputs_ThrowsFileKindAndWritesNothing()
    {
        string tau = TaskVectorFile();
        string factors = FactorFile();
        string output = _dir.File("merged.safetensors");
        ShouldNameKinds(Should.Throw<FileKindException>(() => TaskVectorMerge.MergeFiles([tau, factors], output, MergeMethods.Create("task_arithmetic"))),
            factors, "task-vector", "factors");
        File.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public void Writers_StampKindAndVersion_RoundTripsKeepWorking()
    {
        string tau = TaskVectorFile();
        string tau2 = _dir.File("tau2.safetensors");
        Tau(2).Save(tau2);
        string merged = _dir.File("merged.safetensors");
        TaskVectorMerge.MergeFiles([tau, tau2], merged, MergeMethods.Create("task_arithmetic"));
        string checkpoint = CheckpointFile();
        string factors = FactorFile();
        foreach (var (path, kind) in new[] { (tau, "task-vector"), (merged, "merged"), (checkpoint, "checkpoint"), (factors, "factors") })
        {
            using var file = SafetensorsFile.Open(path);
            file.Metadata[FileHeader.KindKey].ShouldBe(kind, path);
            file.Metadata[FileHeader.VersionKey].ShouldBe("1", path);
        }
        // A merged vector is a task vector: it loads as one, and equals the sum of its inputs (α = 1 by default).
        var loaded = TaskVector.Load(merged);
        var expected = Tau(1) + Tau(2);
        foreach (var (name, t) in expected.Tensors) loaded.Tensors[name].Span.ToArray().ShouldBe(t.Span.ToArray(), name);
        TaskVector.Load(tau).Tensors["l.weight"].Span.ToArray().ShouldBe(Tau(1).Tensors["l.weight"].Span.ToArray());
        // The checkpoint records its weights' fingerprint and loads back bit for bit.
        var model = Layer(9);
        Checkpoint.Load(model, checkpoint);
        model.Weight.Value.Span.ToArray().ShouldBe(Layer(1).Weight.Value.Span.ToArray());
        using (var file = SafetensorsFile.Open(checkpoint))
            file.Metadata[ModelFingerprint.MetadataKey].ShouldBe(ModelFingerprint.Compute(Layer(1)));
        TaskFactors.Load(factors).Count.ShouldBe(3);
    }

    [Fact]
    public void Loaders_FilesWithoutHeader_AcceptedUnderOlderChecks()
    {
        // A task vector and a checkpoint written before the header: only the regime key, or no metadata at all.
        string tau = _dir.File("old-tau.safetensors");
        SafetensorsWriter.Write(tau, Tau(1).Tensors.Select(kv => (kv.Key, kv.Value)), new Dictionary<string, string> { [TaskVector.RegimeKey] = "non-linear" });
        TaskVector.Load(tau).Tensors.Count.ShouldBe(2);
        string weights = _dir.File("old-model.safetensors");
        SafetensorsWriter.Write(weights, Layer(1).Parameters.Select(p => (p.Name, p.Value)));
        Checkpoint.Load(Layer(3), weights);
        // A factor file from before the header is still recognised by its "format" key.
        string factors = FactorFile();
        RemoveHeader(factors);
        TaskFactors.Load(factors).Count.ShouldBe(3);
        ShouldNameKinds(Should.Throw<FileKindException>(() => TaskVector.Load(factors)), factors, "task-vector", "factors");
    }

    [Fact]
    public void TaskVectorLoad_NewerFormatVersion_ThrowsInvalidDataNamingFile()
    {
        string path = TaskVectorFile();
        Rewrite(path, meta => meta[FileHeader.VersionKey] = "2");
        var e = Should.Throw<InvalidDataException>(() => TaskVector.Load(path));
        e.Message.ShouldContain(Path.GetFullPath(path));
        e.Message.ShouldContain("version 2");
    }

    private static void RemoveHeader(string path) => Rewrite(path, meta =>
    {
        meta.Remove(FileHeader.KindKey);
        meta.Remove(FileHeader.VersionKey);
        meta.Remove(FileHeader.LibraryVersionKey);
    });

    // Rewrites a file's metadata, keeping its tensors (any dtype) byte for byte.
    private static void Rewrite(string path, Action<Dictionary<string, string>> edit)
    {
        Dictionary<string, string> metadata;
        List<SafetensorsEntry> entries;
        using (var file = SafetensorsFile.Open(path))
        {
            metadata = new Dictionary<string, string>(file.Metadata, StringComparer.Ordinal);
            entries = file.Tensors.Select(i => i.DType == SafetensorsDType.F64
                ? SafetensorsEntry.FromDoubles(i.Name, file.ReadDoubles(i.Name), [.. i.Shape])
                : SafetensorsEntry.FromSingles(i.Name, file.ReadTensor(i.Name))).ToList();
        }
        edit(metadata);
        SafetensorsWriter.Write(path, entries, metadata);
    }
}
