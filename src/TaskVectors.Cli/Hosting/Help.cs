// Help: each command's examples, written after System.CommandLine's standard help for that command (the root's
// listing keeps one line per command).
using System.CommandLine;
using System.CommandLine.Help;

namespace TaskVectors.Cli.Hosting;

internal sealed class Help
{
    private readonly Dictionary<Command, string[]> _examples = [];

    /// <summary>Records <paramref name="command"/>'s examples.</summary>
    public void Add(Command command, string[] examples) => _examples[command] = examples;

    /// <summary>Whether <paramref name="parse"/> shows help (which wins over other parse errors).</summary>
    public static bool Requested(ParseResult parse) => parse.Action is HelpAction;

    /// <summary>After the standard help of a command, its examples.</summary>
    public void WriteExamples(ParseResult parse, TextWriter output)
    {
        if (!_examples.TryGetValue(parse.CommandResult.Command, out var examples)) return;
        output.WriteLine("Examples:");
        foreach (string example in examples) output.WriteLine("  " + example);
        output.WriteLine();
    }
}
