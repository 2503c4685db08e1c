// Tests of TaskArithmetic.MergeIntoBase: the written checkpoint equals θ0 + α·Σ τ computed by hand; a base of another
// model is refused (and nothing is written) unless the caller marks it unverified.
using TaskVectors.Building;
using TaskVectors.IO;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Training;

namespace TaskVectors.Tests.Building;

public sealed class MergeIntoBaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-merge-base-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private (VisionTransformer Model, string[] Taus) TwoTaskVectors()
    {
        var model = FineTuneFixture.Vit();
        var rng = new Rng(9);
        var taus = new string[2];
        for (int t = 0; t < 2; t++)
        {
            var tensors = model.Parameters.Where(p => p.Name.Contains("fc1", StringComparison.Ordinal))
                .ToDictionary(p => p.Name, p => { var x = new Tensor(p.Value.Shape); rng.FillNormal(x.Span); return x; });
            taus[t] = File($"tau{t}.safetensors");
            new TaskVector(tensors).WithBase(model).WithRegime(Regime.NonLinear).Save(taus[t]);
        }
        return (model, taus);
    }

    [Fact]
    public void MergeIntoBase_TaskArithmetic_WritesThetaZeroPlusAlphaTimesSum()
    {
        var (model, taus) = TwoTaskVectors();
        Checkpoint.Save(model, File("base.safetensors"), new Dictionary<string, string> { [ModelFingerprint.MetadataKey] = ModelFingerprint.Compute(model) });
        TaskArithmetic.MergeIntoBase(File("base.safetensors"), taus, File("merged.safetensors"), alpha: 0.4f);

        var t0 = TaskVector.Load(taus[0]);
        var t1 = TaskVector.Load(taus[1]);
        using var merged = SafetensorsFile.Open(File("merged.safetensors"));
        merged.Tensors.Count.ShouldBe(model.Parameters.Count);
        foreach (var p in model.Parameters)
        {
            var expected = p.Value.Clone();
            if (t0.Tensors.TryGetValue(p.Name, out var a))
            {
                var sum = a.Clone();
                TensorMath.AddInPlace(t1.Tensors[p.Name].Span, sum.Span);
                TensorMath.AddScaled(sum.Span, 0.4f, expected.Span);
            }
            merged.ReadTensor(p.Name).Span.SequenceEqual(expected.Span).ShouldBeTrue(p.Name);
        }
        merged.Metadata["merge_method"].ShouldBe("task_arithmetic");
    }

    [Fact]
    public void MergeIntoBase_BaseOfAnotherModel_IsRefusedUnlessUnverified()
    {
        var (_, taus) = TwoTaskVectors();
        Checkpoint.Save(FineTuneFixture.Vit(seed: 2), File("other.safetensors"));
        Should.Throw<InvalidOperationException>(() => TaskArithmetic.MergeIntoBase(File("other.safetensors"), taus, File("merged.safetensors")))
            .Message.ShouldContain("not verifiably the base");
        System.IO.File.Exists(File("merged.safetensors")).ShouldBeFalse();
        Directory.GetFiles(_dir, "*.tmp").ShouldBeEmpty();

        TaskArithmetic.MergeIntoBase(File("other.safetensors"), taus, File("merged.safetensors"), unverifiedBase: true);
        System.IO.File.Exists(File("merged.safetensors")).ShouldBeTrue();
    }
}
