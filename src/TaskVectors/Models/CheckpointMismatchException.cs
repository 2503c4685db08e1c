// CheckpointMismatchException: a checkpoint's tensors do not match a model's parameters. Lists every
// missing, unexpected and mis-shaped tensor at once, so one run shows all that is wrong.
namespace TaskVectors.Models;

/// <summary>
/// Thrown by strict loading when a file's tensor names or shapes differ from the model's parameters.
/// Nothing was loaded into the model when this is thrown.
/// </summary>
public sealed class CheckpointMismatchException : IOException
{
    /// <summary>Creates the exception from the three lists (each may be empty).</summary>
    public CheckpointMismatchException(string filePath, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misshaped)
        : base(Format(filePath, missing, unexpected, misshaped))
    {
        FilePath = filePath;
        Missing = missing;
        Unexpected = unexpected;
        Misshaped = misshaped;
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>Parameters of the model that the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Tensors in the file that the model has no parameter for.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>"name: model [..], file [..]" (or an unreadable dtype) for each tensor whose shape or type differs.</summary>
    public IReadOnlyList<string> Misshaped { get; }

    private static string Format(string filePath, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misshaped)
    {
        var text = new System.Text.StringBuilder($"Checkpoint '{filePath}' does not match the model:");
        void Section(string title, IReadOnlyList<string> items)
        {
            if (items.Count == 0) return;
            text.Append('\n').Append(title).Append(" (").Append(items.Count).Append("):");
            foreach (string item in items) text.Append("\n  ").Append(item);
        }
        Section("missing", missing);
        Section("unexpected", unexpected);
        Section("mis-shaped", misshaped);
        return text.ToString();
    }
}
