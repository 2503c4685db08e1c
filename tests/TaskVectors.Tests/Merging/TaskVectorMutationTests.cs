// Mutation test of task-vector files read through TaskVector.Load: thousands of seeded corruptions of a real
// fine-tuned τ either load (every tensor readable) or throw SafetensorsFormatException (damaged file) or
// InvalidDataException (non-finite tensor, unknown regime) naming the file.
using System.Globalization;
using TaskVectors.Models;
using TaskVectors.IO;
using TaskVectors.Merging;
using TaskVectors.Tensors;
using TaskVectors.Tests.IO;
using TaskVectors.Tests.Training;
using TaskVectors.Training;
using Xunit.Abstractions;

namespace TaskVectors.Tests.Merging;

public sealed class TaskVectorMutationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_RandomMutations_ValidOrFormatExceptionNamingTheFile()
    {
        var options = new FineTuneOptions { Regime = Regime.NonLinear, Steps = 2, BatchSize = 8, WarmupSteps = 0, Trainable = ParameterSelection.AttentionOnly };
        var tau = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(FineTuneFixture.Data());
        string path = _dir.File("valid.tau.safetensors");
        tau.Save(path);
        byte[] valid = File.ReadAllBytes(path);
        string mutant = _dir.File("mutant.tau.safetensors");
        var summary = MutationRun.Run(valid, mutant, cases: 2000, seed: 20261209,
            load: () => TaskVector.Load(mutant).Tensors.Count.ShouldBeGreaterThanOrEqualTo(0),
            accepted: e => e is SafetensorsFormatException or InvalidDataException or FileKindException);
        output.WriteLine(summary.ToString(CultureInfo.InvariantCulture));
        summary.Unexpected.ShouldBeEmpty();
        summary.Loaded.ShouldBeGreaterThan(0);
        summary.Rejected.ShouldBeGreaterThan(summary.Cases / 2);
    }
}
