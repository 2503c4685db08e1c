// TextReadOptions: how the text readers treat malformed lines, and the columns of generic CSV/TSV/JSONL files.
namespace TaskVectors.Data;

/// <summary>Options of <see cref="TextFiles"/>.</summary>
public sealed record TextReadOptions
{
    /// <summary>Skip (and count) malformed lines instead of throwing <see cref="DataFormatException"/>.</summary>
    public bool SkipMalformed { get; init; }

    /// <summary>Column (CSV/TSV header name or JSON key) of the text, for generic files.</summary>
    public string TextColumn { get; init; } = "text";

    /// <summary>Column of the second sentence for generic pair files; null for single sentences.</summary>
    public string? PairColumn { get; init; }

    /// <summary>Column of the label, for generic files.</summary>
    public string LabelColumn { get; init; } = "label";

    /// <summary>
    /// Label names in label order for generic files. A label field matching a name (ordinally) takes its index; a label that
    /// matches none is malformed. When null, all-integer labels are kept as they are (0 … max) and otherwise the distinct
    /// names are sorted ordinally.
    /// </summary>
    public IReadOnlyList<string>? LabelNames { get; init; }
}
