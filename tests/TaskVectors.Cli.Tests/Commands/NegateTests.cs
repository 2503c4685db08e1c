// NegateTests: negation with the paper's α search: the α reported is one of the grid, the sweep has one entry per α,
// the file written is θ0 − α·τ for that α; a search without the control task is a usage error.
using TaskVectors.Cli.Hosting;
using TaskVectors.IO;

namespace TaskVectors.Cli.Tests.Commands;

[Collection(CliCollection.Name)]
public sealed class NegateTests(CliFixture fixture) : IDisposable
{
    private readonly string _folder = TestData.NewFolder("negate");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Negate_AlphaSearch_PicksGridAlphaAndWritesThetaMinusAlphaTau()
    {
        string output = Path.Combine(_folder, "forget.safetensors");
        string head23 = Path.Combine(_folder, "t23.head.safetensors");
        // A head for the control task (digits 2/3) at the base.
        await CliRun.Ok("finetune", "--base", fixture.BaseA, "--data", TestData.Digits, "--classes", "2,3", "--split", "train", "--steps", "1",
            "--batch-size", "8", "--warmup", "0", "--out", Path.Combine(_folder, "t23.tau.safetensors"));
        var run = (await CliRun.Ok("negate", "--base", fixture.BaseA, fixture.TauA, "--data", TestData.Digits, "--classes", "0,1", "--head", fixture.HeadA,
            "--control-data", TestData.Digits, "--control-classes", "2,3", "--control-head", head23, "--alphas", "0,0.5,1", "--out", output, "--json")).Json();
        var negation = run.GetProperty("negation");
        float alpha = negation.GetProperty("alpha").GetSingle();
        alpha.ShouldBeOneOf(0f, 0.5f, 1f);
        run.GetProperty("alpha").GetSingle().ShouldBe(alpha);
        negation.GetProperty("validationSweep").GetArrayLength().ShouldBe(3);
        negation.GetProperty("baseTarget").GetDouble().ShouldBeInRange(0, 1);
        using var theta0 = SafetensorsFile.Open(fixture.BaseA);
        using var tau = SafetensorsFile.Open(fixture.TauA);
        using var negated = SafetensorsFile.Open(output);
        foreach (var info in negated.Tensors)
        {
            var expected = theta0.ReadTensor(info.Name).Span.ToArray();
            if (tau.Contains(info.Name))
            {
                var t = tau.ReadTensor(info.Name).Span;
                for (int i = 0; i < expected.Length; i++) expected[i] += -alpha * t[i];
            }
            var actual = negated.ReadTensor(info.Name).Span.ToArray();
            for (int i = 0; i < expected.Length; i++) Math.Abs(actual[i] - expected[i]).ShouldBeLessThan(1e-6f, $"{info.Name}[{i}]");
        }
    }

    [Fact]
    public async Task Negate_SearchWithoutControl_ExitsUsage()
    {
        string output = Path.Combine(_folder, "forget.safetensors");
        var run = await CliRun.Start("negate", "--base", fixture.BaseA, fixture.TauA, "--data", TestData.Digits, "--head", fixture.HeadA, "--out", output);
        run.ExitCode.ShouldBe((int)ExitCode.Usage);
        run.Error.ShouldContain("--control-data");
        File.Exists(output).ShouldBeFalse();
    }
}
