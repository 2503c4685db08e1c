// EvaluationTable: merge and negation results as the paper lays them out (per-task individual accuracies, then
// absolute and normalized accuracy at α = 1 and at the validation-picked α; negation target / control), and as JSON.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TaskVectors.Merging;

/// <summary>A table of <see cref="MergeEvaluationResult"/> and <see cref="NegationResult"/> rows: printable and JSON-serializable.</summary>
public sealed class EvaluationTable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The merge rows, in the order added.</summary>
    public List<MergeEvaluationResult> Merges { get; init; } = [];

    /// <summary>The negation rows, in the order added.</summary>
    public List<NegationResult> Negations { get; init; } = [];

    /// <summary>The table in the paper's layout (accuracies in %).</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        if (Merges.Count > 0)
        {
            var tasks = Merges[0].Tasks;
            int width = Math.Max(24, Merges.Max(m => m.Method.Length) + 2);
            int column = Math.Max(6, tasks.Max(t => t.Length) + 1);
            text.Append("test accuracy %".PadRight(width)).Append("individual".PadRight(column * (tasks.Count + 1)))
                .Append("  merged α=1     merged, α by validation\n");
            text.Append("method".PadRight(width));
            foreach (var t in tasks) text.Append(t.PadLeft(column));
            text.Append("mean".PadLeft(column)).Append("    abs  norm       α   abs  norm\n");
            foreach (var m in Merges)
            {
                text.Append(m.Method.PadRight(width));
                foreach (var a in m.Individual) text.Append(Percent(a).PadLeft(column));
                text.Append(Percent(m.Individual.Average()).PadLeft(column));
                text.Append(Percent(m.AtAlphaOne.Absolute).PadLeft(7)).Append(Percent(m.AtAlphaOne.Normalized).PadLeft(6));
                text.Append(m.AtBestAlpha.Alpha.ToString("F2", inv).PadLeft(8));
                text.Append(Percent(m.AtBestAlpha.Absolute).PadLeft(6)).Append(Percent(m.AtBestAlpha.Normalized).PadLeft(6)).Append('\n');
            }
        }
        if (Negations.Count > 0)
        {
            if (text.Length > 0) text.Append('\n');
            int width = Math.Max(24, Negations.Max(n => n.Method.Length) + 2);
            text.Append("negation %".PadRight(width)).Append("target  control     α   target  control   (base: target control)\n");
            foreach (var n in Negations)
                text.Append(n.Method.PadRight(width)).Append(n.Target.PadLeft(6)).Append(n.Control.PadLeft(9))
                    .Append(n.Alpha.ToString("F2", inv).PadLeft(6)).Append(Percent(n.TargetAccuracy).PadLeft(9)).Append(Percent(n.ControlAccuracy).PadLeft(9))
                    .Append("   (").Append(Percent(n.BaseTarget)).Append(' ').Append(Percent(n.BaseControl)).Append(")\n");
        }
        return text.ToString();
    }

    /// <summary>The table as indented JSON (System.Text.Json).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a table written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such a table.</exception>
    public static EvaluationTable FromJson(string json) =>
        JsonSerializer.Deserialize<EvaluationTable>(json, Json) ?? throw new JsonException("The JSON holds no evaluation table.");

    /// <inheritdoc />
    public override string ToString() => ToText();

    private static string Percent(double accuracy) => (accuracy * 100).ToString("F1", CultureInfo.InvariantCulture);
}
