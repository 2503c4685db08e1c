// BenchCommand: `taskvectors bench`: the main job (MainJob.RunAsync): the paper's task addition and negation protocol
// on the text row (all-MiniLM-L6-v2, six text tasks) and the vision row (the committed pretrained ViT, four image
// tasks), or the β sweep, or Eq. 7 vs Eq. 8; the table in the paper's layout, report.json / report.txt / SVG plots with
// --out, a content-addressed cache with --cache (a second run prints the table in seconds).
using System.CommandLine;
using System.Globalization;
using TaskVectors.Building;
using TaskVectors.Cli.Hosting;
using TaskVectors.MainJob;

namespace TaskVectors.Cli.Commands;

internal sealed class BenchCommand : ICliCommand
{
    public int Order => 90;

    public Command Create(CliHost host)
    {
        var profile = new Option<MainJobProfile>("--profile") { Description = "Quick (default; ≤ 10 min on 2 cores) or Full (every method, every example).", DefaultValueFactory = _ => MainJobProfile.Quick };
        var rows = new Option<string[]>("--rows") { Description = $"Rows to run (default: {string.Join(", ", BenchmarkRows.Names)}).", AllowMultipleArgumentsPerToken = true };
        var beta = new Option<double>("--beta") { Description = "β of the curvature penalties (TAK, diagonal GGN).", DefaultValueFactory = _ => 100 };
        var tauJpBeta = new Option<double>("--tau-jp-beta") { Description = "β of the data-based τJp baseline (full profile), apart from TAK's.", DefaultValueFactory = _ => MainJobOptions.DefaultTauJpBeta };
        var betaSweep = new Option<bool>("--beta-sweep") { Description = "Run linearized FT + TAK at every β of --betas instead of the protocol." };
        var betas = new Option<double[]>("--betas") { Description = "The β grid of --beta-sweep (default 0 1 10 100 1000 10000).", AllowMultipleArgumentsPerToken = true };
        var eq7 = new Option<bool>("--eq7-vs-eq8") { Description = "Compare TAK's per-task penalty (Eq. 7) with the aggregated one (Eq. 8), and factor saturation." };
        var cache = new Option<string?>("--cache") { Description = "Cache folder for factors, task vectors and evaluations (default: a temporary folder, deleted)." };
        var output = new Option<string?>("--out") { Description = "Folder for report.json, report.txt and the SVG plots." };
        var data = new Option<string?>("--data") { Description = "The repository's data folder (default: the nearest data/ with text-tasks above the current folder or the tool)." };
        var command = host.Command("bench",
            "Run the main job: task addition and negation on the text and vision rows, in the paper's layout.",
            "taskvectors bench --cache runs/cache --out runs/report",
            "taskvectors bench --rows vision --json",
            "taskvectors bench --beta-sweep --betas 0 10 100 1000 --rows text --cache runs/cache");
        foreach (var option in new Option[] { profile, rows, beta, tauJpBeta, betaSweep, betas, eq7, cache, output, data }) command.Add(option);
        host.Bind(command, run =>
        {
            if (run.Get(betaSweep) && run.Get(eq7)) throw new CliException(ExitCode.Usage, "--beta-sweep and --eq7-vs-eq8 are separate experiments; give one.");
            var options = new MainJobOptions
            {
                DataRoot = run.Get(data) is { } d ? Files.ExistingFolder(d, "--data") : BenchmarkRows.FindDataRoot(Environment.CurrentDirectory, AppContext.BaseDirectory),
                Profile = run.Get(profile),
                Command = run.Get(betaSweep) ? MainJobCommand.BetaSweep : run.Get(eq7) ? MainJobCommand.Eq7VsEq8 : MainJobCommand.Protocol,
                Beta = run.Get(beta),
                TauJpBeta = run.Get(tauJpBeta),
                CacheFolder = run.Get(cache),
                OutputFolder = run.Get(output),
                Rows = run.Get(rows) is { Length: > 0 } r ? r : null,
            };
            if (run.Get(betas) is { Length: > 0 } grid) options = options with { BetaGrid = grid };
            var report = run.Progress.RunPhases(report => MainJob.MainJob.RunAsync(options,
                new InlineProgress<MainJobProgress>(p => report($"[{p.Row}] {p.Method ?? "θ0"} · {p.Phase}", p.Fraction)), run.Cancellation).GetAwaiter().GetResult());
            string text = report.ToText() + (options.OutputFolder is { } o
                ? string.Create(CultureInfo.InvariantCulture, $"report.json, report.txt and plots written to {Path.GetFullPath(o)}\n") : "");
            return new CommandOutput(System.Text.Json.JsonDocument.Parse(report.ToJson()).RootElement, text);
        });
        return command;
    }
}
