// Tests of the fluent builder: a small TAK plan equals the direct calls bit for bit; the cache makes a second run
// recompute nothing and a changed β recompute only the fine-tunes; invalid settings fail at the call; plans branch
// independently; a cancelled run resumes from its checkpoint to the uninterrupted result; negation and progress order.
using TaskVectors.Building;
using TaskVectors.Curvature;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Training;
using TaskVectors.Training;

namespace TaskVectors.Tests.Building;

[Collection(nameof(ThreadLimitCollection))]
public sealed class TaskArithmeticPlanTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("tv-builder-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static TaskArithmeticPlan<Tensor> Tak(BuilderFixture f, double beta) =>
        f.Plan().WithKfacRegularizer(beta, BuilderFixture.Kfac).Merge("task_arithmetic", AlphaSelection.Search(BuilderFixture.Grid)).Evaluate();

    private static List<PlanProgress> Recorded(out IProgress<PlanProgress> progress)
    {
        var events = new List<PlanProgress>();
        progress = new InlineProgress<PlanProgress>(events.Add);
        return events;
    }

    [Fact]
    public async Task RunAsync_TakPlan_EqualsDirectCallsBitForBit()
    {
        var f = new BuilderFixture();
        var expected = f.Direct(beta: 10);
        var result = await Tak(f, 10).RunAsync();

        for (int t = 0; t < f.Tasks.Length; t++) BuilderFixture.ShouldBeBitIdentical(result.TaskVectors[f.Tasks[t].Name], expected.Vectors[t], $"τ of {f.Tasks[t].Name}");
        BuilderFixture.ShouldBeBitIdentical(result.Merged!.TaskVector, expected.Merged, "τ*");
        result.Merged.Alpha.ShouldBe(expected.Alpha);
        var row = result.Evaluation!.Merges.Single();
        row.Method.ShouldBe("linear FT + TAK (β = 10), task_arithmetic");
        row.Individual.ShouldBe(expected.Individual);
        row.AtBestAlpha.Alpha.ShouldBe(expected.Alpha);
        row.AtBestAlpha.PerTask.ShouldBe(expected.AtAlpha);
        row.AtBestAlpha.Absolute.ShouldBe(expected.AtAlpha.Average());
        result.Factors.Count.ShouldBe(3);
        result.FactorFiles.ShouldBeEmpty(); // no cache: nothing written
    }

    [Fact]
    public void Run_SecondRunWithCache_RecomputesNothingAndGivesTheSameVectors()
    {
        var f = new BuilderFixture();
        var plan = Tak(f, 10).WithCache(_cache);
        var first = plan.Run();
        var events = Recorded(out var progress);
        var second = plan.Run(progress);

        first.Computed.Count.ShouldBe(6);
        second.Computed.ShouldBeEmpty();
        second.Reused.ShouldBe(["factors/task0", "factors/task1", "factors/task2", "fine-tune/task0", "fine-tune/task1", "fine-tune/task2"]);
        events.Where(e => e.Stage is PlanStage.Factors or PlanStage.FineTune).ShouldAllBe(e => e.FromCache && e.Completed);
        foreach (var t in f.Tasks) BuilderFixture.ShouldBeBitIdentical(second.TaskVectors[t.Name], first.TaskVectors[t.Name], t.Name);
        second.Evaluation!.Merges[0].AtBestAlpha.ShouldBeEquivalentTo(first.Evaluation!.Merges[0].AtBestAlpha);
        second.FactorFiles.Values.ShouldAllBe(p => File.Exists(p));
        second.TaskVectorFiles.Values.ShouldAllBe(p => File.Exists(p));
        Directory.GetFiles(Path.Combine(_cache, "checkpoints")).ShouldBeEmpty();
    }

    [Fact]
    public void Run_ChangedBeta_RecomputesOnlyTheFineTunes()
    {
        var f = new BuilderFixture();
        Tak(f, 1).WithCache(_cache).Run();
        var changed = Tak(f, 10).WithCache(_cache).Run();

        changed.Reused.ShouldBe(["factors/task0", "factors/task1", "factors/task2"]);
        changed.Computed.ShouldBe(["fine-tune/task0", "fine-tune/task1", "fine-tune/task2"]);
        var expected = f.Direct(beta: 10);
        for (int t = 0; t < f.Tasks.Length; t++) BuilderFixture.ShouldBeBitIdentical(changed.TaskVectors[f.Tasks[t].Name], expected.Vectors[t], f.Tasks[t].Name);
    }

    [Fact]
    public void Run_ChangedStepsOfOneTask_RecomputesOnlyThatFineTune()
    {
        var f = new BuilderFixture();
        f.Plan().WithCache(_cache).Run();
        var t = f.Tasks[1];
        var changed = f.Tasks.Aggregate(TaskArithmetic.Base(f.Model).WithFineTuneOptions(BuilderFixture.Options).WithCache(_cache), (plan, x) =>
            plan.FineTune(x.Name, x.Train, x.Head, options: x.Name == t.Name ? BuilderFixture.Options with { Steps = 4 } : null)).Run();

        changed.Computed.ShouldBe(["fine-tune/task1"]);
        changed.Reused.ShouldBe(["fine-tune/task0", "fine-tune/task2"]);
    }

    [Fact]
    public void Calls_InvalidSettings_ThrowAtTheCall()
    {
        var f = new BuilderFixture();
        var plan = f.Plan();
        var t = f.Tasks[0];
        Should.Throw<ArgumentOutOfRangeException>(() => plan.WithKfacRegularizer(-1)).ParamName.ShouldBe("beta");
        Should.Throw<ArgumentOutOfRangeException>(() => plan.WithDiagonalGgnRegularizer(double.NaN));
        Should.Throw<ArgumentOutOfRangeException>(() => plan.WithKfacRegularizer(10, new KfacOptions { Probes = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => new TauJpOptions { Beta = double.PositiveInfinity });
        Should.Throw<ArgumentException>(() => plan.FineTune(t.Name, t.Train, t.Head)).Message.ShouldContain("already has a task named 'task0'");
        Should.Throw<ArgumentException>(() => plan.FineTune("new", t.Train, t.Head, options: BuilderFixture.Options with { Steps = 0 })).Message.ShouldContain("Steps");
        Should.Throw<ArgumentException>(() => plan.WithFineTuneOptions(new FineTuneOptions { LearningRate = double.NaN })).Message.ShouldContain("LearningRate");
        Should.Throw<ArgumentException>(() => plan.FineTune(" ", t.Train, t.Head));
        Should.Throw<ArgumentException>(() => plan.FineTune("wide", t.Train, FineTuneFixture.Head(features: 7))).Message.ShouldContain("6");
        Should.Throw<ArgumentException>(() => plan.Merge("no_such_method")).Message.ShouldContain("task_arithmetic");
        Should.Throw<ArgumentException>(() => AlphaSelection.Search(float.NaN));
        Should.Throw<ArgumentException>(() => AlphaSelection.Search(1f, 0.5f)).Message.ShouldContain("ascend");
        Should.Throw<ArgumentOutOfRangeException>(() => plan.Merge("ties", float.PositiveInfinity));
        Should.Throw<ArgumentException>(() => plan.Negate("task9", "task1")).ParamName.ShouldBe("task");
        Should.Throw<ArgumentException>(() => plan.Negate("task0", "task0")).ParamName.ShouldBe("control");
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { Density = 0 });
        Should.Throw<InvalidOperationException>(() => TaskArithmetic.Base(f.Model).Build()).Message.ShouldContain("no tasks");
        Should.Throw<InvalidOperationException>(() => TaskArithmetic.Base(f.Model).FineTune(t.Name, t.Train, t.Head).WithKfacRegularizer().Build())
            .Message.ShouldContain("at least one other task");
        Should.Throw<InvalidOperationException>(() => TaskArithmetic.Base(f.Model).FineTune(t.Name, t.Train, t.Head).Merge("ties", AlphaSelection.Search()).Build())
            .Message.ShouldContain("validation");
        Should.Throw<InvalidOperationException>(() => plan.Evaluate().Build()).Message.ShouldContain("Merge");
    }

    [Fact]
    public void Branches_OfOnePlan_AreIndependent()
    {
        var f = new BuilderFixture(tasks: 2);
        var shared = f.Plan();
        var tak = shared.WithKfacRegularizer(10, BuilderFixture.Kfac);
        var plain = tak.WithoutRegularizer().Merge("task_arithmetic");
        var extra = shared.FineTune("extra", f.Tasks[0].Train, f.Tasks[0].Head);

        shared.Tasks.Count.ShouldBe(2);
        extra.Tasks.Count.ShouldBe(3);
        var plainResult = plain.Run();
        var takResult = tak.Run();
        var direct = new FineTuner<Tensor>(f.Model, f.Tasks[0].Head, BuilderFixture.Options).Run(f.Tasks[0].Train);
        BuilderFixture.ShouldBeBitIdentical(plainResult.TaskVectors["task0"], direct, "plain branch");
        takResult.Merged.ShouldBeNull();
        takResult.TaskVectors["task0"].Metadata["regularizers"].ShouldBe("tak");
        plainResult.TaskVectors["task0"].Metadata["regularizers"].ShouldBe("");
    }

    [Fact]
    public void Run_CancelledMidFineTune_ResumesFromCheckpointToTheUninterruptedResult()
    {
        var f = new BuilderFixture();
        var plan = Tak(f, 10).WithCache(_cache, checkpointEvery: 2);
        using var cts = new CancellationTokenSource();
        var cancelAt = new InlineProgress<PlanProgress>(e =>
        {
            if (e is { Stage: PlanStage.FineTune, Task: "task1", Done: 5 }) cts.Cancel();
        });
        Should.Throw<OperationCanceledException>(() => plan.Run(cancelAt, cts.Token));
        Directory.GetFiles(Path.Combine(_cache, "checkpoints")).Length.ShouldBe(1);

        var events = Recorded(out var progress);
        var resumed = plan.Run(progress);
        resumed.Reused.ShouldBe(["factors/task0", "factors/task1", "factors/task2", "fine-tune/task0"]);
        resumed.Computed.ShouldBe(["fine-tune/task1", "fine-tune/task2"]);
        events.First(e => e is { Stage: PlanStage.FineTune, Task: "task1" }).Done.ShouldBe(5); // steps 1–4 came from the checkpoint
        var expected = f.Direct(beta: 10);
        for (int t = 0; t < f.Tasks.Length; t++) BuilderFixture.ShouldBeBitIdentical(resumed.TaskVectors[f.Tasks[t].Name], expected.Vectors[t], f.Tasks[t].Name);
    }

    [Fact]
    public void Run_Progress_IsReportedInOrderBeforeRunReturns()
    {
        var f = new BuilderFixture(tasks: 2);
        var events = Recorded(out var progress);
        f.Plan().WithKfacRegularizer(10, BuilderFixture.Kfac).Merge("task_arithmetic").Run(progress);

        events.Select(e => e.Stage).ShouldBe(events.Select(e => e.Stage).Order());
        var task0Steps = events.Where(e => e is { Stage: PlanStage.FineTune, Task: "task0" }).Select(e => e.Done).ToList();
        task0Steps.ShouldBe([1, 2, 3, 4, 5, 6]);
        events.Last().Stage.ShouldBe(PlanStage.Merge);
    }

    [Fact]
    public void Run_Negate_EqualsTheProtocolOnTheDirectTaskVector()
    {
        var f = new BuilderFixture(tasks: 2);
        var options = new EvaluationOptions { Alphas = [0.5f, 1f, 2f], ControlThreshold = 0.5 };
        var table = f.Plan().Negate("task0", "task1", options).Run().Evaluation!;

        var tau = new FineTuner<Tensor>(f.Model, f.Tasks[0].Head, BuilderFixture.Options).Run(f.Tasks[0].Train);
        var tasks = f.Tasks.Select(t => new EvaluationTask<Tensor>(t.Name, t.Head, t.Validation, t.Test)).ToList();
        var expected = MergeEvaluation.Negate(f.Model, tasks[0], tasks[1], tau, "linear FT", options);
        table.Merges.ShouldBeEmpty();
        table.Negations.Single().ShouldBeEquivalentTo(expected);
    }

    [Fact]
    public void Base_ByName_UsesTheResolver()
    {
        var f = new BuilderFixture(tasks: 1);
        TaskArithmetic.Base<Tensor>("tiny-vit", name => name == "tiny-vit" ? f.Model : throw new ArgumentException($"unknown {name}")).Model.ShouldBeSameAs(f.Model);
        Should.Throw<ArgumentException>(() => TaskArithmetic.Base<Tensor>("other", name => throw new ArgumentException($"unknown {name}")));
    }
}
