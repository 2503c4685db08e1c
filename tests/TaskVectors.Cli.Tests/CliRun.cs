// CliRun: runs the tool in-process with captured output (no progress bars: the console is not interactive) and returns
// its exit code, standard output and standard error.
using System.Text.Json;
using TaskVectors.Cli.Hosting;

namespace TaskVectors.Cli.Tests;

internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> Start(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await TaskVectorsCli.RunAsync(args, new CliConsole(output, error, Interactive: false), cancellationToken);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Task<CliRun> Start(params string[] args) => Start(CancellationToken.None, args);

    /// <summary>Runs and requires exit code 0, showing stderr otherwise.</summary>
    public static async Task<CliRun> Ok(params string[] args)
    {
        var run = await Start(args);
        run.ExitCode.ShouldBe(0, $"taskvectors {string.Join(' ', args)}\nstderr: {run.Error}\nstdout: {run.Out}");
        return run;
    }

    /// <summary>The JSON document on standard output (--json).</summary>
    public JsonElement Json() => JsonDocument.Parse(Out).RootElement;
}
