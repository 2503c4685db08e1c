// CliConsole: where a run writes (standard output for results, standard error for diagnostics) and whether progress
// bars may be drawn (only on a terminal, never with --json or redirected output). Tests pass string writers.
namespace TaskVectors.Cli.Hosting;

/// <summary>The output streams of one run.</summary>
/// <param name="Out">Results: text, or one JSON document with --json.</param>
/// <param name="Error">Error messages.</param>
/// <param name="Interactive">Whether standard output is a terminal (progress bars allowed).</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool Interactive)
{
    /// <summary>The process's console; interactive when standard output and error are not redirected.</summary>
    public static CliConsole System() => new(Console.Out, Console.Error, !Console.IsOutputRedirected && !Console.IsErrorRedirected);
}
