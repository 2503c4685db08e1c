// Tests of FineTuner: the linearized regime's gradient against finite differences of the linearized
// loss, determinism (seed, thread count), resume after cancellation, errors, regularizer calls,
// parameter selection, the model left at θ0, and allocation-free steady-state steps.
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Threading;
using TaskVectors.Training;

namespace TaskVectors.Tests.Training;

[Collection(nameof(ThreadLimitCollection))]
public sealed class FineTunerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-ft-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FineTuneOptions Quick(Regime regime) => new()
    {
        Regime = regime,
        Steps = 6,
        BatchSize = 8,
        WarmupSteps = 2,
        LearningRate = 1e-2,
        Seed = 5,
    };

    [Fact]
    public void Linearized_OneSgdStep_MovesTauByMinusLrTimesFiniteDifferenceGradient()
    {
        // With plain SGD, no warm-up and one step, τ₁ = −lr·∇L_lin(0) where L_lin(τ) = CE(head(f(x;θ0) + J(x;θ0)·τ)).
        var model = FineTuneFixture.Vit();
        var head = FineTuneFixture.Head();
        var data = FineTuneFixture.Data(count: 8);
        const double lr = 0.5;
        var options = new FineTuneOptions
        {
            Regime = Regime.Linearized, Steps = 1, BatchSize = 8, WarmupSteps = 0, LearningRate = lr,
            Optimizer = OptimizerKind.SgdMomentum, Momentum = 0, WeightDecay = 0, Seed = 1,
        };
        var tau = new FineTuner<Tensor>(model, head, options).Run(data);

        // The finite-difference side: the whole batch (order does not matter for the mean loss).
        var images = data.Images;
        var labels = Enumerable.Range(0, 8).Select(data.Label).ToArray();
        var loss = new SoftmaxCrossEntropy();
        var parameters = model.Parameters.Where(p => tau.Tensors.ContainsKey(p.Name)).ToList();
        double LinearizedLoss(IReadOnlyDictionary<string, Tensor> direction, double eps)
        {
            foreach (var p in parameters)
            {
                var t = new Tensor(p.Value.Shape);
                TensorMath.Scale(direction[p.Name].Span, (float)eps, t.Span);
                p.Tangent = t;
            }
            var d = model.Jvp(images);
            var f = new Tensor(d.Primal.Shape);
            TensorMath.Add(d.Primal.Span, d.Tangent.Span, f.Span);
            foreach (var p in parameters) p.Tangent = null;
            return loss.Forward(head.Forward(f), labels);
        }
        var rng = new Rng(9);
        for (int k = 0; k < 3; k++)
        {
            var v = parameters.ToDictionary(p => p.Name, p =>
            {
                var t = new Tensor(p.Value.Shape);
                rng.FillNormal(t.Span);
                return t;
            });
            double fd = (LinearizedLoss(v, 1e-3) - LinearizedLoss(v, -1e-3)) / 2e-3;
            double fromTau = parameters.Sum(p => TensorMath.Dot(tau.Tensors[p.Name].Span, v[p.Name].Span)) / -lr;
            fromTau.ShouldBe(fd, 2e-3 + 1e-2 * Math.Abs(fd));
        }
    }

    [Fact]
    public void Linearized_SmallTau_AgreesWithModelAtThetaPlusTauToFirstOrder()
    {
        var model = FineTuneFixture.Vit();
        var images = FineTuneFixture.Data(count: 4).Images;
        var rng = new Rng(4);
        var tau = model.Parameters.ToDictionary(p => p.Name, p =>
        {
            var t = new Tensor(p.Value.Shape);
            rng.FillNormal(t.Span, 0f, 0.1f);
            return t;
        });
        var theta0 = FineTuneFixture.Values(model);
        double Gap(float scale)
        {
            foreach (var p in model.Parameters)
            {
                var t = new Tensor(p.Value.Shape);
                TensorMath.Scale(tau[p.Name].Span, scale, t.Span);
                p.Tangent = t;
            }
            var d = model.Jvp(images);
            var lin = new float[d.Primal.Length];
            TensorMath.Add(d.Primal.Span, d.Tangent.Span, lin);
            foreach (var p in model.Parameters)
            {
                p.Tangent = null;
                TensorMath.AddScaled(tau[p.Name].Span, scale, p.Value.Span);
            }
            var exact = model.Forward(images).Span.ToArray();
            foreach (var p in model.Parameters) theta0[p.Name].CopyTo(p.Value.Span);
            return Math.Sqrt(exact.Zip(lin).Sum(z => (double)(z.First - z.Second) * (z.First - z.Second)));
        }
        double g1 = Gap(0.2f), g2 = Gap(0.1f), g3 = Gap(0.05f);
        // The remainder of a first-order expansion is O(‖τ‖²): halving τ quarters it.
        (g1 / g2).ShouldBeInRange(3.0, 5.0);
        (g2 / g3).ShouldBeInRange(3.0, 5.0);
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void Run_SameSeed_BitIdentical_AndModelLeftAtTheta0(Regime regime)
    {
        var model = FineTuneFixture.Vit();
        var before = FineTuneFixture.Values(model);
        var a = new FineTuner<Tensor>(model, FineTuneFixture.Head(), Quick(regime)).Run(FineTuneFixture.Data());
        foreach (var p in model.Parameters) ArrayAssert.Equal(p.Value.Span, before[p.Name], p.Name);
        var b = new FineTuner<Tensor>(model, FineTuneFixture.Head(), Quick(regime)).Run(FineTuneFixture.Data());
        foreach (var (name, t) in a.Tensors) ArrayAssert.Equal(b.Tensors[name].Span, t.Span, name);
        a.Tensors.Values.Sum(t => TensorMath.Norm(t.Span)).ShouldBeGreaterThan(0f);
        var c = new FineTuner<Tensor>(model, FineTuneFixture.Head(), Quick(regime) with { Seed = 6 }).Run(FineTuneFixture.Data());
        c.Tensors.Any(kv => !kv.Value.Span.SequenceEqual(a.Tensors[kv.Key].Span)).ShouldBeTrue();
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void Run_OneThreadOrAll_BitIdentical(Regime regime)
    {
        TaskVector Train()
        {
            var model = FineTuneFixture.Vit();
            return new FineTuner<Tensor>(model, FineTuneFixture.Head(), Quick(regime) with { BatchSize = 16 }).Run(FineTuneFixture.Data());
        }
        var all = Train();
        // Every provider parallelizes through ParallelLoop (OpenBLAS itself runs single-threaded), so this limit is the
        // whole thread count.
        ParallelLoop.ThreadLimit = 1;
        try
        {
            var one = Train();
            foreach (var (name, t) in all.Tensors) ArrayAssert.Equal(one.Tensors[name].Span, t.Span, name);
        }
        finally
        {
            ParallelLoop.ThreadLimit = int.MaxValue;
        }
    }

    [Fact]
    public void Run_CancelledMidway_ResumesFromCheckpointToIdenticalResult()
    {
        string path = Path.Combine(_dir, "run.ckpt.safetensors");
        var options = Quick(Regime.Linearized) with { CheckpointPath = path, CheckpointEvery = 2 };
        var reference = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), Quick(Regime.Linearized)).Run(FineTuneFixture.Data());

        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<FineTuneProgress>(p =>
        {
            if (p.Step == 3) cts.Cancel();
        });
        Should.Throw<OperationCanceledException>(() =>
            new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data(), progress, cts.Token));
        File.Exists(path).ShouldBeTrue();
        byte[] checkpointAtStep2 = File.ReadAllBytes(path);
        Directory.GetFiles(_dir).Length.ShouldBe(1);

        var resumed = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data());
        foreach (var (name, t) in reference.Tensors) ArrayAssert.Equal(resumed.Tensors[name].Span, t.Span, name);
        File.ReadAllBytes(path).ShouldNotBe(checkpointAtStep2);
    }

    [Fact]
    public void Run_CheckpointOfAnotherBaseModel_Throws()
    {
        string path = Path.Combine(_dir, "other.ckpt.safetensors");
        var options = Quick(Regime.NonLinear) with { Steps = 2, CheckpointPath = path };
        new FineTuner<Tensor>(FineTuneFixture.Vit(seed: 1), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data());
        Should.Throw<InvalidOperationException>(() =>
                new FineTuner<Tensor>(FineTuneFixture.Vit(seed: 2), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data()))
            .Message.ShouldContain("another base model");
        Should.Throw<InvalidOperationException>(() =>
                new FineTuner<Tensor>(FineTuneFixture.Vit(seed: 1), FineTuneFixture.Head(), options with { Seed = 99 }).Run(FineTuneFixture.Data()))
            .Message.ShouldContain("seed");
    }

    [Fact]
    public void Run_NaNInput_ThrowsNamingStepOne()
    {
        var data = FineTuneFixture.Data(count: 8);
        data.Images[5] = float.NaN;
        var e = Should.Throw<TrainingDivergedException>(() =>
            new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), Quick(Regime.NonLinear)).Run(data));
        e.Step.ShouldBe(1);
        e.Message.ShouldContain("step 1");
    }

    [Fact]
    public void Run_DivergesAtStepThree_KeepsCheckpointOfStepTwo()
    {
        string path = Path.Combine(_dir, "nan.ckpt.safetensors");
        var options = Quick(Regime.Linearized) with { CheckpointPath = path, CheckpointEvery = 1, Regularizers = [new NaNOnCall(3)] };
        byte[]? afterStep2 = null;
        var progress = new SynchronousProgress<FineTuneProgress>(p =>
        {
            if (p.Step == 2) afterStep2 = File.ReadAllBytes(path);
        });
        var e = Should.Throw<TrainingDivergedException>(() =>
            new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data(), progress));
        e.Step.ShouldBe(3);
        afterStep2.ShouldNotBeNull();
        File.ReadAllBytes(path).ShouldBe(afterStep2);
        Directory.GetFiles(_dir).ShouldBe([path]);
    }

    [Fact]
    public void Run_LabelBeyondHead_Throws_AndEmptyDataThrows()
    {
        var data = FineTuneFixture.Data(classes: 5);
        var tuner = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(classes: 3), Quick(Regime.NonLinear));
        Should.Throw<ArgumentException>(() => tuner.Run(data)).Message.ShouldContain("outside the head's 3 classes");
        var empty = new ImageData(new Tensor(0, 1, 8, 8), [], 3, "empty set");
        Should.Throw<ArgumentException>(() => tuner.Run(empty)).Message.ShouldContain("empty");
    }

    [Fact]
    public void Run_AttentionOnly_TrainsOnlyAttentionProjections()
    {
        var tau = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), Quick(Regime.NonLinear) with { Trainable = ParameterSelection.AttentionOnly })
            .Run(FineTuneFixture.Data());
        tau.Tensors.Keys.Order().ShouldBe(Enumerable.Range(0, 2)
            .SelectMany(l => new[] { "q", "k", "v", "out" }.SelectMany(m => new[] { "weight", "bias" }.Select(w => $"vision_model.encoder.layers.{l}.self_attn.{m}_proj.{w}")))
            .Order());
        tau.Metadata["trainable"].ShouldBe("attention-only");
        tau.Metadata["regime"].ShouldBe("non-linear");
    }

    [Fact]
    public void Run_FrozenParameters_SkipTheirGradientsDuringTheRunOnly()
    {
        var vit = FineTuneFixture.Vit();
        var frozen = vit.Parameters.First(p => p.Name.EndsWith("mlp.fc1.weight", StringComparison.Ordinal));
        var attention = vit.Parameters.First(p => p.Name.EndsWith("self_attn.q_proj.weight", StringComparison.Ordinal));
        var kept = vit.Parameters.First(p => p.Name.EndsWith("mlp.fc2.weight", StringComparison.Ordinal));
        kept.RequiresGrad = false; // the caller's own setting comes back afterwards
        var seen = new List<(bool Frozen, bool Attention)>();
        new FineTuner<Tensor>(vit, FineTuneFixture.Head(), Quick(Regime.NonLinear) with { Trainable = ParameterSelection.AttentionOnly })
            .Run(FineTuneFixture.Data(), new SynchronousProgress<FineTuneProgress>(_ => seen.Add((frozen.RequiresGrad, attention.RequiresGrad))));
        seen.ShouldNotBeEmpty();
        seen.ShouldAllBe(s => !s.Frozen && s.Attention);
        frozen.Grad.Span.ContainsAnyExcept(0f).ShouldBeFalse("no gradient is computed for a frozen parameter");
        frozen.RequiresGrad.ShouldBeTrue();
        kept.RequiresGrad.ShouldBeFalse();
    }

    [Fact]
    public void Run_Regularizer_CalledOncePerOptimizerStepWithItsIndex_AndItsGradientApplied()
    {
        var counting = new CountingRegularizer();
        var options = Quick(Regime.Linearized) with { AccumulationSteps = 3, Regularizers = [counting] };
        new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data());
        counting.Calls.ShouldBe(6);
        counting.Steps.ShouldBe([0L, 1, 2, 3, 4, 5]);
        // Plain SGD with lr·2c = 1 for R = c‖τ‖²: each step replaces τ by −lr·g, so τ cannot accumulate.
        var sgd = Quick(Regime.Linearized) with { Optimizer = OptimizerKind.SgdMomentum, Momentum = 0, WeightDecay = 0, WarmupSteps = 0 };
        var free = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), sgd).Run(FineTuneFixture.Data());
        var pulled = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), sgd with
        {
            Regularizers = [new CountingRegularizer(strength: 1 / (2 * sgd.LearningRate))],
        }).Run(FineTuneFixture.Data());
        double Norm(TaskVector t) => Math.Sqrt(t.Tensors.Values.Sum(x => TensorMath.SumOfSquaresDouble(x.Span)));
        Norm(pulled).ShouldBeLessThan(Norm(free));
    }

    [Theory]
    [InlineData(Regime.NonLinear)]
    [InlineData(Regime.Linearized)]
    public void Run_SteadyStateSteps_AllocateNothing(Regime regime)
    {
        // Bytes allocated on this thread, read after every step into a preallocated array; steps after the
        // first few (JIT warm-up, lazily created optimizer state) must allocate nothing.
        const int steps = 40;
        var marks = new long[steps];
        var tuner = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), Quick(regime) with
        {
            Steps = steps, Trainable = ParameterSelection.Full, Regularizers = [new CountingRegularizer(1e-3)],
        });
        tuner.Run(FineTuneFixture.Data(), new SynchronousProgress<FineTuneProgress>(p => marks[p.Step - 1] = GC.GetAllocatedBytesForCurrentThread()));
        (marks[^1] - marks[10]).ShouldBe(0, $"steps 12..{steps} allocated");
    }

    [Fact]
    public void TaskVector_SaveLoad_KeepsTensorsAndMetadata_AndChecksBase()
    {
        var model = FineTuneFixture.Vit();
        var tau = new FineTuner<Tensor>(model, FineTuneFixture.Head(), Quick(Regime.Linearized)).Run(FineTuneFixture.Data());
        string path = Path.Combine(_dir, "tau.safetensors");
        tau.Save(path);
        var loaded = TaskVector.Load(path);
        loaded.Metadata[ModelFingerprint.MetadataKey].ShouldBe(ModelFingerprint.Compute(model));
        loaded.Metadata["steps"].ShouldBe("6");
        loaded.Metadata["data"].ShouldBe("synthetic 40");
        foreach (var (name, t) in tau.Tensors) ArrayAssert.Equal(loaded.Tensors[name].Span, t.Span);
        loaded.EnsureBase(model);
        Should.Throw<InvalidOperationException>(() => loaded.EnsureBase(FineTuneFixture.Vit(seed: 7))).Message.ShouldContain("base model");
    }

    private sealed class CountingRegularizer(double strength = 0) : IRegularizer
    {
        public int Calls { get; private set; }

        public string Name => "counting";

        private readonly long[] _steps = new long[64];   // preallocated: the steady-state test counts allocations

        public IEnumerable<long> Steps => _steps.Take(Math.Min(Calls, _steps.Length));

        public double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long step)
        {
            if (Calls < _steps.Length) _steps[Calls] = step;
            Calls++;
            double penalty = 0;
            for (int i = 0; i < parameters.Count; i++)
            {
                var p = parameters[i];
                penalty += strength * TensorMath.SumOfSquaresDouble(p.Tau.Span);
                TensorMath.AddScaled(p.Tau.Span, (float)(2 * strength), p.Grad.Span);
            }
            return penalty;
        }
    }

    private sealed class NaNOnCall(int call) : IRegularizer
    {
        private int _calls;

        public string Name => "nan";

        public double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long step) => ++_calls == call ? double.NaN : 0;
    }
}
