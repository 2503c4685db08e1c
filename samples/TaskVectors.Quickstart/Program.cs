// Quickstart: the main job — the paper's task addition and negation protocol (Porrello et al. 2026) on a pretrained
// base: all-MiniLM-L6-v2 on six real text tasks with zero-shot heads (and the vision row once merged). Per method:
// individual accuracy, task arithmetic at α = 1 and at the α picked on validation, TIES, negation; printed in the
// paper's layout, written as JSON, text and SVG plots with --out. A thin console over MainJob.RunAsync.
// Usage: dotnet run -c Release --project samples/TaskVectors.Quickstart [-- [--profile quick|full] [--beta-sweep]
//        [--betas 0,1,10,…]
//        [--eq7-vs-eq8] [--beta β] [--tau-jp-beta β] [--cache DIR] [--out DIR] [--rows text,vision] [--data DIR]]
using System.Globalization;
using TaskVectors.MainJob;

var options = new MainJobOptions { DataRoot = "" };
string? dataRoot = null;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        options = args[i] switch
        {
            "--" => options,
            "--profile" => options with { Profile = Value() switch { "quick" => MainJobProfile.Quick, "full" => MainJobProfile.Full, var p => throw new ArgumentException($"Unknown profile '{p}' (quick, full).") } },
            "--beta-sweep" => options with { Command = MainJobCommand.BetaSweep },
            "--eq7-vs-eq8" => options with { Command = MainJobCommand.Eq7VsEq8 },
            "--beta" => options with { Beta = double.Parse(Value(), CultureInfo.InvariantCulture) },
            "--tau-jp-beta" => options with { TauJpBeta = double.Parse(Value(), CultureInfo.InvariantCulture) },
            "--betas" => options with { BetaGrid = [.. Value().Split(',').Select(b => double.Parse(b, CultureInfo.InvariantCulture))] },
            "--cache" => options with { CacheFolder = Value() },
            "--out" => options with { OutputFolder = Value() },
            "--rows" => options with { Rows = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
            "--data" => options with { DataRoot = dataRoot = Value() },
            var unknown => throw new ArgumentException($"Unknown argument '{unknown}'."),
        };
    }
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
options = options with { DataRoot = dataRoot ?? BenchmarkRows.FindDataRoot(AppContext.BaseDirectory) };

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
Console.WriteLine($"main job: profile {options.Profile.ToString().ToLowerInvariant()}, {options.Command}, rows {string.Join(", ", options.Rows ?? BenchmarkRows.Names)}, " +
    $"cache {options.CacheFolder ?? "(temporary)"}");
try
{
    var progress = new ConsoleProgress();
    var report = await MainJob.RunAsync(options, progress, cancel.Token);
    progress.Complete();
    Console.WriteLine();
    Console.Write(report.ToText());
    if (options.OutputFolder is not null) Console.WriteLine($"report.json, report.txt and plots written to {Path.GetFullPath(options.OutputFolder)}");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("\ncancelled; finished factors and task vectors stay in the cache.");
    return 130;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// One progress bar per phase with its time left; a finished phase stays on its own line. Redirected output gets the
// finished lines only.
internal sealed class ConsoleProgress : IProgress<MainJobProgress>
{
    private readonly Lock _gate = new();
    private MainJobProgress? _last;

    public void Report(MainJobProgress p)
    {
        lock (_gate)
        {
            if (_last is { } last && (last.Phase != p.Phase || last.Method != p.Method || last.Row != p.Row))
                Finish(last);
            _last = p;
            if (!Console.IsOutputRedirected) Console.Write("\r" + Line(p, final: false).PadRight(Math.Max(0, Console.WindowWidth - 1)));
        }
    }

    /// <summary>Closes the last phase's line.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_last is { } last) Finish(last with { Fraction = 1 });
            _last = null;
        }
    }

    private static void Finish(MainJobProgress p)
    {
        if (Console.IsOutputRedirected) Console.WriteLine(Line(p, final: true));
        else Console.Write("\r" + Line(p, final: true).PadRight(Math.Max(0, Console.WindowWidth - 1)) + "\n");
    }

    private static string Line(MainJobProgress p, bool final)
    {
        const int bar = 20;
        int filled = final ? bar : (int)(p.Fraction * bar);
        string left = final ? (p.FromCache ? "from the cache" : $"{p.Elapsed.TotalSeconds:F0} s")
            : $"{p.Elapsed.TotalSeconds:F0} s" + (p.Remaining is { } r ? $", ~{r.TotalSeconds:F0} s left" : "");
        string what = $"[{p.Row}] {p.Method ?? "θ0"} · {p.Phase}";
        string task = final || p.Task is null ? "" : $" {p.Task}";
        return $"{what,-52} [{new string('#', filled)}{new string('-', bar - filled)}] {(final ? 100 : p.Fraction * 100),3:F0}%{task}  {left}";
    }
}
