// RowReport: everything the main job measured on one row: zero-shot accuracy per task, the methods' results, the β
// sweep, the Eq. 7 / Eq. 8 comparison and factor saturation (each filled by its command), and its run time.
namespace TaskVectors.MainJob;

/// <summary>One row of the main job's report.</summary>
public sealed record RowReport
{
    /// <summary>The row's name.</summary>
    public required string Name { get; init; }

    /// <summary>The task names, in order.</summary>
    public required IReadOnlyList<string> Tasks { get; init; }

    /// <summary>θ0's test accuracy per task through the frozen heads (the zero-shot base).</summary>
    public required IReadOnlyList<double> ZeroShot { get; init; }

    /// <summary>The protocol's methods, in the order run.</summary>
    public IReadOnlyList<MethodReport> Methods { get; init; } = [];

    /// <summary>Linearized FT + TAK at each β of the sweep (<see cref="MethodReport.Beta"/>).</summary>
    public IReadOnlyList<MethodReport> BetaSweep { get; init; } = [];

    /// <summary>TAK with the aggregated penalty (Eq. 8) and with the per-task one (Eq. 7).</summary>
    public IReadOnlyList<MethodReport> Equations { get; init; } = [];

    /// <summary>Factor error against the largest example count measured.</summary>
    public IReadOnlyList<FactorSaturationPoint> FactorSaturation { get; init; } = [];

    /// <summary>Wall-clock seconds of the row in this run.</summary>
    public double Seconds { get; init; }
}
