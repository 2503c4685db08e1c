// CliException: a failure the tool diagnosed itself, with the exit code it maps to and a message that names the file,
// parameter or configuration line at fault.
namespace TaskVectors.Cli.Hosting;

/// <summary>An error with its exit code; the message is printed as is.</summary>
internal sealed class CliException(ExitCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The process exit code.</summary>
    public ExitCode Code { get; } = code;
}
