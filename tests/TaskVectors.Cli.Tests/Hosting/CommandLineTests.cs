// CommandLineTests: the command tree: every command has help with examples, usage errors exit 2, --json output parses,
// and the documented exit codes keep their numbers.
using TaskVectors.Cli.Hosting;

namespace TaskVectors.Cli.Tests.Hosting;

[Collection(CliCollection.Name)]
public sealed class CommandLineTests(CliFixture fixture)
{
    public static TheoryData<string> Commands => ["init", "import", "kfac", "finetune", "merge", "negate", "eval", "inspect"];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_EveryCommand_ShowsDescriptionOptionsAndExamples(string command)
    {
        var run = await CliRun.Ok(command, "--help");
        run.Out.ShouldContain("Examples:");
        run.Out.ShouldContain($"taskvectors {command} ");
        run.Out.ShouldContain("--json");
    }

    [Fact]
    public async Task Help_Root_ListsEveryCommandAndExitCodes()
    {
        var run = await CliRun.Ok("--help");
        foreach (string command in Commands) run.Out.ShouldContain(command);
        run.Out.ShouldContain("Exit codes");
    }

    [Fact]
    public async Task Parse_NoCommand_ExitsUsage() => (await CliRun.Start()).ExitCode.ShouldBe((int)ExitCode.Usage);

    [Fact]
    public async Task Parse_UnknownOption_ExitsUsageNamingIt()
    {
        var run = await CliRun.Start("inspect", fixture.TauA, "--frobnicate");
        run.ExitCode.ShouldBe((int)ExitCode.Usage);
        run.Error.ShouldContain("--frobnicate");
    }

    [Fact]
    public async Task Parse_MissingRequiredOption_ExitsUsageNamingIt()
    {
        var run = await CliRun.Start("kfac", "--base", fixture.BaseA, "--data", TestData.Digits);
        run.ExitCode.ShouldBe((int)ExitCode.Usage);
        run.Error.ShouldContain("--out");
    }

    [Fact]
    public async Task Inspect_BaseWithFingerprint_OwnFingerprintIsTheOneTaskVectorsRecord()
    {
        var tau = (await CliRun.Ok("inspect", fixture.TauA, "--json")).Json();
        var info = (await CliRun.Ok("inspect", fixture.BaseA, "--fingerprint", "--json")).Json();
        info.GetProperty("kind").GetString().ShouldBe("checkpoint");
        string recorded = tau.GetProperty("baseFingerprint").GetString()!;
        info.GetProperty("baseFingerprint").GetString().ShouldBe(recorded);
        info.GetProperty("fingerprint").GetProperty("model").GetString().ShouldBe(recorded);
        info.GetProperty("metadata").GetProperty("taskvectors.architecture").GetString().ShouldBe("vit");
        info.GetProperty("tensorCount").GetInt32().ShouldBe(info.GetProperty("tensors").GetArrayLength());
    }

    [Fact]
    public async Task Inspect_TextOutput_ListsKindMetadataAndTensors()
    {
        var run = await CliRun.Ok("inspect", fixture.FactorsA);
        run.Out.ShouldContain("factors (format version 1)");
        run.Out.ShouldContain("base fingerprint:");
        run.Out.ShouldContain("F64");
    }

    [Fact]
    public void ExitCodes_Documented_KeepTheirNumbers()
    {
        int[] codes = [(int)ExitCode.Success, (int)ExitCode.Failure, (int)ExitCode.Usage, (int)ExitCode.MissingFile, (int)ExitCode.BadFile,
            (int)ExitCode.WrongBase, (int)ExitCode.BadConfig, (int)ExitCode.UnknownMethod, (int)ExitCode.Cancelled];
        codes.ShouldBe([0, 1, 2, 3, 4, 5, 6, 7, 130]);
    }
}
