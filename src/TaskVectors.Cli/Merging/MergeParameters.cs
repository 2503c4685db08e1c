// MergeParameters: the method hyperparameters a merge configuration may set (mergekit-style snake_case names) and
// their mapping onto the library's MergeOptions, whose setters validate the ranges.
using TaskVectors.Cli.Hosting;
using TaskVectors.Merging;

namespace TaskVectors.Cli.Merging;

internal static class MergeParameters
{
    private static readonly Dictionary<string, Func<MergeOptions, double, MergeOptions>> Setters = new(StringComparer.Ordinal)
    {
        ["density"] = (o, v) => o with { Density = v },
        ["drop_rate"] = (o, v) => o with { DropRate = v },
        ["seed"] = (o, v) => o with { Seed = Whole<ulong>(v, "seed") },
        ["lambda"] = (o, v) => o with { Lambda = v },
        ["min_tasks"] = (o, v) => o with { MinTasks = Whole<int>(v, "min_tasks") },
        ["tall_task"] = (o, v) => o with { TallTask = Whole<int>(v, "tall_task") },
        ["common_space_fraction"] = (o, v) => o with { CommonSpaceFraction = v },
        ["non_diagonal_ratio"] = (o, v) => o with { NonDiagonalRatio = v },
        ["fisher_floor"] = (o, v) => o with { FisherFloor = v },
    };

    /// <summary>The names a configuration may use under "parameters" (besides alpha).</summary>
    public static IEnumerable<string> Names => Setters.Keys;

    public static bool IsKnown(string name) => Setters.ContainsKey(name);

    /// <summary>The options for one tensor's values; an out-of-range value is a configuration error naming the parameter.</summary>
    public static MergeOptions Options(IReadOnlyDictionary<string, double> values, string source, ExitCode code)
    {
        var options = new MergeOptions();
        foreach (var (name, value) in values)
        {
            try { options = Setters[name](options, value); }
            catch (ArgumentException e) { throw new CliException(code, $"{source}: parameter '{name}' = {value}: {e.Message}", e); }
        }
        return options;
    }

    private static T Whole<T>(double value, string name) where T : System.Numerics.INumber<T> =>
        value == Math.Floor(value) && value >= 0 ? T.CreateChecked(value) : throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be a whole number ≥ 0.");
}
