// SvgPlot: a line chart as plain SVG 1.1 text: axes with ticks, one polyline (and its point markers) per series, a
// legend. x may be log-scaled (β); a log axis puts x = 0 one decade left of the smallest positive x, labelled "0".
// Every point is also written as a <circle> with data-x / data-y attributes, so the plotted values can be read back.
using System.Globalization;
using System.Security;
using System.Text;

namespace TaskVectors.MainJob;

internal sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

internal static class SvgPlot
{
    private const int Width = 720, Height = 440, Left = 70, Right = 250, Top = 40, Bottom = 60;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, bool logX = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var points = series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0) throw new ArgumentException("Nothing to plot.", nameof(series));
        if (points.Any(p => !double.IsFinite(p.X) || !double.IsFinite(p.Y))) throw new ArgumentException($"Plot '{title}' has a non-finite point.", nameof(series));
        double zeroAt = 0;
        if (logX)
        {
            var positive = points.Where(p => p.X > 0).Select(p => p.X).ToList();
            if (points.Any(p => p.X < 0)) throw new ArgumentException("A log axis takes no negative x.", nameof(series));
            zeroAt = positive.Count > 0 ? Math.Log10(positive.Min()) - 1 : 0;
        }
        double Tx(double x) => logX ? (x > 0 ? Math.Log10(x) : zeroAt) : x;
        double xMin = points.Min(p => Tx(p.X)), xMax = points.Max(p => Tx(p.X));
        double yMin = Math.Min(0, points.Min(p => p.Y)), yMax = Math.Max(1, points.Max(p => p.Y));
        if (xMax == xMin) (xMin, xMax) = (xMin - 1, xMax + 1);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + (Tx(x) - xMin) / (xMax - xMin) * plotW;
        double Py(double y) => Top + (yMax - y) / (yMax - yMin) * plotH;
        string F(double v) => v.ToString("0.##", inv);

        var svg = new StringBuilder();
        svg.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(inv, $"  <title>{Escape(title)}</title>\n  <rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(inv, $"  <text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        // Axes and ticks: y every 0.1 (accuracy), x at the data's distinct values (α grid or β values) thinned to ≤ 11.
        svg.Append(inv, $"  <g stroke=\"black\"><line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\"/></g>\n");
        for (int i = 0; i <= 10; i++)
        {
            double y = yMin + (yMax - yMin) * i / 10;
            svg.Append(inv, $"  <line x1=\"{Left}\" y1=\"{F(Py(y))}\" x2=\"{Left + plotW}\" y2=\"{F(Py(y))}\" stroke=\"#ddd\"/><text x=\"{Left - 6}\" y=\"{F(Py(y) + 4)}\" text-anchor=\"end\">{F(y * 100)}</text>\n");
        }
        var xs = points.Select(p => p.X).Distinct().Order().ToList();
        int stride = Math.Max(1, (xs.Count + 10) / 11);
        for (int i = 0; i < xs.Count; i += stride)
            svg.Append(inv, $"  <text x=\"{F(Px(xs[i]))}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{F(xs[i])}</text>\n");
        svg.Append(inv, $"  <text x=\"{Left + plotW / 2}\" y=\"{Height - 18}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append(inv, $"  <text transform=\"translate(18 {Top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n");
        for (int s = 0; s < series.Count; s++)
        {
            string color = Colors[s % Colors.Length];
            var ordered = series[s].Points.OrderBy(p => p.X).ToList();
            svg.Append(inv, $"  <g class=\"series\" data-name=\"{Escape(series[s].Name)}\" stroke=\"{color}\" fill=\"{color}\">\n");
            svg.Append("    <polyline fill=\"none\" stroke-width=\"2\" points=\"").AppendJoin(' ', ordered.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}")).Append("\"/>\n");
            foreach (var p in ordered)
                svg.Append(inv, $"    <circle cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"3\" data-x=\"{p.X.ToString("R", inv)}\" data-y=\"{p.Y.ToString("R", inv)}\"/>\n");
            svg.Append("  </g>\n");
            double ly = Top + 10 + s * 20;
            svg.Append(inv, $"  <line x1=\"{Left + plotW + 15}\" y1=\"{F(ly)}\" x2=\"{Left + plotW + 40}\" y2=\"{F(ly)}\" stroke=\"{color}\" stroke-width=\"2\"/>");
            svg.Append(inv, $"<text x=\"{Left + plotW + 45}\" y=\"{F(ly + 4)}\">{Escape(series[s].Name)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
