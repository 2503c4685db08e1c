// Reliability tests of FineTuner: θ checked after every optimizer step (never a non-finite τ or checkpoint),
// every setting that shapes a run in the checkpoint's settings (a differing one is named), regularizers and
// the checkpoint location validated before the first step, and penalties of another base model refused.
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Curvature;
using TaskVectors.Training;

namespace TaskVectors.Tests.Training;

public sealed class FineTunerReliabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-ftr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FineTuneOptions Quick(Regime regime = Regime.NonLinear) => new()
    {
        Regime = regime,
        Steps = 4,
        BatchSize = 8,
        WarmupSteps = 0,
        LearningRate = 1e-2,
        Seed = 5,
    };

    private static TaskVector Run(FineTuneOptions options, ImageData? data = null, CosineHead? head = null) =>
        new FineTuner<Tensor>(FineTuneFixture.Vit(), head ?? FineTuneFixture.Head(), options).Run(data ?? FineTuneFixture.Data());

    [Theory]
    [InlineData(Regime.NonLinear, OptimizerKind.AdamW)]
    [InlineData(Regime.Linearized, OptimizerKind.SgdMomentum)]
    public void Run_LearningRateOverflowsTheta_ThrowsDivergedAndWritesNoCheckpoint(Regime regime, OptimizerKind optimizer)
    {
        string path = Path.Combine(_dir, "huge.ckpt.safetensors");
        var options = Quick(regime) with { LearningRate = 1e39, Optimizer = optimizer, CheckpointPath = path, CheckpointEvery = 1 };
        var model = FineTuneFixture.Vit();
        var before = FineTuneFixture.Values(model);
        var e = Should.Throw<TrainingDivergedException>(() => new FineTuner<Tensor>(model, FineTuneFixture.Head(), options).Run(FineTuneFixture.Data()));
        e.Step.ShouldBe(1);
        e.Message.ShouldContain("θ");
        File.Exists(path).ShouldBeFalse("no checkpoint of non-finite θ may be written");
        foreach (var (name, values) in FineTuneFixture.Values(model))
            values.AsSpan().SequenceEqual(before[name]).ShouldBeTrue($"'{name}' is left at θ0");
    }

    [Fact]
    public void Run_ThetaOverflowsAfterACheckpoint_KeepsTheFiniteCheckpoint()
    {
        string path = Path.Combine(_dir, "later.ckpt.safetensors");
        var options = Quick() with { CheckpointPath = path, CheckpointEvery = 1, Optimizer = OptimizerKind.SgdMomentum, Momentum = 0, WeightDecay = 0, LearningRate = 1e3 };
        // Step 1 is ordinary; the regularizer's gradient at step 2 is finite (3e38), but lr · g overflows θ.
        var e = Should.Throw<TrainingDivergedException>(() => Run(options with { Regularizers = [new HugeGradientAt(step: 1)] }));
        e.Step.ShouldBe(2);
        using var file = SafetensorsFile.Open(path);
        file.Metadata["step"].ShouldBe("1");
        foreach (var info in file.Tensors) TensorMath.AllFinite(file.ReadTensor(info.Name).Span).ShouldBeTrue(info.Name);
    }

    public static TheoryData<string, Func<FineTuneOptions, FineTuneOptions>> ChangedSettings => new()
    {
        { "label_smoothing", o => o with { LabelSmoothing = 0.1f } },
        { "max_gradient_norm", o => o with { MaxGradientNorm = 1.0 } },
        { "checkpoint_every", o => o with { CheckpointEvery = 2 } },
        { "momentum", o => o with { Optimizer = OptimizerKind.SgdMomentum } },
        { "regularizers", o => o with { Regularizers = [new L2(1e-3)] } },
    };

    [Theory]
    [MemberData(nameof(ChangedSettings))]
    public void Run_ResumeWithOtherSetting_RefusedNamingIt(string key, Func<FineTuneOptions, FineTuneOptions> change)
    {
        string path = Path.Combine(_dir, key + ".ckpt.safetensors");
        var options = Quick() with { CheckpointPath = path, CheckpointEvery = 1, Optimizer = OptimizerKind.SgdMomentum, Momentum = 0.5 };
        if (key == "momentum") options = options with { Momentum = 0.9 };
        CancelAfterStep(options, 2);
        var changed = change(options);
        if (key == "momentum") changed = changed with { Momentum = 0.5 };
        Should.Throw<InvalidOperationException>(() => Run(changed)).Message.ShouldContain(key);
        Run(options).Tensors.ShouldNotBeEmpty(); // the same settings still resume
    }

    [Fact]
    public void Run_ResumeWithOtherRegularizerStrength_RefusedNamingIt()
    {
        string path = Path.Combine(_dir, "beta.ckpt.safetensors");
        var options = Quick() with { CheckpointPath = path, CheckpointEvery = 1, Regularizers = [new L2(1e-3)] };
        CancelAfterStep(options, 2);
        Should.Throw<InvalidOperationException>(() => Run(options with { Regularizers = [new L2(2e-3)] }))
            .Message.ShouldContain("regularizers");
    }

    [Fact]
    public void Run_ResumeWithOtherDataOrHead_Refused()
    {
        string path = Path.Combine(_dir, "data.ckpt.safetensors");
        var options = Quick() with { CheckpointPath = path, CheckpointEvery = 1 };
        CancelAfterStep(options, 2);
        Should.Throw<InvalidOperationException>(() => Run(options, data: FineTuneFixture.Data(seed: 9))).Message.ShouldContain("data");
        Should.Throw<InvalidOperationException>(() => Run(options, head: FineTuneFixture.Head(seed: 9))).Message.ShouldContain("head");
        Run(options).Tensors.ShouldNotBeEmpty();
    }

    [Fact]
    public void Run_NullRegularizer_ThrowsBeforeAnyStep()
    {
        var counting = new L2(0);
        var e = Should.Throw<ArgumentException>(() => Run(Quick() with { Regularizers = [counting, null!] }));
        e.Message.ShouldContain("Regularizers");
        e.Message.ShouldContain("1");
        counting.Calls.ShouldBe(0);
    }

    [Fact]
    public void Run_CheckpointDirectoryMissing_ThrowsBeforeAnyStep()
    {
        string path = Path.Combine(_dir, "missing", "run.ckpt.safetensors");
        int steps = 0;
        var e = Should.Throw<DirectoryNotFoundException>(() => new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), Quick() with { CheckpointPath = path })
            .Run(FineTuneFixture.Data(), new SynchronousProgress<FineTuneProgress>(_ => steps++)));
        e.Message.ShouldContain(Path.Combine(_dir, "missing"));
        steps.ShouldBe(0);
    }

    [Fact]
    public void Run_CheckpointPathIsADirectory_ThrowsBeforeAnyStep()
    {
        string path = Directory.CreateDirectory(Path.Combine(_dir, "adir")).FullName;
        int steps = 0;
        var e = Should.Throw<IOException>(() => new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), Quick() with { CheckpointPath = path })
            .Run(FineTuneFixture.Data(), new SynchronousProgress<FineTuneProgress>(_ => steps++)));
        e.Message.ShouldContain(path);
        steps.ShouldBe(0);
    }

    [Fact]
    public void Run_TakFactorsOfAnotherBase_RefusedBeforeAnyStep()
    {
        var other = FineTuneFixture.Vit(seed: 7);
        var factors = KfacEstimator.Estimate(other, new TensorData(FineTuneFixture.Data(count: 8).Images, "x"));
        var tak = new TakRegularizer(FactorAggregate.Combine([factors]), new TakOptions { Beta = 1e6 });
        var e = Should.Throw<InvalidOperationException>(() => Run(Quick() with { Regularizers = [tak] }));
        e.Message.ShouldContain("tak");
        e.Message.ShouldContain("base model");
    }

    [Fact]
    public void Run_TakFactorsCoveringNoTrainableParameter_RefusedBeforeAnyStep()
    {
        // Factors of an MLP (blocks over "layers.*") labelled with the ViT's fingerprint: no block names a ViT parameter,
        // so at β = 1e6 the penalty would silently be zero.
        var mlp = FineTuneFixture.Mlp();
        var mlpFactors = FactorAggregate.Combine([KfacEstimator.Estimate(mlp, new TensorData(new Tensor(8, 64), "zeros"))]);
        var relabelled = new AggregatedFactors(mlpFactors.Form, mlpFactors.Tasks, mlpFactors.Blocks, mlpFactors.DenseBlocks,
            ModelFingerprint.Compute(FineTuneFixture.Vit()));
        var tak = new TakRegularizer(relabelled, new TakOptions { Beta = 1e6 });
        var e = Should.Throw<InvalidOperationException>(() => Run(Quick() with { Regularizers = [tak] }));
        e.Message.ShouldContain("no trainable parameter");
    }

    // Runs until step k is checkpointed, then cancels.
    private static void CancelAfterStep(FineTuneOptions options, int k)
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<FineTuneProgress>(p =>
        {
            if (p.Step == k) cts.Cancel();
        });
        Should.Throw<OperationCanceledException>(() =>
            new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data(), progress, cts.Token));
    }

    private sealed class L2(double strength) : IRegularizer
    {
        public int Calls { get; private set; }

        public string Name => "l2";

        public string Identity => FormattableString.Invariant($"l2(strength={strength:R})");

        public double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long step)
        {
            Calls++;
            double penalty = 0;
            foreach (var p in parameters)
            {
                penalty += strength * TensorMath.SumOfSquaresDouble(p.Tau.Span);
                TensorMath.AddScaled(p.Tau.Span, (float)(2 * strength), p.Grad.Span);
            }
            return penalty;
        }
    }

    // Sets every gradient entry to a finite 3e38 at one step: an SGD step with lr > 1 then takes θ past float's range.
    private sealed class HugeGradientAt(long step) : IRegularizer
    {
        public string Name => "huge";

        public double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long at)
        {
            if (at != step) return 0;
            foreach (var p in parameters) p.Grad.Span.Fill(3e38f);
            return 0;
        }
    }
}
