// EvaluationReport: the evaluation table of a plan's run. Absolute accuracy = mean over tasks; normalized accuracy =
// mean over tasks of merged / individual accuracy (each task through its own head).
using System.Globalization;
using System.Text;

namespace TaskVectors.Building;

/// <summary>Per-task test accuracies and their means, for the merged model at α = 1 and at <see cref="Alpha"/>.</summary>
public sealed class EvaluationReport
{
    internal EvaluationReport(string method, float alpha, IReadOnlyList<TaskEvaluation> rows)
    {
        Method = method;
        Alpha = alpha;
        Rows = rows;
        int n = rows.Count;
        foreach (var r in rows)
        {
            IndividualMean += r.Individual / n;
            AbsoluteAtOne += r.MergedAtOne / n;
            NormalizedAtOne += r.MergedAtOne / r.Individual / n;
            AbsoluteAtAlpha += r.MergedAtAlpha / n;
            NormalizedAtAlpha += r.MergedAtAlpha / r.Individual / n;
        }
    }

    /// <summary>The merge method's name.</summary>
    public string Method { get; }

    /// <summary>The plan's α (fixed, or picked on validation data).</summary>
    public float Alpha { get; }

    /// <summary>One row per fine-tuned task, in plan order.</summary>
    public IReadOnlyList<TaskEvaluation> Rows { get; }

    /// <summary>Mean individual accuracy.</summary>
    public double IndividualMean { get; }

    /// <summary>Mean merged accuracy at α = 1.</summary>
    public double AbsoluteAtOne { get; }

    /// <summary>Mean of merged (α = 1) / individual accuracy.</summary>
    public double NormalizedAtOne { get; }

    /// <summary>Mean merged accuracy at <see cref="Alpha"/>.</summary>
    public double AbsoluteAtAlpha { get; }

    /// <summary>Mean of merged (<see cref="Alpha"/>) / individual accuracy.</summary>
    public double NormalizedAtAlpha { get; }

    /// <summary>The table as text, accuracies in %.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{"task",-16}{"individual",11}{"merged α=1",12}{$"merged α={Alpha:0.##}",14}");
        foreach (var r in Rows)
            text.AppendLine(c, $"{r.Task,-16}{r.Individual * 100,11:F1}{r.MergedAtOne * 100,12:F1}{r.MergedAtAlpha * 100,14:F1}");
        text.AppendLine(c, $"{"absolute",-16}{IndividualMean * 100,11:F1}{AbsoluteAtOne * 100,12:F1}{AbsoluteAtAlpha * 100,14:F1}");
        text.Append(c, $"{"normalized",-16}{"",11}{NormalizedAtOne * 100,12:F1}{NormalizedAtAlpha * 100,14:F1}");
        return text.ToString();
    }
}
