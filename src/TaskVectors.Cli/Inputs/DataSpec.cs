// DataSpec: one data set as given on the command line: the file, how to read it, and which examples to keep (classes
// relabelled 0..k−1 in the order given, a part of a seeded split, a cap on the count).
namespace TaskVectors.Cli.Inputs;

internal sealed record DataSpec
{
    public required string Path { get; init; }
    /// <summary>The prefix of the options that gave this data set ("--" or "--control-"), for messages.</summary>
    public string OptionPrefix { get; init; } = "--";
    public DataFormat Format { get; init; }
    /// <summary>Labels file of IDX and npy image data.</summary>
    public string? LabelsPath { get; init; }
    public string TextColumn { get; init; } = "text";
    public string? PairColumn { get; init; }
    public string LabelColumn { get; init; } = "label";
    /// <summary>Label names in class order (text files whose labels are names).</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }
    public int MaxLength { get; init; } = 128;
    /// <summary>Classes of IDX and npy data.</summary>
    public int NumClasses { get; init; } = 10;
    /// <summary>Labels to keep, relabelled 0..k−1 in this order; null keeps all.</summary>
    public IReadOnlyList<int>? Classes { get; init; }
    public DataSplitPart Split { get; init; }
    public double ValidationFraction { get; init; } = 0.15;
    public double TestFraction { get; init; } = 0.25;
    public ulong SplitSeed { get; init; } = 7;
    public int MaxExamples { get; init; } = int.MaxValue;

    /// <summary>The format to read <see cref="Path"/> with (Auto resolved by name).</summary>
    public DataFormat Resolved()
    {
        if (Format != DataFormat.Auto) return Format;
        if (Directory.Exists(Path)) return DataFormat.Images;
        string name = System.IO.Path.GetFileName(Path).ToLowerInvariant();
        if (name.EndsWith(".jsonl", StringComparison.Ordinal)) return DataFormat.Jsonl;
        if (name.EndsWith(".tsv", StringComparison.Ordinal)) return DataFormat.Tsv;
        if (name.EndsWith(".csv.gz", StringComparison.Ordinal)) return DataFormat.Optdigits;
        if (name.EndsWith(".csv", StringComparison.Ordinal)) return DataFormat.Csv;
        if (name.EndsWith(".npy", StringComparison.Ordinal)) return DataFormat.Npy;
        if (name.Contains("idx", StringComparison.Ordinal) || name.Contains("-ubyte", StringComparison.Ordinal)) return DataFormat.Idx;
        throw new Hosting.CliException(Hosting.ExitCode.Usage,
            $"Cannot tell the format of data '{Path}' from its name: give --format (jsonl, tsv, csv, images, idx, npy, optdigits).");
    }
}
