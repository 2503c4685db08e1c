// MainJobCommand: which experiment the main job runs on its rows.
namespace TaskVectors.MainJob;

/// <summary>The experiment <see cref="MainJob.RunAsync(MainJobOptions, IProgress{MainJobProgress}?, CancellationToken)"/> runs.</summary>
public enum MainJobCommand
{
    /// <summary>The paper's protocol: zero-shot, then per method individual, merged (TA α = 1, α by validation, TIES) and negation accuracy.</summary>
    Protocol = 0,

    /// <summary>Linearized FT + TAK at every β of <see cref="MainJobOptions.BetaGrid"/>: merged accuracy against β.</summary>
    BetaSweep = 1,

    /// <summary>TAK with the per-task penalty (Eq. 7) against the aggregated one (Eq. 8), and factor saturation in the number of examples.</summary>
    Eq7VsEq8 = 2,
}
