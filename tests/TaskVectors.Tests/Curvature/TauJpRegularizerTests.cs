// Tests of TauJpRegularizer: the penalty β/B·Σ‖J(x;θ0)·τ‖² against a Jacobian assembled column by column
// with unit-tangent JVPs, the gradient against central differences of R(τ) (exactly quadratic, so tight),
// the non-linear regime (θ restored bit for bit, also when a pass throws; same result as the linearized
// setup), tangent restoration, allocation-free steady-state calls, batches chosen by the step alone, and
// fine-tuning with the regularizer (deterministic, shrinks ‖J(x_other)·τ‖ on the other task's data,
// allocation-free steps, a run cancelled midway and resumed from its checkpoint bit-identical to one that was not).
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;
using TaskVectors.Tests.Training;
using TaskVectors.Training;

namespace TaskVectors.Tests.Curvature;

public sealed class TauJpRegularizerTests
{
    // Trainables as the fine-tuner makes them, with a random τ ~ N(0, scale²): linearized (model at θ0,
    // separate θ, trainables' tangents = τ) or non-linear (model holds θ = θ0 + τ, tangents null).
    private static List<TrainableParameter> Trainables(IEmbeddingModel<Tensor> model, ParameterSelection selection, Regime regime, ulong seed = 21, float scale = 0.05f)
    {
        var rng = new Rng(seed);
        var list = new List<TrainableParameter>();
        foreach (var p in model.Parameters) p.Tangent = null;
        foreach (var p in selection.Select(model))
        {
            var theta0 = p.Value.Clone();
            var tau = new Tensor(p.Value.Shape);
            rng.FillNormal(tau.Span, 0f, scale);
            var theta = regime == Regime.Linearized ? new Tensor(p.Value.Shape) : p.Value;
            TensorMath.Add(theta0.Span, tau.Span, theta.Span);
            var t = new TrainableParameter(p, theta0, theta);
            if (regime == Regime.Linearized) p.Tangent = t.Tau;
            list.Add(t);
        }
        return list;
    }

    private static ParameterSelection AllBut(string name) => new() { Include = ["*"], Exclude = [name] };

    // Σ_x ‖J(x; θ0)·τ‖² over the rows of inputs, J built densely: column j is the JVP with tangent e_j.
    private static double DenseSumOfSquares(IEmbeddingModel<Tensor> model, IReadOnlyList<TrainableParameter> trainables, Tensor inputs)
    {
        var saved = model.Parameters.Select(p => p.Tangent).ToArray();
        foreach (var p in model.Parameters) p.Tangent = null;
        var jtau = new double[inputs.Dim(0) * model.EmbeddingDim];
        foreach (var t in trainables)
        {
            var unit = new Tensor(t.Theta0.Shape);
            t.Parameter.Tangent = unit;
            var tau = t.Tau.Span.ToArray();
            for (int j = 0; j < unit.Length; j++)
            {
                unit[j] = 1f;
                var column = model.Jvp(inputs).Tangent.Span;
                for (int r = 0; r < jtau.Length; r++) jtau[r] += (double)column[r] * tau[j];
                unit[j] = 0f;
            }
            t.Parameter.Tangent = null;
        }
        for (int i = 0; i < saved.Length; i++) model.Parameters[i].Tangent = saved[i];
        return jtau.Sum(v => v * v);
    }

    private static Tensor Concat(params ImageData[] sets)
    {
        var all = new Tensor(sets.Sum(s => s.Count), 1, 8, 8);
        int offset = 0;
        foreach (var s in sets)
        {
            s.Images.Span.CopyTo(all.Span[offset..]);
            offset += s.Images.Length;
        }
        return all;
    }

    private static Dictionary<string, float[]> Grads(IEnumerable<TrainableParameter> trainables) =>
        trainables.ToDictionary(t => t.Name, t => t.Grad.Span.ToArray());

    [Fact]
    public void AddPenaltyGradient_WholeSetsInOneBatch_EqualsDenseJacobianPenalty()
    {
        // b = N for both tasks: one call sees every example once, so R = β/(T·N)·Σ_all ‖Jτ‖² whatever the order.
        var model = FineTuneFixture.Mlp();
        var first = FineTuneFixture.Data(count: 6, seed: 11);
        var second = FineTuneFixture.Data(count: 6, seed: 12);
        var trainables = Trainables(model, AllBut("layers.1.bias"), Regime.Linearized);
        const double beta = 3.5;
        var regularizer = new TauJpRegularizer<Tensor>(model, [first, second], batchSizePerTask: 6, beta, seed: 7);

        double penalty = regularizer.AddPenaltyGradient(trainables, step: 0);

        double expected = beta / 12 * DenseSumOfSquares(model, trainables, Concat(first, second));
        expected.ShouldBeGreaterThan(1e-4);
        penalty.ShouldBe(expected, 1e-4 * expected);
    }

    [Fact]
    public void AddPenaltyGradient_TwoHalfBatches_CoverEachTaskOnce_AndSumToTwiceTheFullPenalty()
    {
        // b = N/2: calls 0 and 1 read the two halves of epoch 0 of every task, each call normalized by B = T·N/2.
        var model = FineTuneFixture.Mlp();
        var first = FineTuneFixture.Data(count: 6, seed: 11);
        var second = FineTuneFixture.Data(count: 6, seed: 12);
        var trainables = Trainables(model, ParameterSelection.Full, Regime.Linearized);
        const double beta = 2;
        var regularizer = new TauJpRegularizer<Tensor>(model, [first, second], batchSizePerTask: 3, beta, seed: 8);

        double r0 = regularizer.AddPenaltyGradient(trainables, step: 0);
        double r1 = regularizer.AddPenaltyGradient(trainables, step: 1);
        regularizer.Calls.ShouldBe(2);

        double full = beta / 12 * DenseSumOfSquares(model, trainables, Concat(first, second));
        (r0 + r1).ShouldBe(2 * full, 1e-4 * full);
        r0.ShouldNotBe(r1);
        // The batch is a function of the step alone: step 0 again, and step 2 = epoch 1's first half, in any order.
        regularizer.AddPenaltyGradient(trainables, step: 0).ShouldBe(r0);
        var fresh = new TauJpRegularizer<Tensor>(model, [first, second], batchSizePerTask: 3, beta, seed: 8);
        double r2 = fresh.AddPenaltyGradient(trainables, step: 2);
        fresh.AddPenaltyGradient(trainables, step: 1).ShouldBe(r1);
        regularizer.AddPenaltyGradient(trainables, step: 2).ShouldBe(r2);
        regularizer.Calls.ShouldBe(4);
    }

    [Fact]
    public void AddPenaltyGradient_Gradient_MatchesCentralDifferencesOfPenalty_AndAddsToGrad()
    {
        var model = FineTuneFixture.Vit();
        var trainables = Trainables(model, ParameterSelection.LinearizedTak, Regime.Linearized);
        var regularizer = new TauJpRegularizer<Tensor>(model, [FineTuneFixture.Data(count: 10, seed: 11), FineTuneFixture.Data(count: 7, seed: 12)],
            batchSizePerTask: 4, strength: 5, seed: 3);
        var rng = new Rng(31);
        foreach (var p in model.Parameters) p.ZeroGrad();
        foreach (var t in trainables) rng.FillNormal(t.Grad.Span);
        var before = Grads(trainables);

        const long step = 1;   // a batch that is not the first of either task
        double penalty = regularizer.AddPenaltyGradient(trainables, step);
        penalty.ShouldBeGreaterThan(0);
        var grad = trainables.ToDictionary(t => t.Name, t => t.Grad.Span.ToArray().Zip(before[t.Name], (after, b) => (double)after - b).ToArray());

        double PenaltyAt(Func<TrainableParameter, int, double> shift)
        {
            var saved = trainables.Select(t => t.Tau.Span.ToArray()).ToList();
            foreach (var t in trainables)
            {
                var span = t.Tau.Span;
                for (int j = 0; j < span.Length; j++) span[j] = (float)(span[j] + shift(t, j));
            }
            double r = regularizer.AddPenaltyGradient(trainables, step);
            for (int k = 0; k < trainables.Count; k++) saved[k].CopyTo(trainables[k].Tau.Span);
            return r;
        }

        // R is exactly quadratic in τ, so the central difference is exact up to rounding even for a large step.
        PenaltyAt((_, _) => 0).ShouldBe(penalty);
        const double eps = 0.02;
        for (int d = 0; d < 3; d++)
        {
            var v = trainables.ToDictionary(t => t.Name, t =>
            {
                var x = new float[t.Tau.Length];
                rng.FillNormal(x);
                return x;
            });
            double fd = (PenaltyAt((t, j) => eps * v[t.Name][j]) - PenaltyAt((t, j) => -eps * v[t.Name][j])) / (2 * eps);
            double analytic = trainables.Sum(t => grad[t.Name].Zip(v[t.Name], (g, x) => g * x).Sum());
            analytic.ShouldBe(fd, 1e-3 * Math.Abs(fd) + 1e-6, $"direction {d}");
        }
        // Single coordinates: the largest gradient entry of a few tensors.
        foreach (var t in trainables.Where((_, i) => i % 5 == 0))
        {
            var g = grad[t.Name];
            int j = Array.IndexOf(g, g.MaxBy(Math.Abs));
            const double h = 0.05;
            double fd = (PenaltyAt((s, k) => s == t && k == j ? h : 0) - PenaltyAt((s, k) => s == t && k == j ? -h : 0)) / (2 * h);
            g[j].ShouldBe(fd, 1e-3 * Math.Abs(fd) + 1e-5, $"∂R/∂{t.Name}[{j}]");
        }
    }

    [Fact]
    public void AddPenaltyGradient_NonLinear_RestoresThetaBitwise_AndMatchesLinearizedSetup()
    {
        var nonLinear = FineTuneFixture.Vit();
        var linearized = FineTuneFixture.Vit();
        var data = new[] { FineTuneFixture.Data(count: 9, seed: 11), FineTuneFixture.Data(count: 5, seed: 12) };
        var a = Trainables(nonLinear, ParameterSelection.LinearizedTak, Regime.NonLinear);
        var b = Trainables(linearized, ParameterSelection.LinearizedTak, Regime.Linearized);
        foreach (var model in new IEmbeddingModel<Tensor>[] { nonLinear, linearized })
            foreach (var p in model.Parameters) p.ZeroGrad();
        var theta = FineTuneFixture.Values(nonLinear);
        var regA = new TauJpRegularizer<Tensor>(nonLinear, data, batchSizePerTask: 4, strength: 10, seed: 4);
        var regB = new TauJpRegularizer<Tensor>(linearized, data, batchSizePerTask: 4, strength: 10, seed: 4);

        for (int call = 0; call < 2; call++)
        {
            double ra = regA.AddPenaltyGradient(a, call);
            double rb = regB.AddPenaltyGradient(b, call);
            ra.ShouldBeGreaterThan(0);
            ra.ShouldBe(rb);
            foreach (var p in nonLinear.Parameters) ArrayAssert.Equal(p.Value.Span, theta[p.Name], p.Name);
            for (int i = 0; i < a.Count; i++)
            {
                ArrayAssert.Equal(a[i].Tau.Span, b[i].Tau.Span);
                ArrayAssert.Equal(a[i].Grad.Span, b[i].Grad.Span, a[i].Name);
            }
        }
    }

    [Fact]
    public void AddPenaltyGradient_NonLinear_PassThrows_RestoresThetaAndTangents()
    {
        var model = FineTuneFixture.Vit();
        var trainables = Trainables(model, AllBut("*post_layernorm.bias"), Regime.NonLinear);
        var untrained = model.Parameters.Single(p => p.Name.EndsWith("post_layernorm.bias", StringComparison.Ordinal));
        var stale = new Tensor(untrained.Value.Shape);
        untrained.Tangent = stale;
        var failing = new FailingData(FineTuneFixture.Data(count: 8, seed: 12));
        var regularizer = new TauJpRegularizer<Tensor>(model, [FineTuneFixture.Data(count: 8, seed: 11), failing], batchSizePerTask: 4, strength: 1, seed: 2);
        var theta = FineTuneFixture.Values(model);

        failing.Fail = true;
        Should.Throw<InvalidOperationException>(() => regularizer.AddPenaltyGradient(trainables, step: 0)).Message.ShouldBe(FailingData.Message);

        foreach (var p in model.Parameters) ArrayAssert.Equal(p.Value.Span, theta[p.Name], p.Name);
        untrained.Tangent.ShouldBeSameAs(stale);
        foreach (var t in trainables) t.Parameter.Tangent.ShouldBeNull();
        regularizer.Calls.ShouldBe(0);
        failing.Fail = false;
        regularizer.AddPenaltyGradient(trainables, step: 0).ShouldBeGreaterThan(0);
        foreach (var p in model.Parameters) ArrayAssert.Equal(p.Value.Span, theta[p.Name], p.Name);
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void AddPenaltyGradient_RestoresEveryTangent_AndIgnoresUntrainedTangents(Regime regime)
    {
        // A stale tangent on an untrained parameter must neither enter J·τ nor be lost.
        var model = FineTuneFixture.Vit();
        const string frozen = "*layers.1.mlp.fc2.weight";
        var trainables = Trainables(model, AllBut(frozen), regime);
        var untrained = model.Parameters.Single(p => p.Name.EndsWith("layers.1.mlp.fc2.weight", StringComparison.Ordinal));
        var data = new[] { FineTuneFixture.Data(count: 8, seed: 11) };
        var clean = new TauJpRegularizer<Tensor>(model, data, batchSizePerTask: 8, strength: 1, seed: 2).AddPenaltyGradient(trainables, step: 0);
        var before = model.Parameters.Select(p => p.Tangent).ToArray();
        var stale = new Tensor(untrained.Value.Shape);
        new Rng(5).FillNormal(stale.Span);
        untrained.Tangent = stale;
        before[model.Parameters.ToList().IndexOf(untrained)] = stale;

        double withStale = new TauJpRegularizer<Tensor>(model, data, batchSizePerTask: 8, strength: 1, seed: 2).AddPenaltyGradient(trainables, step: 0);

        withStale.ShouldBe(clean);
        for (int i = 0; i < before.Length; i++) model.Parameters[i].Tangent.ShouldBeSameAs(before[i], model.Parameters[i].Name);
        foreach (var t in trainables)
            if (regime == Regime.Linearized) t.Parameter.Tangent.ShouldBeSameAs(t.Tau);
            else t.Parameter.Tangent.ShouldBeNull();
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void AddPenaltyGradient_AfterFirstCall_AllocatesNothing(Regime regime)
    {
        var model = FineTuneFixture.Vit();
        var trainables = Trainables(model, ParameterSelection.LinearizedTak, regime);
        var regularizer = new TauJpRegularizer<Tensor>(model, [FineTuneFixture.Data(count: 10, seed: 11), FineTuneFixture.Data(count: 7, seed: 12)],
            batchSizePerTask: 4, strength: 1, seed: 2);
        SteadyStateAllocations.AssertNone(() => regularizer.AddPenaltyGradient(trainables, step: 3));
    }

    [Fact]
    public void AddPenaltyGradient_ZeroStrength_ReturnsZero_AndLeavesGradients()
    {
        var model = FineTuneFixture.Vit();
        var trainables = Trainables(model, ParameterSelection.LinearizedTak, Regime.Linearized);
        foreach (var t in trainables) t.Grad.Fill(0.25f);
        var regularizer = new TauJpRegularizer<Tensor>(model, [FineTuneFixture.Data(count: 8)], batchSizePerTask: 4, strength: 0, seed: 2);
        regularizer.AddPenaltyGradient(trainables, step: 0).ShouldBe(0);
        regularizer.Calls.ShouldBe(1);
        foreach (var t in trainables) t.Grad.Span.ToArray().ShouldAllBe(g => g == 0.25f);
    }

    [Fact]
    public void Constructor_And_Call_InvalidArguments_Throw()
    {
        var model = FineTuneFixture.Vit();
        var data = FineTuneFixture.Data(count: 8);
        var empty = new ImageData(new Tensor(0, 1, 8, 8), [], 3, "empty set");
        Should.Throw<ArgumentException>(() => new TauJpRegularizer<Tensor>(model, [], 4, 1, 0)).Message.ShouldContain("at least one other task");
        Should.Throw<ArgumentException>(() => new TauJpRegularizer<Tensor>(model, [data, empty], 4, 1, 0)).Message.ShouldContain("empty set");
        Should.Throw<ArgumentOutOfRangeException>(() => new TauJpRegularizer<Tensor>(model, [data], 0, 1, 0));
        Should.Throw<ArgumentException>(() => new TauJpRegularizer<Tensor>(model, [data], 4, -1, 0)).Message.ShouldContain("β");
        Should.Throw<ArgumentException>(() => new TauJpRegularizer<Tensor>(model, [data], 4, double.NaN, 0)).Message.ShouldContain("β");

        var regularizer = new TauJpRegularizer<Tensor>(model, [data], 4, 1, 0);
        regularizer.Name.ShouldBe("tau-jp");
        regularizer.TaskCount.ShouldBe(1);
        var foreign = Trainables(FineTuneFixture.Vit(seed: 2), ParameterSelection.AttentionOnly, Regime.Linearized);
        Should.Throw<ArgumentException>(() => regularizer.AddPenaltyGradient(foreign, step: 0)).Message.ShouldContain("not a parameter of the regularized model");
        var own = Trainables(model, ParameterSelection.AttentionOnly, Regime.Linearized);
        Should.Throw<ArgumentOutOfRangeException>(() => regularizer.AddPenaltyGradient(own, step: -1));
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void FineTuner_WithTauJp_IsDeterministic_AndShrinksDriftOnOtherTask(Regime regime)
    {
        var other = FineTuneFixture.Data(count: 24, seed: 17);
        var options = new FineTuneOptions
        {
            Regime = regime, Steps = 8, BatchSize = 8, WarmupSteps = 2, LearningRate = 1e-2, Seed = 5,
        };
        TaskVector Train(double? beta)
        {
            var model = FineTuneFixture.Vit();
            IRegularizer[] regularizers = beta is { } s ? [new TauJpRegularizer<Tensor>(model, [other], batchSizePerTask: 8, s, seed: 9)] : [];
            return new FineTuner<Tensor>(model, FineTuneFixture.Head(), options with { Regularizers = regularizers }).Run(FineTuneFixture.Data());
        }
        // Σ_x ‖J(x; θ0)·τ‖² over the whole other task.
        double Drift(TaskVector tau)
        {
            var model = FineTuneFixture.Vit();
            foreach (var p in model.Parameters) p.Tangent = tau.Tensors.TryGetValue(p.Name, out var t) ? t : null;
            return TensorMath.SumOfSquaresDouble(model.Jvp(other.Images).Tangent.Span);
        }

        var free = Train(null);
        var regularized = Train(100);
        var again = Train(100);
        foreach (var (name, t) in regularized.Tensors) ArrayAssert.Equal(again.Tensors[name].Span, t.Span, name);
        regularized.Metadata["regularizers"].ShouldBe("tau-jp");

        double driftFree = Drift(free), driftRegularized = Drift(regularized);
        driftFree.ShouldBeGreaterThan(0);
        driftRegularized.ShouldBeLessThan(0.5 * driftFree);
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void FineTuner_WithTauJp_CancelledMidwayAndResumed_BitIdenticalToUninterruptedRun(Regime regime)
    {
        // 9 steps of b = 8 over other tasks of 12 and 7 examples cross several epochs of both orders; the run is
        // cancelled after step 5 (last checkpoint: step 4) and resumed by a fresh process (new model, new regularizer).
        var others = new[] { FineTuneFixture.Data(count: 12, seed: 17), FineTuneFixture.Data(count: 7, seed: 18) };
        string dir = Directory.CreateTempSubdirectory("tv-taujp-").FullName;
        try
        {
            var options = new FineTuneOptions
            {
                Regime = regime, Steps = 9, BatchSize = 8, WarmupSteps = 2, LearningRate = 1e-2, Seed = 5,
            };
            FineTuner<Tensor> Tuner(FineTuneOptions o)
            {
                var model = FineTuneFixture.Vit();
                return new FineTuner<Tensor>(model, FineTuneFixture.Head(), o with
                {
                    Regularizers = [new TauJpRegularizer<Tensor>(model, others, batchSizePerTask: 8, strength: 50, seed: 9)],
                });
            }
            var reference = Tuner(options).Run(FineTuneFixture.Data());

            var resumable = options with { CheckpointPath = Path.Combine(dir, "run.ckpt.safetensors"), CheckpointEvery = 2 };
            using var cts = new CancellationTokenSource();
            var stopAtFive = new SynchronousProgress<FineTuneProgress>(p =>
            {
                if (p.Step == 5) cts.Cancel();
            });
            Should.Throw<OperationCanceledException>(() => Tuner(resumable).Run(FineTuneFixture.Data(), stopAtFive, cts.Token));
            int resumedSteps = 0;
            var resumed = Tuner(resumable).Run(FineTuneFixture.Data(), new SynchronousProgress<FineTuneProgress>(_ => resumedSteps++));

            resumedSteps.ShouldBe(5);   // steps 5..9: the run did resume rather than start over
            foreach (var (name, t) in reference.Tensors) ArrayAssert.Equal(resumed.Tensors[name].Span, t.Span, name);
            reference.Tensors.Values.Sum(t => TensorMath.Norm(t.Span)).ShouldBeGreaterThan(0f);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void FineTuner_WithTauJpOfTrainingBatchSize_SteadyStateStepsAllocateNothing(Regime regime)
    {
        // b equal to the micro-batch: the model's shape-keyed workspaces serve both passes, so steps stay allocation-free.
        const int steps = 30;
        var marks = new long[steps];
        var model = FineTuneFixture.Vit();
        var options = new FineTuneOptions
        {
            Regime = regime, Steps = steps, BatchSize = 8, WarmupSteps = 2, LearningRate = 1e-2, Seed = 5,
            Regularizers = [new TauJpRegularizer<Tensor>(model, [FineTuneFixture.Data(count: 24, seed: 17), FineTuneFixture.Data(count: 9, seed: 18)], 8, 10, 9)],
        };
        new FineTuner<Tensor>(model, FineTuneFixture.Head(), options)
            .Run(FineTuneFixture.Data(), new SynchronousProgress<FineTuneProgress>(p => marks[p.Step - 1] = GC.GetAllocatedBytesForCurrentThread()));
        (marks[^1] - marks[10]).ShouldBe(0, $"steps 12..{steps} allocated");
    }

    // A data source whose Fill throws while Fail is set.
    private sealed class FailingData(ImageData inner) : ILabeledData<Tensor>
    {
        public const string Message = "injected failure";

        public bool Fail { get; set; }

        public int Count => inner.Count;

        public int Classes => inner.Classes;

        public string Description => inner.Description;

        public int Label(int index) => inner.Label(index);

        public Tensor CreateBatch(int size) => inner.CreateBatch(size);

        public void Fill(Tensor batch, ReadOnlySpan<int> indices)
        {
            if (Fail) throw new InvalidOperationException(Message);
            inner.Fill(batch, indices);
        }
    }
}
