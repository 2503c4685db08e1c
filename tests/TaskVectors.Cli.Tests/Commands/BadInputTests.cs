// BadInputTests: one test per kind of bad input — missing file, file of another base, corrupted file, bad YAML, unknown
// method, file of another kind — each checking the exit code, that the message names the file or parameter at fault,
// and that no output file (nor a temporary) is left behind.
using TaskVectors.Cli.Hosting;

namespace TaskVectors.Cli.Tests.Commands;

[Collection(CliCollection.Name)]
public sealed class BadInputTests(CliFixture fixture) : IDisposable
{
    private readonly string _folder = TestData.NewFolder("bad");

    private string Output => Path.Combine(_folder, "merged.safetensors");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Merge_MissingTaskVector_ExitsMissingFileNamingIt()
    {
        string missing = Path.Combine(_folder, "nowhere.tau.safetensors");
        var run = await CliRun.Start("merge", "--base", fixture.BaseA, fixture.TauA, missing, "--out", Output);
        Expect(run, ExitCode.MissingFile, missing);
    }

    [Fact]
    public async Task Merge_TaskVectorOfAnotherBase_ExitsWrongBaseNamingIt()
    {
        var run = await CliRun.Start("merge", "--base", fixture.BaseB, fixture.TauA, "--out", Output);
        Expect(run, ExitCode.WrongBase, fixture.TauA);
        run.Error.ShouldContain("base model");
    }

    [Fact]
    public async Task FineTune_FactorFileOfAnotherBase_ExitsWrongBaseBeforeTraining()
    {
        string tau = Path.Combine(_folder, "x.tau.safetensors");
        var run = await CliRun.Start("finetune", "--base", fixture.BaseA, "--data", TestData.Digits, "--classes", "2,3", "--factors", fixture.FactorsB,
            "--steps", "5", "--out", tau);
        Expect(run, ExitCode.WrongBase, fixture.FactorsB);
        File.Exists(tau).ShouldBeFalse();
        File.Exists(HeadOptionsPath(tau)).ShouldBeFalse();
    }

    [Fact]
    public async Task Merge_MixedRegimes_ExitsBadFileNamingBoth()
    {
        var run = await CliRun.Start("merge", "--base", fixture.BaseA, fixture.TauA, fixture.TauNonLinear, "--out", Output);
        Expect(run, ExitCode.BadFile, "non-linear");
        run.Error.ShouldContain(Path.GetFileName(fixture.TauNonLinear));
    }

    [Fact]
    public async Task Merge_CorruptedTaskVector_ExitsBadFileNamingIt()
    {
        string corrupted = Path.Combine(_folder, "corrupted.tau.safetensors");
        var bytes = File.ReadAllBytes(fixture.TauA);
        File.WriteAllBytes(corrupted, bytes[..(bytes.Length / 2)]);   // truncated: the header promises more data than there is
        var run = await CliRun.Start("merge", "--base", fixture.BaseA, fixture.TauA, corrupted, "--out", Output);
        Expect(run, ExitCode.BadFile, corrupted);
    }

    [Fact]
    public async Task Merge_GarbledHeader_ExitsBadFileNamingIt()
    {
        string garbled = Path.Combine(_folder, "garbled.tau.safetensors");
        var bytes = File.ReadAllBytes(fixture.TauA);
        for (int i = 8; i < 40; i++) bytes[i] = (byte)'{';
        File.WriteAllBytes(garbled, bytes);
        var run = await CliRun.Start("merge", "--base", fixture.BaseA, garbled, "--out", Output);
        Expect(run, ExitCode.BadFile, garbled);
    }

    [Fact]
    public async Task Merge_FactorFileGivenAsTaskVector_ExitsBadFileNamingKinds()
    {
        var run = await CliRun.Start("merge", "--base", fixture.BaseA, fixture.FactorsA, "--out", Output);
        Expect(run, ExitCode.BadFile, fixture.FactorsA);
        run.Error.ShouldContain("factors");
    }

    [Fact]
    public async Task Merge_YamlSyntaxError_ExitsBadConfigNamingFileAndLine()
    {
        string yaml = Path.Combine(_folder, "merge.yaml");
        File.WriteAllText(yaml, $"merge_method: ties\nmodels:\n  - model: {fixture.TauA}\n    parameters: [weight: 1\n");
        var run = await CliRun.Start("merge", "--config", yaml, "--base", fixture.BaseA, "--out", Output);
        Expect(run, ExitCode.BadConfig, yaml + ":");
    }

    [Fact]
    public async Task Merge_YamlUnknownParameter_ExitsBadConfigNamingLineAndKey()
    {
        string yaml = Path.Combine(_folder, "merge.yaml");
        File.WriteAllText(yaml, $"merge_method: ties\nparameters:\n  densty: 0.3\nmodels:\n  - model: {fixture.TauA}\n");
        var run = await CliRun.Start("merge", "--config", yaml, "--base", fixture.BaseA, "--out", Output);
        Expect(run, ExitCode.BadConfig, yaml + ":3:");
        run.Error.ShouldContain("densty");
    }

    [Fact]
    public async Task Merge_UnknownMethod_ExitsUnknownMethodListingKnownOnes()
    {
        var run = await CliRun.Start("merge", "--base", fixture.BaseA, fixture.TauA, "--method", "tiez", "--out", Output);
        Expect(run, ExitCode.UnknownMethod, "tiez");
        run.Error.ShouldContain("--method");
        run.Error.ShouldContain("ties");
    }

    [Fact]
    public async Task Merge_UnknownMethodInYaml_ExitsUnknownMethodNamingFileAndLine()
    {
        string yaml = Path.Combine(_folder, "merge.yaml");
        File.WriteAllText(yaml, $"models:\n  - model: {fixture.TauA}\nmerge_method: magic\n");
        var run = await CliRun.Start("merge", "--config", yaml, "--base", fixture.BaseA, "--out", Output);
        Expect(run, ExitCode.UnknownMethod, yaml + ":3");
    }

    [Fact]
    public async Task Eval_TaskVectorGivenAsHead_ExitsBadFile()
    {
        var run = await CliRun.Start("eval", "--base", fixture.BaseA, "--head", fixture.TauA, "--data", TestData.Digits, "--classes", "0,1");
        Expect(run, ExitCode.BadFile, fixture.TauA);
    }

    [Fact]
    public async Task Kfac_MissingData_ExitsMissingFileNamingOption()
    {
        string data = Path.Combine(_folder, "absent.jsonl");
        string output = Path.Combine(_folder, "f.kfac.safetensors");
        var run = await CliRun.Start("kfac", "--base", fixture.BaseA, "--data", data, "--out", output);
        Expect(run, ExitCode.MissingFile, data);
        run.Error.ShouldContain("--data");
        File.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task Merge_BadInputWithJson_WritesErrorObject()
    {
        var run = await CliRun.Start("merge", "--base", fixture.BaseA, fixture.TauA, "--method", "tiez", "--out", Output, "--json");
        run.ExitCode.ShouldBe((int)ExitCode.UnknownMethod);
        var error = run.Json().GetProperty("error");
        error.GetProperty("exitCode").GetInt32().ShouldBe((int)ExitCode.UnknownMethod);
        error.GetProperty("kind").GetString().ShouldBe(nameof(ExitCode.UnknownMethod));
        error.GetProperty("message").GetString()!.ShouldContain("tiez");
    }

    private static string HeadOptionsPath(string tau) => TaskVectors.Cli.Heads.HeadOptions.DefaultPath(tau);

    private void Expect(CliRun run, ExitCode code, string named)
    {
        run.ExitCode.ShouldBe((int)code, $"stderr: {run.Error}");
        run.Error.ShouldContain(named);
        Directory.GetFiles(_folder).Where(f => Path.GetFileName(f).StartsWith("merged", StringComparison.Ordinal)).ShouldBeEmpty();
        Directory.GetFiles(_folder, "*.tmp*").ShouldBeEmpty();
    }
}
