// Tests of resuming from a damaged fine-tuning checkpoint: optimizer state that is not a reachable AdamW/SGD
// state (negative or non-finite v, non-finite m, a step count other than the checkpoint's, malformed
// scalars) and non-finite θ are refused with InvalidDataException naming the file and the tensor or key,
// before anything trains; and a mutation test: thousands of seeded corruptions of a real checkpoint either
// resume to a finite τ or throw a documented exception naming the file.
using System.Globalization;
using TaskVectors.Models;
using TaskVectors.IO;
using TaskVectors.Tensors;
using TaskVectors.Tests.IO;
using TaskVectors.Training;
using Xunit.Abstractions;

namespace TaskVectors.Tests.Training;

public sealed class FineTuneCheckpointTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FineTuneOptions Options(string path, OptimizerKind optimizer = OptimizerKind.AdamW) => new()
    {
        Regime = Regime.NonLinear,
        Steps = 4,
        BatchSize = 8,
        WarmupSteps = 0,
        LearningRate = 1e-2,
        Seed = 5,
        Optimizer = optimizer,
        Trainable = ParameterSelection.AttentionOnly,
        CheckpointPath = path,
        CheckpointEvery = 1,
    };

    private static TaskVectors.Models.TaskVector Run(FineTuneOptions options, int? cancelAfter = null)
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<FineTuneProgress>(p =>
        {
            if (p.Step == cancelAfter) cts.Cancel();
        });
        return new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data(), progress, cts.Token);
    }

    // A checkpoint of step 2 of 4.
    private string Checkpoint(OptimizerKind optimizer = OptimizerKind.AdamW)
    {
        string path = _dir.File($"run-{optimizer}.ckpt.safetensors");
        Should.Throw<OperationCanceledException>(() => Run(Options(path, optimizer), cancelAfter: 2));
        return path;
    }

    // Rewrites the checkpoint with one tensor or metadata entry changed.
    private static void Edit(string path, Action<Dictionary<string, Tensor>, Dictionary<string, string>> edit)
    {
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> metadata;
        using (var file = SafetensorsFile.Open(path))
        {
            tensors = file.Tensors.ToDictionary(t => t.Name, t => file.ReadTensor(t.Name), StringComparer.Ordinal);
            metadata = new Dictionary<string, string>(file.Metadata, StringComparer.Ordinal);
        }
        edit(tensors, metadata);
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    private static string First(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).First();

    public static TheoryData<string, float> BadMoments => new()
    {
        { "optimizer/adamw.v.", -1f },
        { "optimizer/adamw.v.", float.NaN },
        { "optimizer/adamw.v.", float.PositiveInfinity },
        { "optimizer/adamw.m.", float.NaN },
        { "optimizer/adamw.m.", float.NegativeInfinity },
        { "theta/", float.NaN },
    };

    [Theory]
    [MemberData(nameof(BadMoments))]
    public void Resume_ImpossibleStateValue_ThrowsInvalidDataNamingFileAndTensor(string prefix, float value)
    {
        string path = Checkpoint();
        string name = "";
        Edit(path, (tensors, _) =>
        {
            name = First(tensors, prefix);
            tensors[name].Span[3] = value;
        });
        var e = Should.Throw<InvalidDataException>(() => Run(Options(path)));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain(name[(name.IndexOf('/') + 1)..]);
    }

    [Fact]
    public void Resume_SgdBufferNotFinite_ThrowsInvalidData()
    {
        string path = Checkpoint(OptimizerKind.SgdMomentum);
        Edit(path, (tensors, _) => tensors[First(tensors, "optimizer/sgd.momentum_buffer.")].Span[0] = float.NaN);
        Should.Throw<InvalidDataException>(() => Run(Options(path, OptimizerKind.SgdMomentum))).Message.ShouldContain("momentum_buffer");
    }

    [Theory]
    [InlineData("optimizer/adamw.step", "7")]
    [InlineData("optimizer/adamw.step", "0")]
    [InlineData("optimizer/adamw.step", "two")]
    [InlineData("optimizer/adamw.beta1", "x")]
    public void Resume_OptimizerScalarWrong_ThrowsInvalidDataNamingFile(string key, string value)
    {
        string path = Checkpoint();
        Edit(path, (_, metadata) => metadata[key] = value);
        var e = Should.Throw<InvalidDataException>(() => Run(Options(path)));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain(key[(key.IndexOf('/') + 1)..]);
    }

    [Fact]
    public void Resume_OptimizerTensorMissing_ThrowsInvalidDataNamingFile()
    {
        string path = Checkpoint();
        Edit(path, (tensors, _) => tensors.Remove(First(tensors, "optimizer/adamw.v.")));
        Should.Throw<InvalidDataException>(() => Run(Options(path))).Message.ShouldContain(path);
    }

    [Fact]
    public void Resume_Untouched_ResumesToTheUninterruptedResult()
    {
        string path = Checkpoint();
        var resumed = Run(Options(path));
        var straight = Run(Options(_dir.File("straight.ckpt.safetensors")));
        foreach (var (name, t) in straight.Tensors) resumed.Tensors[name].Span.ToArray().ShouldBe(t.Span.ToArray(), name);
    }

    // The documented InvalidOperationException refusals: another kind of file, another base model, other settings.
    private static bool Refusal(string message) =>
        message.Contains("not a TaskVectors fine-tuning checkpoint", StringComparison.Ordinal)
        || message.Contains("another base model", StringComparison.Ordinal)
        || message.Contains("was written with", StringComparison.Ordinal);

    [Fact]
    public void Resume_RandomMutations_FiniteTauOrDocumentedExceptionNamingTheFile()
    {
        string path = Checkpoint();
        byte[] valid = File.ReadAllBytes(path);
        string mutant = _dir.File("mutant.ckpt.safetensors");
        var options = Options(mutant);
        var summary = MutationRun.Run(valid, mutant, cases: 1000, seed: 20261207, load: () =>
        {
            var tau = Run(options);
            foreach (var (name, t) in tau.Tensors)
                if (!TensorMath.AllFinite(t.Span)) throw new InvalidOperationException($"non-finite τ '{name}' from a resumed checkpoint");
        }, accepted: e => e is SafetensorsFormatException or InvalidDataException or FileKindException || (e is InvalidOperationException && Refusal(e.Message)));
        output.WriteLine(summary.ToString(CultureInfo.InvariantCulture));
        summary.Unexpected.ShouldBeEmpty();
        summary.Loaded.ShouldBeGreaterThan(0);
        summary.Rejected.ShouldBeGreaterThan(summary.Cases / 2);
    }
}
