// Tests of Evaluator: a trained task vector raises accuracy in its own regime, linearized evaluation
// goes through f(x;θ0) + J·ατ, non-linear through θ0 + ατ, and the model is left untouched.
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Training;
using TaskVectors.Training;

namespace TaskVectors.Tests.Merging;

public sealed class EvaluatorTests
{
    private static FineTuneOptions Options(Regime regime) => new()
    {
        Regime = regime, Steps = 30, BatchSize = 16, WarmupSteps = 3, LearningRate = 3e-2, WeightDecay = 0, Seed = 1,
        Trainable = ParameterSelection.Full,
    };

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void Accuracy_TrainedTaskVector_BeatsBase_AndLeavesModelUnchanged(Regime regime)
    {
        var model = FineTuneFixture.Vit();
        var head = FineTuneFixture.Head();
        var data = FineTuneFixture.Data(count: 60);
        var tau = new FineTuner<Tensor>(model, head, Options(regime)).Run(data);
        var before = model.Parameters.ToDictionary(p => p.Name, p => p.Value.Span.ToArray());
        var marker = new Tensor(model.Parameters[0].Value.Shape);
        model.Parameters[0].Tangent = marker;

        double baseAccuracy = Evaluator.Accuracy(model, head, data);
        double tuned = Evaluator.Accuracy(model, head, data, tau, regime, batchSize: 7);
        tuned.ShouldBeGreaterThan(baseAccuracy + 0.2);
        Evaluator.Accuracy(model, head, data, tau, regime, alpha: 0f).ShouldBe(baseAccuracy);

        foreach (var p in model.Parameters) ArrayAssert.Equal(p.Value.Span, before[p.Name], p.Name);
        model.Parameters[0].Tangent.ShouldBeSameAs(marker);
        model.Parameters.Skip(1).ShouldAllBe(p => p.Tangent == null);
    }

    [Fact]
    public void Accuracy_Linearized_UsesFirstOrderModel_NotWeightsPlusTau()
    {
        var model = FineTuneFixture.Vit();
        var head = FineTuneFixture.Head();
        var data = FineTuneFixture.Data(count: 60);
        var tau = new FineTuner<Tensor>(model, head, Options(Regime.Linearized)).Run(data);
        // Count by hand through f(x; θ0) + J(x; θ0)·τ.
        foreach (var p in model.Parameters) p.Tangent = tau.Tensors.GetValueOrDefault(p.Name);
        var d = model.Jvp(data.Images);
        var f = new Tensor(d.Primal.Shape);
        TensorMath.Add(d.Primal.Span, d.Tangent.Span, f.Span);
        foreach (var p in model.Parameters) p.Tangent = null;
        var labels = Enumerable.Range(0, data.Count).Select(data.Label).ToArray();
        double expected = SoftmaxCrossEntropy.CountCorrect(head.Forward(f), labels) / (double)data.Count;
        Evaluator.Accuracy(model, head, data, tau, Regime.Linearized).ShouldBe(expected);
    }

    [Fact]
    public void Accuracy_TaskVectorForAnotherModel_Throws()
    {
        var model = FineTuneFixture.Vit();
        var tau = new TaskVector(new Dictionary<string, Tensor> { ["visual_projection.weight"] = new Tensor(3, 3) });
        Should.Throw<ArgumentException>(() => Evaluator.Accuracy(model, FineTuneFixture.Head(), FineTuneFixture.Data(), tau))
            .Message.ShouldContain("visual_projection.weight");
    }

    private static TaskVector SmallVector(IParameterized model, Regime regime, ulong seed = 4)
    {
        var p = model.Parameters.First(q => q.Name.EndsWith("visual_projection.weight", StringComparison.Ordinal));
        var t = new Tensor(p.Value.Shape);
        new Rng(seed).FillNormal(t.Span, 0f, 0.1f);
        return new TaskVector(new Dictionary<string, Tensor> { [p.Name] = t }).WithBase(model).WithRegime(regime);
    }

    [Fact]
    public void Accuracy_LinearizedVectorAskedNonLinear_ThrowsUnlessOverriddenExplicitly()
    {
        var model = FineTuneFixture.Vit();
        var tau = SmallVector(model, Regime.Linearized);
        var data = FineTuneFixture.Data();
        Should.Throw<ArgumentException>(() => Evaluator.Accuracy(model, FineTuneFixture.Head(), data, tau, Regime.NonLinear))
            .Message.ShouldContain("overrideRegime");
        double own = Evaluator.Accuracy(model, FineTuneFixture.Head(), data, tau);
        own.ShouldBe(Evaluator.Accuracy(model, FineTuneFixture.Head(), data, tau, Regime.Linearized));
        Evaluator.Accuracy(model, FineTuneFixture.Head(), data, tau, Regime.NonLinear, overrideRegime: true).ShouldBeInRange(0, 1);
    }

    [Fact]
    public void Accuracy_VectorOfAnotherBaseWithSameArchitecture_Throws()
    {
        var model = FineTuneFixture.Vit(seed: 1);
        var tau = SmallVector(FineTuneFixture.Vit(seed: 2), Regime.NonLinear);
        Should.Throw<InvalidOperationException>(() => Evaluator.Accuracy(model, FineTuneFixture.Head(), FineTuneFixture.Data(), tau))
            .Message.ShouldContain("base model");
    }

    [Fact]
    public void Accuracy_NaNImages_ThrowsNamingTheDataset()
    {
        var model = FineTuneFixture.Vit();
        var data = FineTuneFixture.Data(count: 20);
        data.Images.Span[5 * 64 + 3] = float.NaN;
        Should.Throw<ArgumentException>(() => Evaluator.Accuracy(model, FineTuneFixture.Head(), data)).Message.ShouldContain(data.Description);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Accuracy_NonFiniteAlpha_Throws(float alpha)
    {
        var model = FineTuneFixture.Vit();
        var tau = SmallVector(model, Regime.NonLinear);
        var before = FineTuneFixture.Values(model);
        Should.Throw<ArgumentOutOfRangeException>(() => Evaluator.Accuracy(model, FineTuneFixture.Head(), FineTuneFixture.Data(), tau, alpha: alpha));
        ShouldBeUnchanged(model, before);
    }

    private static void ShouldBeUnchanged(IParameterized model, Dictionary<string, float[]> before)
    {
        foreach (var p in model.Parameters)
            p.Value.Span.SequenceEqual(before[p.Name]).ShouldBeTrue($"parameter '{p.Name}' changed");
    }
}
