// TextInputs: reads text data sets (JSONL, TSV, CSV with a text column, an optional pair column and a label column)
// and tokenizes them with the base's tokenizer.
using TaskVectors.Cli.Hosting;
using TaskVectors.Data;
using TaskVectors.Models;

namespace TaskVectors.Cli.Inputs;

internal static class TextInputs
{
    public static ILabeledData<TextBatch> Load(DataSpec spec, TextTokenizer tokenizer)
    {
        var format = spec.Resolved() switch
        {
            DataFormat.Jsonl => TextFileFormat.Jsonl,
            DataFormat.Tsv => TextFileFormat.Tsv,
            DataFormat.Csv => TextFileFormat.Csv,
            var other => throw new CliException(ExitCode.Usage, $"Data '{spec.Path}' is {other.ToString().ToLowerInvariant()} images; this base takes text (jsonl, tsv, csv)."),
        };
        var options = new TextReadOptions { TextColumn = spec.TextColumn, PairColumn = spec.PairColumn, LabelColumn = spec.LabelColumn, LabelNames = spec.LabelNames };
        var corpus = TextFiles.Read(spec.Path, format, options);
        return DataSelection.Apply(new TextData(corpus, tokenizer, spec.MaxLength), spec);
    }
}
