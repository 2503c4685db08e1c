// Tests of TaskVectorMerge: a streamed file merge equals the in-memory merge bit for bit and records its method,
// base and regime; bad inputs (NaN tensor, other base, missing or mis-shaped tensors, no inputs, cancellation)
// give typed exceptions naming the file and tensor and leave no output file (an existing one stays).
using TaskVectors.IO;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.IO;

namespace TaskVectors.Tests.Merging;

public sealed class TaskVectorMergeTests
{
    private static TaskVector Random(ulong seed, string fingerprint = "base", Regime regime = Regime.Linearized, bool extra = false)
    {
        var rng = new Rng(seed);
        Tensor Normal(params int[] shape)
        {
            var t = new Tensor(shape);
            rng.FillNormal(t.Span);
            return t;
        }
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.weight"] = Normal(6, 5),
            ["a.bias"] = Normal(6),
            ["b.weight"] = Normal(3, 6),
        };
        if (extra) tensors["c.weight"] = Normal(2);
        return new TaskVector(tensors, new Dictionary<string, string> { [ModelFingerprint.MetadataKey] = fingerprint, [TaskVector.RegimeKey] = TaskVector.RegimeText(regime) });
    }

    private static string[] Save(TempDirectory dir, params TaskVector[] vectors) =>
        [.. vectors.Select((v, i) =>
        {
            string path = dir.File($"tau{i}.safetensors");
            v.Save(path);
            return path;
        })];

    [Theory]
    [InlineData("task_arithmetic")]
    [InlineData("ties")]
    [InlineData("dare_ties")]
    [InlineData("consensus")]
    [InlineData("iso_c")]
    [InlineData("tsv")]
    public void MergeFiles_EqualsInMemoryMerge_AndRecordsMethodBaseAndRegime(string method)
    {
        using var dir = new TempDirectory();
        var vectors = new[] { Random(1), Random(2), Random(3) };
        var paths = Save(dir, vectors);
        string output = dir.File("merged.safetensors");
        var reports = new List<MergeProgress>();
        TaskVectorMerge.MergeFiles(paths, output, MergeMethods.Create(method), progress: new SynchronousProgress<MergeProgress>(reports.Add));
        var fromFiles = TaskVector.Load(output);
        var inMemory = TaskVectorMerge.Merge(vectors, MergeMethods.Create(method));
        foreach (var (name, t) in inMemory.Tensors) fromFiles.Tensors[name].Span.SequenceEqual(t.Span).ShouldBeTrue(name);
        fromFiles.Regime.ShouldBe(Regime.Linearized);
        fromFiles.BaseFingerprint.ShouldBe("base");
        fromFiles.Metadata[TaskVectorMerge.MethodKey].ShouldBe(method);
        reports.Count.ShouldBe(3);
        reports[^1].BytesRead.ShouldBe(3L * (30 + 6 + 18) * sizeof(float));
        Directory.GetFiles(dir.Path).Length.ShouldBe(4);
    }

    [Fact]
    public void MergeFiles_NaNTensor_ThrowsNamingFileAndTensor_LeavesExistingOutput()
    {
        using var dir = new TempDirectory();
        var paths = Save(dir, Random(1), Random(2));
        var bad = Random(3);
        SafetensorsWriter.Write(dir.File("bad.safetensors"), bad.Tensors.Select(kv => (kv.Key, kv.Key == "b.weight" ? new Tensor(Enumerable.Repeat(float.NaN, 18).ToArray(), 3, 6) : kv.Value)), bad.Metadata);
        string output = dir.File("merged.safetensors");
        File.WriteAllText(output, "old");
        var e = Should.Throw<InvalidDataException>(() => TaskVectorMerge.MergeFiles([.. paths, dir.File("bad.safetensors")], output, new TiesMerge()));
        e.Message.ShouldContain("bad.safetensors");
        e.Message.ShouldContain("b.weight");
        File.ReadAllText(output).ShouldBe("old");
        Directory.GetFiles(dir.Path).Length.ShouldBe(4);
    }

    [Fact]
    public void MergeFiles_OtherBaseAndExtraTensor_ListsBothWithFileNames_NoOutput()
    {
        using var dir = new TempDirectory();
        var paths = Save(dir, Random(1), Random(2, fingerprint: "other", extra: true));
        string output = dir.File("merged.safetensors");
        var e = Should.Throw<TaskVectorMismatchException>(() => TaskVectorMerge.MergeFiles(paths, output, new TaskArithmeticMerge()));
        e.Mismatches.Count.ShouldBe(2);
        e.Message.ShouldContain("tau1.safetensors");
        e.Message.ShouldContain("c.weight");
        File.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public void Merge_MixedRegimes_Refused_SkipOptionAllowsExtraTensor()
    {
        Should.Throw<TaskVectorMismatchException>(() => TaskVectorMerge.Merge([Random(1), Random(2, regime: Regime.NonLinear)], new TaskArithmeticMerge()))
            .Message.ShouldContain("non-linear");
        var merged = TaskVectorMerge.Merge([Random(1), Random(2, extra: true)], new TaskArithmeticMerge(),
            new TaskVectorCombineOptions { Skip = new HashSet<string> { "c.weight" } });
        merged.Tensors.Count.ShouldBe(3);
    }

    [Fact]
    public void MergeFiles_NoInputsOrCancelled_ThrowsAndWritesNothing()
    {
        using var dir = new TempDirectory();
        string output = dir.File("merged.safetensors");
        Should.Throw<ArgumentException>(() => TaskVectorMerge.MergeFiles([], output, new TaskArithmeticMerge()));
        Should.Throw<ArgumentException>(() => TaskVectorMerge.Merge([], new TaskArithmeticMerge()));
        var paths = Save(dir, Random(1), Random(2));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Should.Throw<OperationCanceledException>(() => TaskVectorMerge.MergeFiles(paths, output, new TaskArithmeticMerge(), cancellationToken: cancelled.Token));
        Directory.GetFiles(dir.Path).Length.ShouldBe(2);
    }

    [Fact]
    public void Merge_TallTaskOutOfRange_RefusedBeforeAnyTensor()
    {
        Should.Throw<ArgumentException>(() => TaskVectorMerge.Merge([Random(1), Random(2)], MergeMethods.Create("tall", new MergeOptions { TallTask = 2 })))
            .Message.ShouldContain("TALL task 2");
    }
}
