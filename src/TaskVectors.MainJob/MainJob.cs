// MainJob: the entry point of the main job: the paper's task addition and negation protocol (or the β sweep, or Eq. 7
// vs Eq. 8) on one or more rows, with progress, cancellation, a content-addressed cache and a written report.
using System.Diagnostics;
using TaskVectors.Blas;

namespace TaskVectors.MainJob;

/// <summary>
/// The main job (issue 19): per row, the zero-shot base and, per method (linearized FT, + TAK, + diagonal GGN, + τJp,
/// non-linear FT, attention-only, attention-only + TAK; the quick profile runs a subset), individual accuracy, task
/// arithmetic θ0 + α·Σ_t τ_t at α = 1 and at the α picked on validation, TIES, absolute and normalized (merged /
/// individual), and negation θ0 − α·τ_t (control ≥ 95 % of θ0's).
/// </summary>
public static class MainJob
{
    /// <summary>Loads the rows named in <paramref name="options"/> (<see cref="BenchmarkRows"/>) and runs them.</summary>
    /// <exception cref="ArgumentException">An option is invalid or a row name unknown.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; finished items stay in the cache.</exception>
    public static Task<MainJobReport> RunAsync(MainJobOptions options, IProgress<MainJobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var names = options.Rows ?? BenchmarkRows.Names;
        foreach (string name in names)
            if (!BenchmarkRows.Names.Contains(name)) throw new ArgumentException($"No row is named '{name}'; known: {string.Join(", ", BenchmarkRows.Names)}.", nameof(options));
        return Task.Run(() => Run(options, names.Select(n => new Func<BenchmarkRow>(() => BenchmarkRows.Load(n, options))).ToList(), progress, cancellationToken), cancellationToken);
    }

    /// <summary>Runs the given rows (e.g. rows built in code) instead of named ones; <see cref="MainJobOptions.Rows"/> is ignored.</summary>
    /// <exception cref="ArgumentException">An option is invalid, no rows are given, or a row has fewer than two tasks or a task lacks validation or test data.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; finished items stay in the cache.</exception>
    public static Task<MainJobReport> RunAsync(MainJobOptions options, IReadOnlyList<BenchmarkRow> rows, IProgress<MainJobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        options.Validate();
        if (rows.Count == 0) throw new ArgumentException("No rows to run.", nameof(rows));
        return Task.Run(() => Run(options, rows.Select(r => new Func<BenchmarkRow>(() => r)).ToList(), progress, cancellationToken), cancellationToken);
    }

    private static MainJobReport Run(MainJobOptions options, IReadOnlyList<Func<BenchmarkRow>> rows, IProgress<MainJobProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var settings = ProtocolSettings.For(options.Profile, options.Beta, options.TauJpBeta);
        string cache = options.CacheFolder ?? Directory.CreateTempSubdirectory("taskvectors-main-job-").FullName;
        try
        {
            var reports = new List<RowReport>();
            foreach (var load in rows)
            {
                ct.ThrowIfCancellationRequested();
                var row = load();
                reports.Add(row.Run(options, settings, cache, progress, ct));
            }
            var report = new MainJobReport
            {
                Profile = options.Profile,
                Command = options.Command,
                Beta = options.Beta,
                Rows = reports,
                Seconds = clock.Elapsed.TotalSeconds,
                Gemm = Gemm.Description,
            };
            if (options.OutputFolder is not null) ReportFiles.Write(report, options.OutputFolder);
            return report;
        }
        finally
        {
            if (options.CacheFolder is null) Directory.Delete(cache, recursive: true);
        }
    }
}
