// TextCorpus: the examples read from one text data file, its label names (index = label) and how many
// lines were skipped (malformed lines on request, and NLI lines without a gold label).
namespace TaskVectors.Data;

/// <summary>Examples of a text-classification or sentence-pair file with the label map used.</summary>
public sealed class TextCorpus
{
    internal TextCorpus(string path, IReadOnlyList<TextExample> examples, IReadOnlyList<string> labelNames, int skipped, int unlabeled)
    {
        Path = path;
        Examples = examples;
        LabelNames = labelNames;
        SkippedLines = skipped;
        UnlabeledLines = unlabeled;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The examples in file order.</summary>
    public IReadOnlyList<TextExample> Examples { get; }

    /// <summary>Label names; example label i means <c>LabelNames[i]</c>.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Malformed lines skipped because the caller asked (<see cref="TextReadOptions.SkipMalformed"/>).</summary>
    public int SkippedLines { get; }

    /// <summary>Lines without a gold label (SNLI/MultiNLI "-": the annotators did not agree), always left out as in the data sets' own loaders.</summary>
    public int UnlabeledLines { get; }

    /// <summary>Whether the examples are sentence pairs.</summary>
    public bool IsPairs => Examples.Count > 0 && Examples[0].Second is not null;
}
