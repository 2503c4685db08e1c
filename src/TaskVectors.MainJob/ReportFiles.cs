// ReportFiles: writes a report to a folder: report.json, report.txt and the SVG plots (per row: mean validation
// accuracy of task arithmetic against α per method; merged test accuracy against β when the sweep ran). Each file is
// written to a temporary name and renamed, so a reader never sees half a file.
namespace TaskVectors.MainJob;

internal static class ReportFiles
{
    public static IReadOnlyList<string> Write(MainJobReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>
        {
            Write(folder, "report.json", report.ToJson()),
            Write(folder, "report.txt", report.ToText()),
        };
        foreach (var (name, svg) in Plots(report)) written.Add(Write(folder, name, svg));
        return written;
    }

    /// <summary>The plots of a report, by file name.</summary>
    public static IEnumerable<(string Name, string Svg)> Plots(MainJobReport report)
    {
        foreach (var row in report.Rows)
        {
            var curves = row.Methods.Concat(row.Equations).ToList();
            if (curves.Count > 0)
                yield return ($"{row.Name}-alpha.svg", SvgPlot.LineChart($"{row.Name} row: task arithmetic, mean validation accuracy against α", "α",
                    "mean validation accuracy %", [.. curves.Select(m => new PlotSeries(m.Method, [.. m.TaskArithmetic.ValidationSweep.Select(s => (Alpha(s.Alpha), s.Accuracy))]))]));
            if (row.BetaSweep.Count > 0)
                yield return ($"{row.Name}-beta.svg", SvgPlot.LineChart($"{row.Name} row: linearized FT + TAK, merged test accuracy against β", "β (log scale)", "mean test accuracy %",
                [
                    new PlotSeries("α = 1", [.. row.BetaSweep.Select(m => (m.Beta ?? 0, m.TaskArithmetic.AtAlphaOne.Absolute))]),
                    new PlotSeries("α by validation", [.. row.BetaSweep.Select(m => (m.Beta ?? 0, m.TaskArithmetic.AtBestAlpha.Absolute))]),
                ], logX: true));
        }
    }

    // α as its shortest decimal (0.05, not the float's 0.0500000007…).
    internal static double Alpha(float alpha) => double.Parse(alpha.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private static string Write(string folder, string name, string text)
    {
        string path = Path.Combine(folder, name), temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
