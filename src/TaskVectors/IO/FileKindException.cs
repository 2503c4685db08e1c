// FileKindException: a file the library wrote, opened as another kind (a factor file read as a task vector,
// a task vector loaded as model weights …). The message names the file, the kind expected and the kind found.
namespace TaskVectors.IO;

/// <summary>
/// A TaskVectors file is of another kind than the loader reads, as declared by its <c>taskvectors.kind</c> metadata:
/// task-vector, merged, factors, finetune-checkpoint or checkpoint.
/// </summary>
public sealed class FileKindException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>; <paramref name="foundKind"/> is null for a file without the header.</summary>
    public FileKindException(string filePath, string expectedKind, string? foundKind)
        : base($"'{filePath}' is {(foundKind is null ? "not marked as a TaskVectors file (no \"taskvectors.kind\" metadata)" : $"a {foundKind} file")}, not a {expectedKind} file.")
    {
        FilePath = filePath;
        ExpectedKind = expectedKind;
        FoundKind = foundKind;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The kind the loader reads.</summary>
    public string ExpectedKind { get; }

    /// <summary>The kind the file declares, or null when it has no header.</summary>
    public string? FoundKind { get; }
}
