// Tests of TaskFactors files: float64 round trip bit for bit, the float32 option, the base-model check with
// a clear error, a file written by another tool (float32 tensors from a hand-built writer call) plugging in
// unchanged, and clear errors for files that are not version-1 factor files.
using System.Text.Json;
using TaskVectors.Curvature;
using TaskVectors.IO;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.IO;

namespace TaskVectors.Tests.Curvature;

public sealed class TaskFactorsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void ShouldEqualBitwise(TaskFactors actual, TaskFactors expected)
    {
        actual.SameLayout(expected).ShouldBeTrue();
        actual.Count.ShouldBe(expected.Count);
        for (int b = 0; b < expected.Blocks.Count; b++)
        {
            actual.Blocks[b].A.ShouldBe(expected.Blocks[b].A);
            actual.Blocks[b].G.ShouldBe(expected.Blocks[b].G);
            actual.Blocks[b].Diagonal.ShouldBe(expected.Blocks[b].Diagonal);
            actual.Blocks[b].Count.ShouldBe(expected.Blocks[b].Count);
        }
        for (int d = 0; d < expected.DenseBlocks.Count; d++)
        {
            actual.DenseBlocks[d].F.ShouldBe(expected.DenseBlocks[d].F);
            actual.DenseBlocks[d].Count.ShouldBe(expected.DenseBlocks[d].Count);
        }
    }

    [Fact]
    public void SaveLoad_Double_RoundTripsBitwiseWithMetadata()
    {
        var model = TinyVit.Model();
        var factors = KfacEstimator.Estimate(model, TinyVit.Images(3, 1), new KfacOptions { Seed = 4, Diagonal = true });
        string path = _dir.File("task.kfac.safetensors");
        factors.Save(path);
        var loaded = TaskFactors.Load(path, model);
        ShouldEqualBitwise(loaded, factors);
        loaded.Metadata.ShouldBe(factors.Metadata, ignoreOrder: true);
        loaded.BaseFingerprint.ShouldBe(ModelFingerprint.Compute(model));

        using var file = SafetensorsFile.Open(path);
        file.GetInfo("visual_projection.A").DType.ShouldBe(SafetensorsDType.F64);
        file.GetInfo("vision_model.encoder.layers.0.self_attn.q_proj+k_proj+v_proj.G").Shape.ShouldBe([24, 24]);
        file.GetInfo("vision_model.encoder.layers.0.self_attn.q_proj+k_proj+v_proj.diag").Shape.ShouldBe([24, 9]);
        loaded.HasDiagonal.ShouldBeTrue();
        file.ReadDoubles("vision_model.post_layernorm.bias.count").ShouldBe([3.0]);
        file.Metadata[TaskFactors.FormatKey].ShouldBe("taskvectors.kfac");
        file.Metadata[TaskFactors.VersionKey].ShouldBe("1");
        file.Metadata[TaskFactors.CountKey].ShouldBe("3");
        // Saving again gives the same bytes: the format has no time stamps or unordered maps.
        string again = _dir.File("again.safetensors");
        loaded.Save(again);
        File.ReadAllBytes(again).ShouldBe(File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_Single_HalvesMatricesAndRoundsToFloat()
    {
        var factors = SyntheticFactors.Random(3, 5);
        string d64 = _dir.File("d.safetensors"), f32 = _dir.File("f.safetensors");
        factors.Save(d64);
        factors.Save(f32, FactorPrecision.Single);
        var loaded = TaskFactors.Load(f32);
        for (int b = 0; b < factors.Blocks.Count; b++)
        {
            loaded.Blocks[b].A.ShouldBe(factors.Blocks[b].A.Select(v => (double)(float)v).ToArray());
            loaded.Blocks[b].Count.ShouldBe(5);
        }
        new FileInfo(f32).Length.ShouldBeLessThan(new FileInfo(d64).Length);
    }

    [Fact]
    public void Load_AgainstAnotherBaseModel_FailsNamingBothModels()
    {
        var model = TinyVit.Model(seed: 1);
        var factors = KfacEstimator.Estimate(model, TinyVit.Images(2, 1));
        string path = _dir.File("task.safetensors");
        factors.Save(path);
        var other = TinyVit.Model(seed: 2);
        var error = Should.Throw<InvalidOperationException>(() => TaskFactors.Load(path, other));
        error.Message.ShouldContain(path);
        error.Message.ShouldContain(factors.BaseFingerprint![..12]);
        error.Message.ShouldContain(ModelFingerprint.Compute(other)[..12]);

        var unrecorded = new TaskFactors(factors.Blocks, factors.DenseBlocks, factors.Count);
        Should.Throw<InvalidOperationException>(() => unrecorded.EnsureBase(model)).Message.ShouldContain("no base-model fingerprint");
    }

    [Fact]
    public void EnsureBase_BlockThatDoesNotFitTheModel_NamesTheParameter()
    {
        var model = TinyVit.Model();
        var factors = KfacEstimator.Estimate(model, TinyVit.Images(2, 1));
        var wrong = new KroneckerBlockSpec("visual_projection", [new KroneckerMember("visual_projection.weight", null, 5)], 8);
        var blocks = factors.Blocks.Select(b => b.Name == "visual_projection" ? new KroneckerBlock(wrong) : b).ToList();
        var misfit = new TaskFactors(blocks, factors.DenseBlocks, factors.Count, factors.Metadata);
        Should.Throw<InvalidOperationException>(() => misfit.EnsureBase(model)).Message.ShouldContain("'visual_projection.weight' of shape [5, 8]");
    }

    [Fact]
    public void Load_FileWrittenByAnotherTool_PlugsInUnchanged()
    {
        // Another party writes the documented layout with its own tools: float32 matrices, the JSON block list, the
        // fingerprint of the same θ0. Our loader, aggregate and regularizer take it as if we had made it.
        var ours = SyntheticFactors.Random(21, 6);
        var theirs = SyntheticFactors.Random(22, 4);
        var tensors = new List<(string, Tensor)>();
        foreach (var b in theirs.Blocks)
        {
            tensors.Add((b.Name + ".A", Single(b.A, b.Spec.ADim)));
            tensors.Add((b.Name + ".G", Single(b.G, b.Spec.GDim)));
            tensors.Add((b.Name + ".count", new Tensor([4f], 1)));
        }
        foreach (var d in theirs.DenseBlocks)
        {
            tensors.Add((d.Parameter + ".F", Single(d.F, d.Spec.Dim)));
            tensors.Add((d.Parameter + ".count", new Tensor([4f], 1)));
        }
        var blocks = new
        {
            kronecker = theirs.Blocks.Select(b => new
            {
                name = b.Name,
                @in = b.Spec.InFeatures,
                members = b.Spec.Members.Select(m => new { weight = m.Weight, bias = m.Bias, @out = m.OutFeatures }),
            }),
            dense = theirs.DenseBlocks.Select(d => new { parameter = d.Parameter, dim = d.Spec.Dim }),
        };
        string path = _dir.File("theirs.safetensors");
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string>
        {
            ["format"] = "taskvectors.kfac", ["format_version"] = "1", ["count"] = "4", ["blocks"] = JsonSerializer.Serialize(blocks),
            [ModelFingerprint.MetadataKey] = SyntheticFactors.Fingerprint, ["estimator"] = "monte-carlo", ["dataset"] = "elsewhere",
        });

        var loaded = TaskFactors.Load(path);
        loaded.SameLayout(theirs).ShouldBeTrue();
        loaded.Metadata["dataset"].ShouldBe("elsewhere");
        for (int b = 0; b < theirs.Blocks.Count; b++)
            Dense.ShouldBeClose(loaded.Blocks[b].G, theirs.Blocks[b].G, theirs.Blocks[b].Spec.GDim, 1e-6, "G");
        var aggregate = new FactorAggregate();
        aggregate.Add("ours", ours);
        aggregate.Add("theirs", loaded);
        var trainable = SyntheticFactors.Trainable(23);
        double fromFile = new TakRegularizer(aggregate.AllBut("ours", ours)).AddPenaltyGradient(trainable, step: 0);
        double direct = new TakRegularizer(FactorAggregate.Combine([theirs])).AddPenaltyGradient(trainable, step: 0);
        fromFile.ShouldBe(direct, 1e-5 * direct);
    }

    [Fact]
    public void Load_NotAFactorFileOrBroken_ClearErrors()
    {
        string plain = _dir.File("weights.safetensors");
        SafetensorsWriter.Write(plain, [("w", new Tensor(2))]);
        Should.Throw<InvalidDataException>(() => TaskFactors.Load(plain)).Message.ShouldContain("not a KFAC factor file");

        var factors = SyntheticFactors.Random(1, 2);
        string path = _dir.File("f.safetensors");
        factors.Save(path);
        using (var file = SafetensorsFile.Open(path))
        {
            var meta = file.Metadata.ToDictionary();
            var tensors = file.Tensors.Where(t => t.Name != "enc.fc.G").Select(t => SafetensorsEntry.FromDoubles(t.Name, file.ReadDoubles(t.Name), [.. t.Shape])).ToList();
            string missing = _dir.File("missing.safetensors");
            SafetensorsWriter.Write(missing, tensors, meta);
            Should.Throw<InvalidDataException>(() => TaskFactors.Load(missing)).Message.ShouldContain("'enc.fc.G' is missing");
            meta["format_version"] = "2";
            string future = _dir.File("future.safetensors");
            SafetensorsWriter.Write(future, tensors, meta);
            Should.Throw<InvalidDataException>(() => TaskFactors.Load(future)).Message.ShouldContain("version '2'");
        }
    }

    [Fact]
    public void Diagonals_ForSomeBlocksOnly_Refused()
    {
        var factors = SyntheticFactors.Random(5, 3, diagonal: true);
        string path = _dir.File("diag.safetensors");
        factors.Save(path);
        using (var file = SafetensorsFile.Open(path))
        {
            var tensors = file.Tensors.Where(t => t.Name != "enc.fc.diag").Select(t => SafetensorsEntry.FromDoubles(t.Name, file.ReadDoubles(t.Name), [.. t.Shape])).ToList();
            string partial = _dir.File("partial.safetensors");
            SafetensorsWriter.Write(partial, tensors, file.Metadata.ToDictionary());
            Should.Throw<InvalidDataException>(() => TaskFactors.Load(partial)).Message.ShouldContain("but not for block 'enc.fc'");
        }
        var blocks = factors.Blocks.Select((b, i) => i == 1 ? new KroneckerBlock(b.Spec, b.A, b.G, b.Count) : b).ToList();
        Should.Throw<ArgumentException>(() => new TaskFactors(blocks, factors.DenseBlocks, 3)).Message.ShouldContain("every block or none");
    }

    private static Tensor Single(double[] values, int side)
    {
        var t = new Tensor(side, side);
        for (int i = 0; i < values.Length; i++) t[i] = (float)values[i];
        return t;
    }
}
