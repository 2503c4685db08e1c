// DataFormatException: the one exception type the input pipeline throws for bad input — an image that
// does not decode or is too large, a malformed line of a data file, an unknown label — naming the file
// (and line, when there is one).
namespace TaskVectors.Data;

/// <summary>An input file (image, data set, text file) is malformed, too large, or holds an unknown label.</summary>
public sealed class DataFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> (line <paramref name="line"/> when known, 1-based).</summary>
    public DataFormatException(string path, int? line, string message, Exception? inner = null)
        : base(line is { } l ? $"{path}:{l}: {message}" : $"{path}: {message}", inner)
    {
        Path = path;
        Line = line;
    }

    /// <summary>The file (or stream name) at fault.</summary>
    public string Path { get; }

    /// <summary>The 1-based line at fault, when the file is line-oriented.</summary>
    public int? Line { get; }
}
