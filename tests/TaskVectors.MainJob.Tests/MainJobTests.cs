// MainJob: the protocol end to end on a tiny synthetic row: the report round-trips through JSON, the SVG plots parse
// as XML and plot the report's numbers, a second run with the cache recomputes nothing, cancellation is honoured.
using System.Globalization;
using System.Xml.Linq;
using TaskVectors.Building;

namespace TaskVectors.MainJob.Tests;

public sealed class MainJobTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("main-job-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private MainJobOptions Options(MainJobCommand command = MainJobCommand.Protocol) => new()
    {
        DataRoot = _folder,
        CacheFolder = Path.Combine(_folder, "cache"),
        OutputFolder = Path.Combine(_folder, "out"),
        Command = command,
        BetaGrid = [0, 10, 100],
    };

    [Fact]
    public async Task RunAsync_TinyRow_ReportsEveryQuickMethodAndRoundTripsThroughJson()
    {
        var report = await MainJob.RunAsync(Options(), [TinyRow.Create()]);

        var row = report.Rows.ShouldHaveSingleItem();
        row.Tasks.ShouldBe(["task0", "task1"]);
        row.ZeroShot.Count.ShouldBe(2);
        row.Methods.Select(m => m.Method).ShouldBe(["linear FT", "linear FT + TAK (β = 100)", "non-linear FT"]);
        foreach (var m in row.Methods)
        {
            m.Ties.ShouldNotBeNull();
            foreach (var merge in new[] { m.TaskArithmetic, m.Ties! })
            {
                merge.Individual.ShouldAllBe(a => a >= 0 && a <= 1);
                merge.AtAlphaOne.Alpha.ShouldBe(1f);
                merge.AtAlphaOne.Absolute.ShouldBe(merge.AtAlphaOne.PerTask.Average(), 1e-12);
                merge.AtBestAlpha.Alpha.ShouldBe(merge.ValidationSweep.MaxBy(s => s.Accuracy)!.Alpha);
            }
            // Negation: α keeps the control's validation accuracy ≥ 95 % of θ0's.
            if (m.Regime == "linearized")
            {
                m.Negations.Count.ShouldBe(2);
                foreach (var n in m.Negations)
                {
                    var baseControl = n.ValidationSweep[0];
                    baseControl.Alpha.ShouldBe(0f);
                    if (n.Alpha > 0) n.ValidationSweep.First(s => s.Alpha == n.Alpha).Control!.Value.ShouldBeGreaterThanOrEqualTo(0.95 * baseControl.Control!.Value);
                }
            }
        }
        var json = File.ReadAllText(Path.Combine(_folder, "out", "report.json"));
        var back = MainJobReport.FromJson(json);
        back.ToJson().ShouldBe(json);
        back.ToText().ShouldBe(report.ToText());
        report.ToText().ShouldContain("linear FT + TAK (β = 100), task arithmetic");
    }

    [Fact]
    public async Task RunAsync_Plots_ParseAsXmlAndHoldTheReportedSweep()
    {
        var report = await MainJob.RunAsync(Options(), [TinyRow.Create()]);

        var svg = XDocument.Load(Path.Combine(_folder, "out", "tiny-alpha.svg"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var series = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        var methods = report.Rows[0].Methods;
        series.Select(g => (string?)g.Attribute("data-name")).ShouldBe(methods.Select(m => m.Method));
        for (int i = 0; i < methods.Count; i++)
        {
            var points = series[i].Elements(ns + "circle")
                .Select(c => (X: double.Parse((string)c.Attribute("data-x")!, CultureInfo.InvariantCulture), Y: double.Parse((string)c.Attribute("data-y")!, CultureInfo.InvariantCulture))).ToList();
            points.ShouldBe(methods[i].TaskArithmetic.ValidationSweep.Select(s => (ReportFiles.Alpha(s.Alpha), s.Accuracy)).ToList());
            points.Select(p => p.X).ShouldBe(methods[i].TaskArithmetic.ValidationSweep.Select(s => (double)s.Alpha), tolerance: 1e-6);
        }
    }

    [Fact]
    public async Task RunAsync_SecondRunWithTheCache_RecomputesNothing()
    {
        var first = await MainJob.RunAsync(Options(), [TinyRow.Create()]);
        var files = Directory.GetFiles(Path.Combine(_folder, "cache"), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var reports = new List<MainJobProgress>();
        var second = await MainJob.RunAsync(Options(), [TinyRow.Create()], new InlineProgress<MainJobProgress>(reports.Add));

        // Everything but the training time (0: nothing was trained) is the first run's.
        static string Json(MethodReport m) => System.Text.Json.JsonSerializer.Serialize(m with { TrainSeconds = 0 });
        second.Rows[0].Methods.Select(Json).ShouldBe(first.Rows[0].Methods.Select(Json));
        second.Rows[0].Methods.ShouldAllBe(m => m.TrainSeconds == 0);
        reports.ShouldNotBeEmpty();
        reports.ShouldAllBe(p => p.FromCache);
        Directory.GetFiles(Path.Combine(_folder, "cache"), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc).ShouldBe(files);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringFineTuning_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress<MainJobProgress>(p => { if (p.Phase == "fine-tune") cancel.Cancel(); });
        await Should.ThrowAsync<OperationCanceledException>(() => MainJob.RunAsync(Options(), [TinyRow.Create(steps: 50)], progress, cancel.Token));
    }

    [Fact]
    public async Task RunAsync_BetaSweep_PlotsMergedAccuracyAgainstBeta()
    {
        var report = await MainJob.RunAsync(Options(MainJobCommand.BetaSweep), [TinyRow.Create()]);

        var sweep = report.Rows[0].BetaSweep;
        sweep.Select(m => m.Beta).ShouldBe([0.0, 10.0, 100.0]);
        var svg = XDocument.Load(Path.Combine(_folder, "out", "tiny-beta.svg"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var first = svg.Descendants(ns + "g").First(g => (string?)g.Attribute("class") == "series");
        first.Elements(ns + "circle").Select(c => double.Parse((string)c.Attribute("data-y")!, CultureInfo.InvariantCulture))
            .ShouldBe(sweep.Select(m => m.TaskArithmetic.AtAlphaOne.Absolute));
    }

    [Fact]
    public async Task RunAsync_Eq7VsEq8_ReportsBothPenaltiesAndFactorSaturation()
    {
        var report = await MainJob.RunAsync(Options(MainJobCommand.Eq7VsEq8), [TinyRow.Create()]);

        var row = report.Rows[0];
        row.Equations.Select(m => m.Method).ShouldBe(["linear FT + TAK (β = 100), Eq. 8", "linear FT + TAK (β = 100), Eq. 7"]);
        row.FactorSaturation.Select(p => p.Examples).ShouldBe([8, 16, 32]);
        row.FactorSaturation[^1].RelativeErrorA.ShouldBe(0);
        row.FactorSaturation[0].RelativeErrorA.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task RunAsync_FullProfile_TauJpTakesItsOwnBeta()
    {
        // τJp at β = 0 is plain linearized FT (the penalty's gradient is scaled by 0), while TAK keeps β = 100.
        var report = await MainJob.RunAsync(Options() with { Profile = MainJobProfile.Full, TauJpBeta = 0 }, [TinyRow.Create(transformer: true)]);

        var methods = report.Rows.ShouldHaveSingleItem().Methods;
        var tauJp = methods.Where(m => m.Method.Contains("τJp", StringComparison.Ordinal)).ShouldHaveSingleItem();
        tauJp.Method.ShouldBe("linear FT + τJp (β = 0)");
        tauJp.Beta.ShouldBe(0);
        var plain = methods.Single(m => m.Method == "linear FT");
        tauJp.TaskArithmetic.Individual.ShouldBe(plain.TaskArithmetic.Individual);
        tauJp.TaskArithmetic.ValidationSweep.Select(s => s.Accuracy).ShouldBe(plain.TaskArithmetic.ValidationSweep.Select(s => s.Accuracy));
        methods.Single(m => m.Method.StartsWith("linear FT + TAK", StringComparison.Ordinal)).Beta.ShouldBe(100);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public async Task RunAsync_BadTauJpBeta_ThrowsNamingIt(double tauJpBeta)
    {
        var e = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => MainJob.RunAsync(Options() with { TauJpBeta = tauJpBeta }, [TinyRow.Create()]));
        e.ParamName.ShouldBe(nameof(MainJobOptions.TauJpBeta));
        Directory.Exists(Path.Combine(_folder, "cache")).ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_NegativeBeta_ThrowsBeforeAnyWork()
    {
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => MainJob.RunAsync(Options() with { Beta = -1 }, [TinyRow.Create()]));
        Directory.Exists(Path.Combine(_folder, "cache")).ShouldBeFalse();
    }
}
