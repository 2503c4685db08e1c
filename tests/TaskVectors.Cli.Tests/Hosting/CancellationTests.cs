// CancellationTests: a cancelled command (Ctrl+C cancels the same token) exits 130 and leaves no output file, no head
// file and no temporary behind.
using TaskVectors.Cli.Hosting;

namespace TaskVectors.Cli.Tests.Hosting;

[Collection(CliCollection.Name)]
public sealed class CancellationTests(CliFixture fixture) : IDisposable
{
    private readonly string _folder = TestData.NewFolder("cancel");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task FineTune_CancelledWhileTraining_ExitsCancelledLeavingNoFiles()
    {
        string tau = Path.Combine(_folder, "long.tau.safetensors");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        var run = await CliRun.Start(cancel.Token, "finetune", "--base", fixture.BaseA, "--data", TestData.Digits, "--classes", "0,1",
            "--steps", "1000000", "--batch-size", "16", "--out", tau);
        run.ExitCode.ShouldBe((int)ExitCode.Cancelled, $"stderr: {run.Error}");
        run.Error.ShouldContain("Cancelled");
        Directory.GetFiles(_folder).ShouldBeEmpty();
    }

    [Fact]
    public async Task Merge_CancelledBeforeStart_ExitsCancelledLeavingNoFiles()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var run = await CliRun.Start(cancel.Token, "merge", "--base", fixture.BaseA, fixture.TauA, fixture.TauA2, "--out", Path.Combine(_folder, "m.safetensors"));
        run.ExitCode.ShouldBe((int)ExitCode.Cancelled, $"stderr: {run.Error}");
        Directory.GetFiles(_folder).ShouldBeEmpty();
    }
}
