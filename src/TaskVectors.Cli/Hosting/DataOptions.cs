// DataOptions: the options that name one data set (--data and how to read and select it), shared by kfac, finetune
// and eval, so every party reads its data the same way.
using System.CommandLine;
using System.Globalization;
using TaskVectors.Cli.Inputs;

namespace TaskVectors.Cli.Hosting;

internal sealed class DataOptions
{
    /// <summary>The options of one data set; <paramref name="prefix"/> names a second one ("control-" → --control-data …).</summary>
    public DataOptions(string prefix = "", bool required = true, string? role = null)
    {
        string Name(string name) => "--" + prefix + name;
        string what = role is null ? "" : $" ({role})";
        Data = new Option<string>(Name("data"), prefix.Length == 0 ? ["-d"] : [])
        {
            Description = "The data set" + what + ": a JSONL/TSV/CSV text file (text base), an image folder root/class/*.png, an IDX or npy image array " +
                "(with --labels), or UCI optdigits (.csv.gz).",
            Required = required,
        };
        Format = new(Name("format")) { Description = "The data format (default: by the name).", DefaultValueFactory = _ => DataFormat.Auto };
        Labels = new(Name("labels")) { Description = "The labels file of IDX or npy images." };
        NumClasses = new(Name("num-classes")) { Description = "Classes of IDX or npy labels.", DefaultValueFactory = _ => 10 };
        TextColumn = new(Name("text-column")) { Description = "The text column/field.", DefaultValueFactory = _ => "text" };
        PairColumn = new(Name("pair-column")) { Description = "A second-sentence column/field (sentence pairs)." };
        LabelColumn = new(Name("label-column")) { Description = "The label column/field.", DefaultValueFactory = _ => "label" };
        LabelNames = new(Name("label-names")) { Description = "Comma-separated label names in class order, for text labels." };
        MaxLength = new(Name("max-length")) { Description = "Tokens per text example (truncated, padded).", DefaultValueFactory = _ => 128 };
        Classes = new(Name("classes")) { Description = "Comma-separated labels to keep, relabelled 0..k−1 in this order (e.g. 0,1)." };
        Split = new(Name("split")) { Description = "The part of a seeded split of the file to use.", DefaultValueFactory = _ => DataSplitPart.All };
        SplitFractions = new(Name("split-fractions")) { Description = "Validation and test fractions of the split.", DefaultValueFactory = _ => "0.15,0.25" };
        SplitSeed = new(Name("split-seed")) { Description = "The split's shuffle seed.", DefaultValueFactory = _ => 7UL };
        MaxExamples = new(Name("max-examples")) { Description = "Use at most this many examples (after the selection)." };
    }

    public Option<string> Data { get; }
    public Option<DataFormat> Format { get; }
    public Option<string?> Labels { get; }
    public Option<int> NumClasses { get; }
    public Option<string> TextColumn { get; }
    public Option<string?> PairColumn { get; }
    public Option<string> LabelColumn { get; }
    public Option<string?> LabelNames { get; }
    public Option<int> MaxLength { get; }
    public Option<string?> Classes { get; }
    public Option<DataSplitPart> Split { get; }
    public Option<string> SplitFractions { get; }
    public Option<ulong> SplitSeed { get; }
    public Option<int?> MaxExamples { get; }

    /// <summary>Whether the command line names this data set.</summary>
    public bool IsGiven(CommandRun run) => run.Parse.GetResult(Data) is not null;

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Data, Format, Labels, NumClasses, TextColumn, PairColumn, LabelColumn, LabelNames, MaxLength, Classes, Split, SplitFractions, SplitSeed, MaxExamples })
            command.Add(option);
    }

    /// <summary>The data set the command line names.</summary>
    public DataSpec Read(CommandRun run)
    {
        string path = run.Get(Data) ?? throw new CliException(ExitCode.Usage, $"{Data.Name} is required here.");
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"{Data.Name}: no such file or folder: '{path}'.", path);
        var fractions = Numbers(run.Get(SplitFractions), SplitFractions.Name);
        if (fractions.Length != 2) throw new CliException(ExitCode.Usage, $"{SplitFractions.Name} takes two numbers: the validation and the test fraction (e.g. 0.15,0.25).");
        return new DataSpec
        {
            Path = path, OptionPrefix = Data.Name[..^"data".Length], Format = run.Get(Format), LabelsPath = run.Get(Labels), NumClasses = run.Get(NumClasses),
            TextColumn = run.Get(TextColumn), PairColumn = run.Get(PairColumn), LabelColumn = run.Get(LabelColumn),
            LabelNames = run.Get(LabelNames)?.Split(',', StringSplitOptions.TrimEntries), MaxLength = run.Get(MaxLength),
            Classes = run.Get(Classes) is { } c ? Numbers(c, Classes.Name).Select(v => (int)v).ToArray() : null,
            Split = run.Get(Split), ValidationFraction = fractions[0], TestFraction = fractions[1], SplitSeed = run.Get(SplitSeed),
            MaxExamples = run.Get(MaxExamples) ?? int.MaxValue,
        };
    }

    /// <summary>Comma-separated numbers; a bad one is a usage error naming the option.</summary>
    public static double[] Numbers(string text, string option) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
                : throw new CliException(ExitCode.Usage, $"{option}: '{s}' is not a number.")).ToArray();
}
