// VisionRowDataException: the vision row's committed files (base weights, their SHA-256, the task manifest, a task's
// IDX splits) are missing, damaged or inconsistent; names the file at fault and keeps the underlying error.
namespace TaskVectors.MainJob.Vision;

/// <summary>A file the vision row needs is missing, corrupt or disagrees with its manifest; <see cref="FilePath"/> names it.</summary>
public sealed class VisionRowDataException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    public VisionRowDataException(string filePath, string message, Exception? inner = null)
        : base($"{filePath}: {message}", inner) => FilePath = filePath;

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
}
