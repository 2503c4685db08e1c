// Tests of the evaluation protocol against direct Evaluator calls: absolute and normalized accuracy, the α picked on
// validation and reported on test, negation's α (largest keeping ≥ 95 % of the base control accuracy), the table's
// text layout and its JSON round trip, option validation.
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Training;

namespace TaskVectors.Tests.Merging;

public sealed class MergeEvaluationTests
{
    private static readonly EvaluationOptions Grid = new() { Alphas = [0f, 0.5f, 1f, 2f, 4f], BatchSize = 16 };

    private static EvaluationTask<Tensor> Task(string name, ulong seed) =>
        new(name, FineTuneFixture.Head(seed: seed), FineTuneFixture.Data(count: 30, seed: seed + 10), FineTuneFixture.Data(count: 30, seed: seed + 20));

    private static TaskVector Vector(IParameterized model, ulong seed, Regime regime)
    {
        var tensors = new Dictionary<string, Tensor>();
        var rng = new Rng(seed);
        foreach (var p in model.Parameters.Where(p => p.Name.Contains("visual_projection") || p.Name.Contains("post_layernorm")))
        {
            var t = new Tensor(p.Value.Shape);
            rng.FillNormal(t.Span, 0f, 0.3f);
            tensors[p.Name] = t;
        }
        return new TaskVector(tensors).WithBase(model).WithRegime(regime);
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void Evaluate_MatchesDirectEvaluatorCalls(Regime regime)
    {
        var model = FineTuneFixture.Vit();
        var tasks = new[] { Task("a", 1), Task("b", 2) };
        var merged = Vector(model, 5, regime);
        double[] individual = [0.9, 0.8];
        var result = MergeEvaluation.Evaluate(model, tasks, merged, individual, "TA", Grid);

        double Acc(EvaluationTask<Tensor> t, bool test, float alpha) => Evaluator.Accuracy(model, t.Head, test ? t.Test : t.Validation, merged, alpha: alpha, batchSize: 16);
        var validation = Grid.Alphas.Select(a => (tasks.Sum(t => Acc(t, false, a)) / 2, a)).ToList();
        float best = validation.First(v => v.Item1 == validation.Max(w => w.Item1)).a;
        result.AtBestAlpha.Alpha.ShouldBe(best);
        result.ValidationSweep.Select(s => s.Accuracy).ShouldBe(validation.Select(v => v.Item1));
        double[] one = [Acc(tasks[0], true, 1f), Acc(tasks[1], true, 1f)];
        result.AtAlphaOne.PerTask.ShouldBe(one);
        result.AtAlphaOne.Absolute.ShouldBe(one.Average(), 1e-12);
        result.AtAlphaOne.Normalized.ShouldBe((one[0] / 0.9 + one[1] / 0.8) / 2, 1e-12);
        result.AtBestAlpha.PerTask.ShouldBe([Acc(tasks[0], true, best), Acc(tasks[1], true, best)]);
    }

    [Fact]
    public void Negate_PicksLargestAlphaKeepingControl_ReportsTest()
    {
        var model = FineTuneFixture.Vit();
        var target = Task("target", 1);
        var control = Task("control", 2);
        var tau = Vector(model, 6, Regime.NonLinear);
        var options = Grid with { ControlThreshold = 0.95 };
        var result = MergeEvaluation.Negate(model, target, control, tau, "TA", options);

        double Acc(EvaluationTask<Tensor> t, bool test, float alpha) =>
            alpha == 0 ? Evaluator.Accuracy(model, t.Head, test ? t.Test : t.Validation) : Evaluator.Accuracy(model, t.Head, test ? t.Test : t.Validation, -alpha * tau, batchSize: 16);
        double baseControl = Acc(control, false, 0);
        float expected = Grid.Alphas.Where(a => Acc(control, false, a) >= 0.95 * baseControl).DefaultIfEmpty(0f).Max();
        result.Alpha.ShouldBe(expected);
        result.TargetAccuracy.ShouldBe(Acc(target, true, expected));
        result.ControlAccuracy.ShouldBe(Acc(control, true, expected));
        result.BaseTarget.ShouldBe(Acc(target, true, 0));
    }

    [Fact]
    public void Table_PrintsPaperLayout_AndRoundTripsThroughJson()
    {
        var model = FineTuneFixture.Vit();
        var tasks = new[] { Task("a", 1), Task("b", 2) };
        var table = new EvaluationTable();
        table.Merges.Add(MergeEvaluation.Evaluate(model, tasks, Vector(model, 5, Regime.Linearized), [0.9, 0.8], "linear FT", Grid));
        table.Negations.Add(MergeEvaluation.Negate(model, tasks[0], tasks[1], Vector(model, 6, Regime.Linearized), "linear FT", Grid));
        string text = table.ToText();
        text.ShouldContain("linear FT");
        text.ShouldContain("abs  norm");
        text.ShouldContain("85.0"); // mean of the individual accuracies 90 and 80
        var back = EvaluationTable.FromJson(table.ToJson());
        back.ToText().ShouldBe(text);
        back.Merges[0].AtBestAlpha.PerTask.ShouldBe(table.Merges[0].AtBestAlpha.PerTask);
    }

    [Fact]
    public void Evaluate_BadInputs_Throw()
    {
        var model = FineTuneFixture.Vit();
        var tasks = new[] { Task("a", 1) };
        var merged = Vector(model, 5, Regime.NonLinear);
        Should.Throw<ArgumentException>(() => MergeEvaluation.Evaluate(model, tasks, merged, [0.0], "x", Grid)).Message.ShouldContain("'a'");
        Should.Throw<ArgumentException>(() => MergeEvaluation.Evaluate(model, tasks, merged, [0.5, 0.5], "x", Grid));
        Should.Throw<InvalidOperationException>(() => MergeEvaluation.Evaluate(model, tasks, Vector(FineTuneFixture.Vit(seed: 9), 5, Regime.NonLinear), [0.5], "x", Grid));
        Should.Throw<ArgumentException>(() => new EvaluationOptions { Alphas = [] });
        Should.Throw<ArgumentException>(() => new EvaluationOptions { Alphas = [1f, 0.5f] });
        Should.Throw<ArgumentOutOfRangeException>(() => new EvaluationOptions { Alphas = [float.NaN] });
        Should.Throw<ArgumentOutOfRangeException>(() => new EvaluationOptions { ControlThreshold = 0 });
    }
}
