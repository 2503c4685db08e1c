// DataOptions: the options that name one data set (--data and how to read and select it), shared by kfac, finetune
// and eval, so every party reads its data the same way.
using System.CommandLine;
using System.Globalization;
using TaskVectors.Cli.Inputs;

namespace TaskVectors.Cli.Hosting;

internal sealed class DataOptions
{
    public Option<string> Data { get; } = new("--data", "-d")
    {
        Description = "The data set: a JSONL/TSV/CSV text file (text base), an image folder root/class/*.png, an IDX or npy image array " +
            "(with --labels), or UCI optdigits (.csv.gz).",
        Required = true,
    };
    public Option<DataFormat> Format { get; } = new("--format") { Description = "The data format (default: by the name).", DefaultValueFactory = _ => DataFormat.Auto };
    public Option<string?> Labels { get; } = new("--labels") { Description = "The labels file of IDX or npy images." };
    public Option<int> NumClasses { get; } = new("--num-classes") { Description = "Classes of IDX or npy labels.", DefaultValueFactory = _ => 10 };
    public Option<string> TextColumn { get; } = new("--text-column") { Description = "The text column/field.", DefaultValueFactory = _ => "text" };
    public Option<string?> PairColumn { get; } = new("--pair-column") { Description = "A second-sentence column/field (sentence pairs)." };
    public Option<string> LabelColumn { get; } = new("--label-column") { Description = "The label column/field.", DefaultValueFactory = _ => "label" };
    public Option<string?> LabelNames { get; } = new("--label-names") { Description = "Comma-separated label names in class order, for text labels." };
    public Option<int> MaxLength { get; } = new("--max-length") { Description = "Tokens per text example (truncated, padded).", DefaultValueFactory = _ => 128 };
    public Option<string?> Classes { get; } = new("--classes") { Description = "Comma-separated labels to keep, relabelled 0..k−1 in this order (e.g. 0,1)." };
    public Option<DataSplitPart> Split { get; } = new("--split") { Description = "The part of a seeded split of the file to use.", DefaultValueFactory = _ => DataSplitPart.All };
    public Option<string> SplitFractions { get; } = new("--split-fractions") { Description = "Validation and test fractions of the split.", DefaultValueFactory = _ => "0.15,0.25" };
    public Option<ulong> SplitSeed { get; } = new("--split-seed") { Description = "The split's shuffle seed.", DefaultValueFactory = _ => 7UL };
    public Option<int?> MaxExamples { get; } = new("--max-examples") { Description = "Use at most this many examples (after the selection)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Data, Format, Labels, NumClasses, TextColumn, PairColumn, LabelColumn, LabelNames, MaxLength, Classes, Split, SplitFractions, SplitSeed, MaxExamples })
            command.Add(option);
    }

    /// <summary>The data set the command line names.</summary>
    public DataSpec Read(CommandRun run)
    {
        string path = run.Get(Data);
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"--data: no such file or folder: '{path}'.", path);
        var fractions = Numbers(run.Get(SplitFractions), "--split-fractions");
        if (fractions.Length != 2) throw new CliException(ExitCode.Usage, "--split-fractions takes two numbers: the validation and the test fraction (e.g. 0.15,0.25).");
        return new DataSpec
        {
            Path = path, Format = run.Get(Format), LabelsPath = run.Get(Labels), NumClasses = run.Get(NumClasses),
            TextColumn = run.Get(TextColumn), PairColumn = run.Get(PairColumn), LabelColumn = run.Get(LabelColumn),
            LabelNames = run.Get(LabelNames)?.Split(',', StringSplitOptions.TrimEntries), MaxLength = run.Get(MaxLength),
            Classes = run.Get(Classes) is { } c ? Numbers(c, "--classes").Select(v => (int)v).ToArray() : null,
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
