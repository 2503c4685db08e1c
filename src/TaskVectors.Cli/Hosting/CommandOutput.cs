// CommandOutput: what a command reports when it succeeds: one JSON object for --json (scripting), and the same facts as
// text for people.
namespace TaskVectors.Cli.Hosting;

/// <summary>A command's result: <paramref name="Json"/> is serialized with --json, <paramref name="Text"/> printed otherwise.</summary>
internal sealed record CommandOutput(object Json, string Text);
