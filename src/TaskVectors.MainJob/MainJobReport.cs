// MainJobReport: the main job's result over its rows, printable in the paper's layout (merge table: individual,
// merged at α = 1 and at the validation-picked α, absolute / normalized; negation: target / control) and as JSON.
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskVectors.Merging;

namespace TaskVectors.MainJob;

/// <summary>The report of one main-job run.</summary>
public sealed record MainJobReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The profile run.</summary>
    public required MainJobProfile Profile { get; init; }

    /// <summary>The command run.</summary>
    public required MainJobCommand Command { get; init; }

    /// <summary>β of the penalties (the protocol's and Eq. 7/8's).</summary>
    public double Beta { get; init; }

    /// <summary>The rows, in the order run.</summary>
    public required IReadOnlyList<RowReport> Rows { get; init; }

    /// <summary>Wall-clock seconds of the whole run.</summary>
    public double Seconds { get; init; }

    /// <summary>The GEMM provider the run used (timings depend on it).</summary>
    public string Gemm { get; init; } = "";

    /// <summary>The report as text: per row the zero-shot accuracies, the merge table, the negation summary and, when run, the β sweep, Eq. 7 vs Eq. 8 and factor saturation.</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        foreach (var row in Rows)
        {
            text.Append(inv, $"== {row.Name} row: {row.Tasks.Count} tasks ({string.Join(", ", row.Tasks)}), {row.Seconds:F0} s ==\n");
            text.Append("zero-shot θ0 test accuracy %:");
            for (int t = 0; t < row.Tasks.Count; t++) text.Append(inv, $" {row.Tasks[t]} {Percent(row.ZeroShot[t])}");
            text.Append(inv, $"; mean {Percent(row.ZeroShot.Average())}\n");
            if (row.Methods.Count > 0)
            {
                text.Append('\n').Append(MergeTable(row.Methods, withTies: true).ToText());
                var negating = row.Methods.Where(m => m.Negations.Count > 0).ToList();
                if (negating.Count > 0)
                {
                    int width = Math.Max(28, negating.Max(m => m.Method.Length) + 2);
                    text.Append('\n').Append("negation, mean over tasks %".PadRight(width)).Append("target  control   (θ0: target control)\n");
                    foreach (var m in negating)
                        text.Append(m.Method.PadRight(width)).Append(Percent(m.Negations.Average(n => n.TargetAccuracy)).PadLeft(6))
                            .Append(Percent(m.Negations.Average(n => n.ControlAccuracy)).PadLeft(9))
                            .Append(inv, $"   ({Percent(m.Negations.Average(n => n.BaseTarget))} {Percent(m.Negations.Average(n => n.BaseControl))})\n");
                }
            }
            if (row.BetaSweep.Count > 0)
            {
                text.Append("\nβ sweep (linearized FT + TAK, task arithmetic)   abs α=1   abs, α by validation (α)\n");
                foreach (var m in row.BetaSweep)
                    text.Append(inv, $"  β = {m.Beta,-8}").Append(' ', 38).Append(Percent(m.TaskArithmetic.AtAlphaOne.Absolute).PadLeft(7))
                        .Append(Percent(m.TaskArithmetic.AtBestAlpha.Absolute).PadLeft(10)).Append(inv, $" ({m.TaskArithmetic.AtBestAlpha.Alpha:F2})\n");
            }
            if (row.Equations.Count > 0) text.Append("\nEq. 8 (aggregated) vs Eq. 7 (per task):\n").Append(MergeTable(row.Equations, withTies: false).ToText());
            if (row.FactorSaturation.Count > 0)
            {
                text.Append("\nfactor saturation (relative Frobenius error of the per-example means against the largest count):\n");
                foreach (var p in row.FactorSaturation)
                    text.Append(inv, $"  {p.Examples,5} examples/task: A {p.RelativeErrorA:F4}  G {p.RelativeErrorG:F4}  ({p.Seconds:F0} s)\n");
            }
            text.Append('\n');
        }
        text.Append(inv, $"profile {Profile.ToString().ToLowerInvariant()}, {Command}, β = {Beta}; total {Seconds:F0} s; GEMM: {Gemm}\n");
        return text.ToString();
    }

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such a report.</exception>
    public static MainJobReport FromJson(string json) =>
        JsonSerializer.Deserialize<MainJobReport>(json, Json) ?? throw new JsonException("The JSON holds no main-job report.");

    /// <inheritdoc />
    public override string ToString() => ToText();

    private static EvaluationTable MergeTable(IEnumerable<MethodReport> methods, bool withTies)
    {
        var table = new EvaluationTable();
        foreach (var m in methods)
        {
            table.Merges.Add(m.TaskArithmetic);
            if (withTies && m.Ties is not null) table.Merges.Add(m.Ties);
        }
        return table;
    }

    private static string Percent(double accuracy) => (accuracy * 100).ToString("F1", CultureInfo.InvariantCulture);
}
