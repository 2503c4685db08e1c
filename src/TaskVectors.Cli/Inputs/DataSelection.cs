// DataSelection: applies a DataSpec's selection to a loaded data set: the split part (DataSplit's seeded shuffle over
// the whole file, so every party that splits the same file gets the same parts), then the classes (relabelled in the
// order given), then the cap on the count.
using System.Globalization;
using TaskVectors.Cli.Hosting;
using TaskVectors.Data;

namespace TaskVectors.Cli.Inputs;

internal static class DataSelection
{
    public static ILabeledData<TInput> Apply<TInput>(ILabeledData<TInput> data, DataSpec spec)
    {
        if (spec.Split == DataSplitPart.All && spec.Classes is null && spec.MaxExamples >= data.Count) return Check(data, spec);
        int[] pool = Enumerable.Range(0, data.Count).ToArray();
        if (spec.Split != DataSplitPart.All)
        {
            var (train, validation, test) = DataSplit.Split(data.Count, spec.ValidationFraction, spec.TestFraction, spec.SplitSeed);
            pool = spec.Split switch { DataSplitPart.Train => train, DataSplitPart.Validation => validation, _ => test };
        }
        int classes = data.Classes;
        var map = Enumerable.Range(0, data.Classes).ToArray();
        if (spec.Classes is { } keep)
        {
            map = Enumerable.Repeat(-1, data.Classes).ToArray();
            for (int k = 0; k < keep.Count; k++)
            {
                if (keep[k] < 0 || keep[k] >= data.Classes)
                    throw new CliException(ExitCode.Usage, $"{spec.OptionPrefix}classes: class {keep[k]} is not a label of '{spec.Path}' (labels 0..{data.Classes - 1}).");
                if (map[keep[k]] >= 0) throw new CliException(ExitCode.Usage, $"{spec.OptionPrefix}classes: class {keep[k]} is given twice.");
                map[keep[k]] = k;
            }
            classes = keep.Count;
            pool = pool.Where(i => map[data.Label(i)] >= 0).ToArray();
        }
        if (pool.Length > spec.MaxExamples) pool = pool[..spec.MaxExamples];
        string what = spec.Split == DataSplitPart.All ? "" : " " + spec.Split.ToString().ToLowerInvariant();
        string which = spec.Classes is null ? "" : " classes " + string.Join(",", spec.Classes.Select(c => c.ToString(CultureInfo.InvariantCulture)));
        var selected = new SelectedData<TInput>(data, pool, pool.Select(i => map[data.Label(i)]).ToArray(), classes,
            $"{data.Description}{what}{which} ({pool.Length} examples)");
        return Check(selected, spec);
    }

    private static ILabeledData<TInput> Check<TInput>(ILabeledData<TInput> data, DataSpec spec) =>
        data.Count > 0 ? data : throw new CliException(ExitCode.BadFile, $"Data '{spec.Path}' has no example after the selection ({spec.Split}, classes {(spec.Classes is null ? "all" : string.Join(",", spec.Classes))}).");
}
