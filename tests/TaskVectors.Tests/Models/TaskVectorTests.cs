// Tests of TaskVector's algebra on hand-computed 2×2 tensors (sum, difference, scale, negation, weighted sum,
// checkpoint difference), its operand checks (base, regime, names, shapes listed at once; skip option), and the
// reliability fixes: AddTo refuses another base, α = ±∞/NaN and overflow without touching the model; EnsureBase
// on a short fingerprint and Load of a NaN tensor give typed exceptions naming the file and tensor.
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.IO;
using TaskVectors.Tests.Training;

namespace TaskVectors.Tests.Models;

public sealed class TaskVectorTests
{
    private static Dictionary<string, string> Meta(string fingerprint = "f00d", Regime regime = Regime.NonLinear) => new()
    {
        [ModelFingerprint.MetadataKey] = fingerprint,
        [TaskVector.RegimeKey] = TaskVector.RegimeText(regime),
    };

    private static TaskVector Vector(float[] w, float[] b, string fingerprint = "f00d", Regime regime = Regime.NonLinear) =>
        new(new Dictionary<string, Tensor> { ["w"] = new Tensor(w, 2, 2), ["b"] = new Tensor(b, 2) }, Meta(fingerprint, regime));

    [Fact]
    public void Operators_HandComputedTensors_GiveExactResults()
    {
        var a = Vector([1, 2, 3, 4], [0.5f, -1]);
        var b = Vector([10, 20, 30, 40], [2, 3]);
        (a + b).Tensors["w"].Span.ToArray().ShouldBe([11f, 22, 33, 44]);
        (a + b).Tensors["b"].Span.ToArray().ShouldBe([2.5f, 2]);
        (b - a).Tensors["w"].Span.ToArray().ShouldBe([9f, 18, 27, 36]);
        (2f * a).Tensors["b"].Span.ToArray().ShouldBe([1f, -2]);
        (-a).Tensors["w"].Span.ToArray().ShouldBe([-1f, -2, -3, -4]);
        TaskVector.Sum([a, b, a]).Tensors["w"].Span.ToArray().ShouldBe([12f, 24, 36, 48]);
        TaskVector.WeightedSum([a, b], [2f, 0.5f]).Tensors["b"].Span.ToArray().ShouldBe([2f, -0.5f]);
        var sum = a + b;
        sum.BaseFingerprint.ShouldBe("f00d");
        sum.Regime.ShouldBe(Regime.NonLinear);
    }

    [Fact]
    public void Regime_FromMetadata_IsTyped_AndInvalidTextThrows()
    {
        Vector([1, 2, 3, 4], [0, 0], regime: Regime.Linearized).Regime.ShouldBe(Regime.Linearized);
        new TaskVector(new Dictionary<string, Tensor>()).Regime.ShouldBe(Regime.NonLinear);
        Should.Throw<ArgumentException>(() => new TaskVector(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["regime"] = "tangent" }))
            .Message.ShouldContain("tangent");
    }

    [Fact]
    public void Sum_OperandsDisagreeOnBaseRegimeNamesAndShapes_ListsEveryMismatchAtOnce()
    {
        var a = Vector([1, 2, 3, 4], [0, 0]);
        var other = new TaskVector(new Dictionary<string, Tensor> { ["w"] = new Tensor(4), ["extra"] = new Tensor(1) }, Meta("beef", Regime.Linearized));
        var e = Should.Throw<TaskVectorMismatchException>(() => TaskVector.Sum([a, other]));
        e.Mismatches.Count.ShouldBe(5);
        e.Message.ShouldContain("base model");
        e.Message.ShouldContain("linearized");
        e.Message.ShouldContain("'b'");
        e.Message.ShouldContain("'w' is [4]");
        e.Message.ShouldContain("'extra'");
    }

    [Fact]
    public void Sum_SkipOption_LeavesNamedTensorsOutOfChecksAndResult()
    {
        var a = Vector([1, 2, 3, 4], [1, 1]);
        var noBias = new TaskVector(new Dictionary<string, Tensor> { ["w"] = new Tensor([1f, 1, 1, 1], 2, 2) }, Meta());
        Should.Throw<TaskVectorMismatchException>(() => a + noBias);
        var sum = TaskVector.Sum([a, noBias], new TaskVectorCombineOptions { Skip = new HashSet<string> { "b" } });
        sum.Tensors.Keys.ShouldBe(["w"]);
        sum.Tensors["w"].Span.ToArray().ShouldBe([2f, 3, 4, 5]);
    }

    [Fact]
    public void Sum_EmptyOrNullOrNonFinite_Throws()
    {
        Should.Throw<ArgumentException>(() => TaskVector.Sum([]));
        Should.Throw<ArgumentException>(() => TaskVector.Sum([Vector([1, 2, 3, 4], [0, 0]), null!]));
        Should.Throw<ArgumentOutOfRangeException>(() => float.PositiveInfinity * Vector([1, 2, 3, 4], [0, 0]));
        Should.Throw<ArgumentException>(() => new TaskVector(new Dictionary<string, Tensor> { ["w"] = new Tensor([float.NaN], 1) }))
            .Message.ShouldContain("'w'");
        Should.Throw<ArgumentException>(() => TaskVector.Sum([Vector([3e38f, 0, 0, 0], [0, 0]), Vector([3e38f, 0, 0, 0], [0, 0])]))
            .Message.ShouldContain("'w'");
    }

    [Fact]
    public void AddTo_OnePerTaskAlpha_AddsWeightedSum()
    {
        var model = FineTuneFixture.Mlp();
        var before = FineTuneFixture.Values(model);
        string fingerprint = ModelFingerprint.Compute(model);
        var shape = model.Parameters[0].Value.Shape.ToArray();
        TaskVector Ones(float value)
        {
            var t = new Tensor(shape);
            t.Fill(value);
            return new TaskVector(new Dictionary<string, Tensor> { [model.Parameters[0].Name] = t }, Meta(fingerprint));
        }
        TaskVector.AddTo(model, [Ones(1), Ones(2)], [0.5f, 0.25f]);
        var after = model.Parameters[0].Value.Span.ToArray();
        for (int i = 0; i < after.Length; i++) after[i].ShouldBe(before[model.Parameters[0].Name][i] + 1f, 1e-6f);
    }

    [Fact]
    public void AddTo_VectorOfAnotherBaseWithSameArchitecture_RefusesAndLeavesModelUnchanged()
    {
        var model = FineTuneFixture.Mlp(seed: 1);
        var other = FineTuneFixture.Mlp(seed: 2);
        var tau = TaskVector.Difference(FineTuneFixture.Mlp(seed: 3), other);
        var before = FineTuneFixture.Values(model);
        Should.Throw<InvalidOperationException>(() => tau.AddTo(model)).Message.ShouldContain("base model");
        ShouldBeUnchanged(model, before);
        var unstamped = new TaskVector(tau.Tensors);
        Should.Throw<InvalidOperationException>(() => unstamped.AddTo(model)).Message.ShouldContain("no base-model fingerprint");
        ShouldBeUnchanged(model, before);
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.NaN)]
    [InlineData(3e38f)] // finite α, but θ + α·τ overflows
    public void AddTo_NonFiniteAlphaOrResult_RefusesAndLeavesModelUntouched(float alpha)
    {
        var model = FineTuneFixture.Mlp(seed: 1);
        var tau = 100f * TaskVector.Difference(FineTuneFixture.Mlp(seed: 3), model);
        var before = FineTuneFixture.Values(model);
        Should.Throw<ArgumentException>(() => tau.AddTo(model, alpha));
        ShouldBeUnchanged(model, before);
    }

    [Fact]
    public void Difference_TwoCheckpoints_AddsBackToTheFineTunedModel()
    {
        var baseModel = FineTuneFixture.Mlp(seed: 1);
        var tuned = FineTuneFixture.Mlp(seed: 3);
        var tau = TaskVector.Difference(tuned, baseModel, Regime.NonLinear);
        tau.BaseFingerprint.ShouldBe(ModelFingerprint.Compute(baseModel));
        var p = baseModel.Parameters[1];
        tau.Tensors[p.Name][0].ShouldBe(tuned.Parameters[1].Value[0] - p.Value[0]);
        tau.AddTo(baseModel);
        for (int i = 0; i < p.Length; i++) p.Value[i].ShouldBe(tuned.Parameters[1].Value[i], 1e-6f);
        Should.Throw<TaskVectorMismatchException>(() => TaskVector.Difference(FineTuneFixture.Vit(), baseModel)).Mismatches.Count.ShouldBeGreaterThan(1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0123456789a")]
    public void EnsureBase_FingerprintShorterThan12Characters_ThrowsInvalidOperationNamingTheFile(string fingerprint)
    {
        var tau = new TaskVector(new Dictionary<string, Tensor>(), Meta(fingerprint));
        var e = Should.Throw<InvalidOperationException>(() => tau.EnsureBase(FineTuneFixture.Mlp(), "/data/tau.safetensors"));
        e.Message.ShouldContain("/data/tau.safetensors");
    }

    [Fact]
    public void Load_NaNTensor_ThrowsInvalidDataNamingFileAndTensor()
    {
        using var dir = new TempDirectory();
        string path = dir.File("nan.safetensors");
        SafetensorsWriter.Write(path, [("layers.0.weight", new Tensor([1f, float.NaN], 2))], Meta());
        var e = Should.Throw<InvalidDataException>(() => TaskVector.Load(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain("layers.0.weight");
    }

    [Fact]
    public void SaveLoad_RoundTrip_KeepsTensorsRegimeAndBase()
    {
        using var dir = new TempDirectory();
        string path = dir.File("tau.safetensors");
        var tau = Vector([1, 2, 3, 4], [5, 6], regime: Regime.Linearized);
        tau.Save(path);
        var loaded = TaskVector.Load(path);
        loaded.Regime.ShouldBe(Regime.Linearized);
        loaded.BaseFingerprint.ShouldBe("f00d");
        loaded.Tensors["b"].Span.ToArray().ShouldBe([5f, 6]);
    }

    private static void ShouldBeUnchanged(IParameterized model, Dictionary<string, float[]> before)
    {
        foreach (var p in model.Parameters)
            p.Value.Span.SequenceEqual(before[p.Name]).ShouldBeTrue($"parameter '{p.Name}' changed");
    }
}
