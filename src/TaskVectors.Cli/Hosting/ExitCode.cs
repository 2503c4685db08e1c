// ExitCode: the tool's documented process exit codes. Bad input (the caller can fix it) and failures (the work itself
// went wrong) are told apart, and each kind of bad input has its own code so scripts can react to it.
namespace TaskVectors.Cli.Hosting;

/// <summary>Process exit codes of <c>taskvectors</c>.</summary>
internal enum ExitCode
{
    /// <summary>The command did what it was asked.</summary>
    Success = 0,

    /// <summary>The work failed (training diverged, a result was not finite, an I/O error while writing, an unexpected error).</summary>
    Failure = 1,

    /// <summary>The command line is wrong: unknown option, missing argument, a value out of range.</summary>
    Usage = 2,

    /// <summary>An input file or folder does not exist.</summary>
    MissingFile = 3,

    /// <summary>An input file is corrupt, truncated, of another kind (a factor file given as a task vector …) or malformed data.</summary>
    BadFile = 4,

    /// <summary>An input file was made from another base model than the one given.</summary>
    WrongBase = 5,

    /// <summary>The merge configuration (YAML) is malformed or names unknown keys.</summary>
    BadConfig = 6,

    /// <summary>No merge method has the name given.</summary>
    UnknownMethod = 7,

    /// <summary>Cancelled (Ctrl+C); no partial output file is left.</summary>
    Cancelled = 130,
}
