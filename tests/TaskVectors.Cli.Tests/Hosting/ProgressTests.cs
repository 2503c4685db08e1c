// ProgressTests: progress bars (with throughput) are drawn on standard error only for an interactive console, and never
// with --json, whose standard output stays one parseable JSON document.
using TaskVectors.Cli.Hosting;

namespace TaskVectors.Cli.Tests.Hosting;

[Collection(CliCollection.Name)]
public sealed class ProgressTests(CliFixture fixture) : IDisposable
{
    private readonly string _folder = TestData.NewFolder("progress");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task FineTune_InteractiveConsole_DrawsProgressWithThroughputOnStandardError()
    {
        var (code, output, error) = await Run(json: false);
        code.ShouldBe(0, error);
        error.ShouldContain("steps/s");
        output.ShouldContain("Wrote");
        output.ShouldNotContain("steps/s");
    }

    [Fact]
    public async Task FineTune_InteractiveConsoleWithJson_NoProgressAndJsonOutput()
    {
        var (code, output, error) = await Run(json: true);
        code.ShouldBe(0, error);
        error.ShouldBeEmpty();
        System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("kind").GetString().ShouldBe("task-vector");
    }

    private async Task<(int, string, string)> Run(bool json)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = ["finetune", "--base", fixture.BaseA, "--data", TestData.Digits, "--classes", "0,1", "--steps", "10", "--batch-size", "16",
            "--warmup", "1", "--out", Path.Combine(_folder, $"p{json}.tau.safetensors")];
        int code = await TaskVectorsCli.RunAsync(json ? [.. args, "--json"] : args, new CliConsole(output, error, Interactive: true));
        return (code, output.ToString(), error.ToString());
    }
}
