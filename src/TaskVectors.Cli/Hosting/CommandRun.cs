// CommandRun: what a command's action receives: the parsed command line, the progress display and the cancellation
// token (Ctrl+C).
using System.CommandLine;

namespace TaskVectors.Cli.Hosting;

internal sealed record CommandRun(ParseResult Parse, CliProgress Progress, CancellationToken Cancellation)
{
    /// <summary>The value of <paramref name="option"/>.</summary>
    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

    /// <summary>The value of <paramref name="argument"/>.</summary>
    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;
}
