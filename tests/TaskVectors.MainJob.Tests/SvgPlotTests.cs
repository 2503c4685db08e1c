// SvgPlot: well-formed SVG whatever the names hold, points written with their exact values, a log axis that places 0.
using System.Xml.Linq;

namespace TaskVectors.MainJob.Tests;

public sealed class SvgPlotTests
{
    [Fact]
    public void LineChart_NamesWithMarkup_ParsesAsXml()
    {
        var svg = SvgPlot.LineChart("a < b & \"c\"", "α", "acc", [new PlotSeries("<TAK> & 'β'", [(0, 0.5), (1, 0.75)])]);
        var doc = XDocument.Parse(svg);
        doc.Root!.Name.LocalName.ShouldBe("svg");
        doc.Descendants().First(e => e.Name.LocalName == "g" && (string?)e.Attribute("class") == "series").Attribute("data-name")!.Value.ShouldBe("<TAK> & 'β'");
    }

    [Fact]
    public void LineChart_LogAxisWithZero_PutsZeroLeftOfTheSmallestPositiveX()
    {
        var doc = XDocument.Parse(SvgPlot.LineChart("β", "β", "acc", [new PlotSeries("s", [(0, 0.1), (1, 0.2), (100, 0.3)])], logX: true));
        var xs = doc.Descendants().Where(e => e.Name.LocalName == "circle").Select(c => double.Parse(c.Attribute("cx")!.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        xs.ShouldBeInOrder();
        (xs[1] - xs[0]).ShouldBe((xs[2] - xs[1]) / 2, 0.02);   // 0 sits one decade below 1; 1 → 100 is two decades
    }

    [Fact]
    public void LineChart_NonFinitePoint_Throws() =>
        Should.Throw<ArgumentException>(() => SvgPlot.LineChart("t", "x", "y", [new PlotSeries("s", [(0, double.NaN)])]));
}
