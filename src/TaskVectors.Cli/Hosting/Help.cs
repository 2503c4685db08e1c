// Help: a command's description followed by its examples, as `taskvectors COMMAND --help` shows them.
namespace TaskVectors.Cli.Hosting;

internal static class Help
{
    public static string With(string description, params string[] examples) =>
        description + "\n\nExamples:\n" + string.Concat(examples.Select(e => "  " + e + "\n"));
}
