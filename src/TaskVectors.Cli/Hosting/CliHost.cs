// CliHost: the options every command shares (--json) and the one place where a command's action is run: progress
// set up, exceptions turned into exit codes and messages (stderr; with --json also a JSON error object on stdout),
// results written as text or JSON.
using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TaskVectors.Cli.Hosting;

internal sealed class CliHost(CliConsole console)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>--json: one JSON document on stdout instead of text, and no progress bars.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Write the result (or the error) as one JSON object on standard output; no progress bars.", Recursive = true };

    public CliConsole Console => console;

    /// <summary>Where commands' examples are kept for --help (set when the root is built).</summary>
    public Help? Help { get; set; }

    /// <summary>A command with its description and the examples its --help shows.</summary>
    public Command Command(string name, string description, params string[] examples)
    {
        var command = new Command(name, description);
        Help?.Add(command, examples);
        return command;
    }

    /// <summary>Makes <paramref name="action"/> the command's action.</summary>
    public void Bind(Command command, Func<CommandRun, CommandOutput> action) =>
        command.SetAction((parse, cancellationToken) => Task.Run(() => (int)Execute(command.Name, parse, action, cancellationToken), CancellationToken.None));

    private ExitCode Execute(string name, ParseResult parse, Func<CommandRun, CommandOutput> action, CancellationToken cancellationToken)
    {
        bool json = parse.GetValue(Json);
        try
        {
            var output = action(new CommandRun(parse, new CliProgress(console, enabled: !json), cancellationToken));
            if (json) console.Out.WriteLine(JsonSerializer.Serialize(output.Json, JsonOptions));
            else console.Out.Write(output.Text);
            return ExitCode.Success;
        }
        catch (Exception e)
        {
            var code = ErrorClassifier.Classify(e);
            string message = ErrorClassifier.Describe(e);
            console.Error.WriteLine($"taskvectors {name}: error: {message}");
            if (code == ExitCode.Failure && e is not CliException) console.Error.WriteLine($"  ({e.GetType().Name})");
            if (json)
                console.Out.WriteLine(JsonSerializer.Serialize(new { error = new { command = name, exitCode = (int)code, kind = code.ToString(), message } }, JsonOptions));
            return code;
        }
    }

    /// <summary>Serializes <paramref name="value"/> as the tool does (for tests and nested output).</summary>
    public static string ToJson(object value) => JsonSerializer.Serialize(value, JsonOptions);
}
