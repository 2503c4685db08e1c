// ErrorClassifier: maps what a command threw to an exit code. The library's typed exceptions already name the file,
// tensor or parameter at fault, so their messages are shown unchanged.
using System.Text.Json;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.IO;
using TaskVectors.MainJob.Vision;
using TaskVectors.Models;
using TaskVectors.Pretrained;
using TaskVectors.Training;
using YamlDotNet.Core;

namespace TaskVectors.Cli.Hosting;

internal static class ErrorClassifier
{
    /// <summary>The exit code for <paramref name="error"/>.</summary>
    public static ExitCode Classify(Exception error) => error switch
    {
        CliException e => e.Code,
        OperationCanceledException => ExitCode.Cancelled,
        FileNotFoundException or DirectoryNotFoundException or PretrainedPackageNotFoundException => ExitCode.MissingFile,
        SafetensorsFormatException or FileKindException or DataFormatException or CheckpointMismatchException or OnnxImportException or TaskVectorMismatchException
            or InvalidDataException or JsonException or VisionRowDataException => ExitCode.BadFile,
        YamlException => ExitCode.BadConfig,
        TrainingDivergedException => ExitCode.Failure,
        ArgumentException => ExitCode.Usage,
        _ => ExitCode.Failure,
    };

    /// <summary>The message to print: the exception's own, with the inner one's when it adds something.</summary>
    public static string Describe(Exception error)
    {
        if (error is OperationCanceledException) return "Cancelled; no output file was written.";
        string message = error.Message;
        if (error.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal) && error is not CliException { Code: ExitCode.BadConfig })
            message += $" ({inner.Message})";
        return message;
    }
}
