// MainJobOptions: what the main job runs (rows, profile, command, β) and where it keeps its cache and writes its report.
namespace TaskVectors.MainJob;

/// <summary>Settings of <see cref="MainJob.RunAsync(MainJobOptions, IProgress{MainJobProgress}?, CancellationToken)"/>.</summary>
public sealed record MainJobOptions
{
    /// <summary>The repository's <c>data</c> folder (rows find their files below it).</summary>
    public required string DataRoot { get; init; }

    /// <summary>Quick (default) or full.</summary>
    public MainJobProfile Profile { get; init; } = MainJobProfile.Quick;

    /// <summary>The experiment to run (default: the protocol).</summary>
    public MainJobCommand Command { get; init; } = MainJobCommand.Protocol;

    /// <summary>
    /// The content-addressed cache of factors, task vectors and evaluations; a second run with the same folder recomputes
    /// nothing. Null: a temporary folder, deleted at the end.
    /// </summary>
    public string? CacheFolder { get; init; }

    /// <summary>Where report.json, report.txt and the SVG plots are written; null: nothing is written.</summary>
    public string? OutputFolder { get; init; }

    /// <summary>β of the curvature penalties (TAK, diagonal GGN, τJp); the paper's main tables use 100.</summary>
    public double Beta { get; init; } = 100;

    /// <summary>
    /// β of the data-based τJp baseline, R(τ) = β·(1/B) Σ_x ‖J(x; θ0)·τ‖² over the other tasks' inputs. Its own value:
    /// τJp measures raw embedding changes, not the loss curvature TAK's factors weigh them by, so TAK's β does not carry
    /// over (β = 100 left the vision row's τJp vectors at 55 % individual accuracy, near the zero-shot 50 %). The default
    /// is the β of 0.1, 1, 10, 100, 1000 whose task-arithmetic merge at α = 1 scored best on the vision row's validation
    /// sets (README, "τJp's β").
    /// </summary>
    public double TauJpBeta { get; init; } = DefaultTauJpBeta;

    /// <summary>The default of <see cref="TauJpBeta"/>.</summary>
    public const double DefaultTauJpBeta = 1;

    /// <summary>The β values of <see cref="MainJobCommand.BetaSweep"/> (the paper's 0, 1, 10, 100, 1000, 10000 by default).</summary>
    public IReadOnlyList<double> BetaGrid { get; init; } = [0, 1, 10, 100, 1000, 10000];

    /// <summary>The rows to run, by name (<see cref="BenchmarkRows.Names"/>); default: all of them.</summary>
    public IReadOnlyList<string>? Rows { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(DataRoot, nameof(DataRoot));
        if (!Enum.IsDefined(Profile)) throw new ArgumentOutOfRangeException(nameof(Profile), Profile, "Unknown profile.");
        if (!Enum.IsDefined(Command)) throw new ArgumentOutOfRangeException(nameof(Command), Command, "Unknown command.");
        if (!(Beta >= 0) || !double.IsFinite(Beta)) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "β must be finite and ≥ 0.");
        if (!(TauJpBeta >= 0) || !double.IsFinite(TauJpBeta)) throw new ArgumentOutOfRangeException(nameof(TauJpBeta), TauJpBeta, "τJp's β must be finite and ≥ 0.");
        if (BetaGrid is null || BetaGrid.Count == 0 || BetaGrid.Any(b => !(b >= 0) || !double.IsFinite(b)))
            throw new ArgumentException("The β grid needs one or more finite values ≥ 0.", nameof(BetaGrid));
    }
}
